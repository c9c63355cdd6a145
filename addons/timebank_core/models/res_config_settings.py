from odoo import api, fields, models


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
    timebank_lock_date = fields.Date(related="company_id.timebank_lock_date")
    timebank_public_board = fields.Boolean(
        related="company_id.timebank_public_board", readonly=False
    )
    timebank_public_signup = fields.Boolean(
        related="company_id.timebank_public_signup", readonly=False
    )
    timebank_join_url = fields.Char(
        string="Address of the Application",
        compute="_compute_timebank_public_urls",
    )
    timebank_public_board_url = fields.Char(
        string="Address of the Board", compute="_compute_timebank_public_urls"
    )

    @api.depends("company_id")
    def _compute_timebank_public_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for settings in self:
            settings.timebank_public_board_url = (
                f"{base}/timebank/{settings.company_id.id}/hours"
            )
            settings.timebank_join_url = (
                f"{base}/timebank/{settings.company_id.id}/join"
            )

    timebank_credit_reference_value = fields.Monetary(
        related="company_id.timebank_credit_reference_value",
        currency_field="timebank_credit_reference_currency_id",
        readonly=False,
    )
    timebank_credit_reference_currency_id = fields.Many2one(
        related="company_id.timebank_credit_reference_currency_id", readonly=False
    )
    timebank_expiry_warning_days = fields.Integer(
        related="company_id.timebank_expiry_warning_days", readonly=False
    )
    timebank_low_balance_minutes = fields.Integer(
        related="company_id.timebank_low_balance_minutes", readonly=False
    )
    timebank_unused_credit_minutes = fields.Integer(
        related="company_id.timebank_unused_credit_minutes", readonly=False
    )
    timebank_unused_credit_days = fields.Integer(
        related="company_id.timebank_unused_credit_days", readonly=False
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
    module_timebank_catalog = fields.Boolean(
        string="Ready-made Catalog (Table 1)",
        help="Installs the 14 services of seed Table 1 in 4 categories, with their "
        "difficulty coefficient and cap, as the bank's own catalog to adjust.",
    )
