from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_adult_age = fields.Integer(
        related="company_id.timebank_adult_age", readonly=False
    )
    timebank_elder_age = fields.Integer(
        related="company_id.timebank_elder_age", readonly=False
    )
