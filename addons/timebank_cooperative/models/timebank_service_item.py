from odoo import fields, models


class TimebankServiceItem(models.Model):
    _inherit = "timebank.service.item"

    required_training_kind_ids = fields.Many2many(
        "timebank.training.kind",
        string="Required Trainings",
        help="A volunteer provides this service only with a valid training of "
        "each of these kinds.",
    )
