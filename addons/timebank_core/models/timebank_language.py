from odoo import fields, models


class TimebankLanguage(models.Model):
    _name = "timebank.language"
    _description = "Spoken Language"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A language with this name already exists."),
    ]
