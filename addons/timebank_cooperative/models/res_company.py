from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    timebank_broker_check_required = fields.Boolean(
        string="Brokers Need a Valid Check and Training",
        default=True,
        help="A broker verifies or posts services only with a valid background "
        "check and a valid training record in this bank.",
    )
    timebank_check_reminder_days = fields.Integer(
        string="Check Reminder Days",
        default=30,
        help="Brokers and managers are reminded this many days before a background "
        "check or a training expires.",
    )
    timebank_assembly_quorum = fields.Integer(
        string="Assembly Quorum (%)",
        default=50,
        help="Share of the active members, present or represented, that a general "
        "assembly needs to vote.",
    )
    timebank_assembly_max_proxies = fields.Integer(
        string="Proxies per Member",
        default=1,
        help="How many absent members one member present may represent.",
    )
    timebank_assembly_notice_days = fields.Integer(
        string="Assembly Notice Days",
        default=14,
        help="Members are convened at least this many days before the assembly.",
    )

    @api.constrains(
        "timebank_check_reminder_days",
        "timebank_assembly_quorum",
        "timebank_assembly_max_proxies",
        "timebank_assembly_notice_days",
    )
    def _check_timebank_cooperative_settings(self):
        for company in self:
            if not 0 <= company.timebank_assembly_quorum <= 100:
                raise ValidationError(
                    _("The assembly quorum is a share between 0 and 100 %.")
                )
            if (
                company.timebank_check_reminder_days < 0
                or company.timebank_assembly_max_proxies < 0
                or company.timebank_assembly_notice_days < 0
            ):
                raise ValidationError(
                    _(
                        "Reminder days, proxies per member and notice days cannot "
                        "be negative."
                    )
                )
