from odoo import _, fields, models


class TimebankMember(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "timebank.member"

    gathering_count = fields.Integer(
        string="Gatherings",
        compute="_compute_gathering_count",
        help="Gatherings of this bank the member attended.",
    )

    def _gathering_registration_domain(self):
        return [
            ("partner_id", "in", self.partner_id.ids),
            ("company_id", "in", self.company_id.ids),
            ("event_id.timebank_gathering", "=", True),
        ]

    def _compute_gathering_count(self):
        # a count the member's form shows to whoever sees the membership
        attended = {
            (partner.id, company.id): count
            for partner, company, count in self.env["event.registration"]
            .sudo()
            ._read_group(
                self._gathering_registration_domain() + [("state", "=", "done")],
                ["partner_id", "company_id"],
                ["__count"],
            )
        }
        for member in self:
            member.gathering_count = attended.get(
                (member.partner_id.id, member.company_id.id), 0
            )

    def action_view_gatherings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "event.event_registration_action"
        )
        action.update(
            {
                "name": _("Gatherings of %(person)s", person=self.partner_id.name),
                "domain": self._gathering_registration_domain(),
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
                "context": {"search_default_attended": 1, "create": False},
            }
        )
        return action
