from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_adult_age = fields.Integer(
        related="company_id.timebank_adult_age", readonly=False
    )
    timebank_elder_age = fields.Integer(
        related="company_id.timebank_elder_age", readonly=False
    )
    timebank_credit_limit = fields.Integer(
        related="company_id.timebank_credit_limit", readonly=False
    )
    timebank_four_eyes = fields.Boolean(
        related="company_id.timebank_four_eyes", readonly=False
    )
    timebank_require_proof = fields.Boolean(
        related="company_id.timebank_require_proof", readonly=False
    )
    timebank_pool_credit_limit = fields.Integer(
        related="company_id.timebank_pool_credit_limit", readonly=False
    )
    timebank_expiry_policy = fields.Selection(
        related="company_id.timebank_expiry_policy", readonly=False
    )
    timebank_expiry_years = fields.Integer(
        related="company_id.timebank_expiry_years", readonly=False
    )
    timebank_expiry_warning_days = fields.Integer(
        related="company_id.timebank_expiry_warning_days", readonly=False
    )
    timebank_star1_hours = fields.Integer(
        related="company_id.timebank_star1_hours", readonly=False
    )
    timebank_star2_hours = fields.Integer(
        related="company_id.timebank_star2_hours", readonly=False
    )
    timebank_star3_hours = fields.Integer(
        related="company_id.timebank_star3_hours", readonly=False
    )
