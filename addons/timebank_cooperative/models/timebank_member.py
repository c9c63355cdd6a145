from odoo import api, models


class TimebankMember(models.Model):
    _inherit = "timebank.member"

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        # a person checked before joining: the membership shows the check
        self.env["timebank.broker.check"]._sync_members_of(
            members.partner_id, members.company_id, clear_missing=False
        )
        return members
