from odoo import fields, models


class TimebankRecipientCategory(models.Model):
    """Kinds of people a bank serves (living alone, disabled, low-income...),
    set on a member by brokers and counted in the indicators."""

    _name = "timebank.recipient.category"
    _description = "Care Recipient Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "A category with this name already exists."),
    ]
