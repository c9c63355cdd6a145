from odoo import fields, models


class TimebankTrainingKind(models.Model):
    """A training a bank gives or recognises (e.g. first aid, dementia care).

    A member's completed trainings are the training records
    (``timebank.broker.check`` of kind training) naming this kind; a service
    item may require some of them from its volunteers.
    """

    _name = "timebank.training.kind"
    _description = "Time Bank Training Kind"
    _check_company_auto = True
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
