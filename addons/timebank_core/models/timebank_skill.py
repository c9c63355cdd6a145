from odoo import fields, models


class TimebankSkill(models.Model):
    _name = "timebank.skill"
    _description = "Time Bank Skill"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "res_partner_timebank_skill_rel",
        "skill_id",
        "partner_id",
        string="People",
    )

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A skill with this name already exists."),
    ]
