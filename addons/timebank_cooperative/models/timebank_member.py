from odoo import _, api, fields, models


class TimebankMember(models.Model):
    _inherit = "timebank.member"
    # the background check records are the source of these dates
    _guarded_fields = ("background_check_date", "background_check_expiry")

    # those of the person's own records: not carried to a copy
    background_check_date = fields.Date(copy=False)
    background_check_expiry = fields.Date(copy=False)

    def _guarded_hint(self):
        return _(
            "%(hint)s Its background check dates follow the background check "
            "records of the person (Cooperative, Background Checks and Training).",
            hint=super()._guarded_hint(),
        )

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        # a person checked before joining: the membership shows the check
        self.env["timebank.broker.check"]._sync_members_of(
            members.partner_id, members.company_id, clear_missing=False
        )
        return members
