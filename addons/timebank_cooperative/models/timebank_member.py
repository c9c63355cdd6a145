from odoo import _, api, fields, models


class TimebankMember(models.Model):
    _inherit = "timebank.member"

    dispute_count = fields.Integer(string="Disputes", compute="_compute_dispute_count")
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

    def _compute_dispute_count(self):
        counts = dict(
            self.env["timebank.dispute"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.dispute_count = counts.get(member, 0)

    def action_view_disputes(self):
        """The disputes about the member."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_cooperative.timebank_dispute_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action
