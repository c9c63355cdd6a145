from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_broker_check_required = fields.Boolean(
        related="company_id.timebank_broker_check_required", readonly=False
    )
    timebank_check_reminder_days = fields.Integer(
        related="company_id.timebank_check_reminder_days", readonly=False
    )
    timebank_assembly_quorum = fields.Integer(
        related="company_id.timebank_assembly_quorum", readonly=False
    )
    timebank_assembly_max_proxies = fields.Integer(
        related="company_id.timebank_assembly_max_proxies", readonly=False
    )
    timebank_assembly_notice_days = fields.Integer(
        related="company_id.timebank_assembly_notice_days", readonly=False
    )
