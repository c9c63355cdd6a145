from urllib.parse import urlencode

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.timebank_core.controllers.portal import TimebankPortal

REQUESTS_URL = "/my/timebank/requests"


class TimebankMatchingPortal(TimebankPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "timebank_request_count" in counters:
            Request = request.env["timebank.request"]
            values["timebank_request_count"] = (
                Request.search_count(self._timebank_open_domain())
                if Request.has_access("read")
                else 0
            )
        return values

    def _timebank_open_domain(self):
        partner = request.env.user.partner_id
        return [
            ("state", "=", "published"),
            ("partner_id", "!=", partner.id),
        ]

    @http.route(REQUESTS_URL, type="http", auth="user", website=True)
    def portal_timebank_requests(self, message=None, error=None, **kw):
        Request = request.env["timebank.request"]
        if not Request.has_access("read"):
            return request.redirect("/my")
        members = self._timebank_members()
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_requests",
                "open_requests": Request.search(self._timebank_open_domain()),
                "tasks": Request.search(
                    [
                        ("provider_id", "in", members.ids),
                        ("state", "in", ("claimed", "assigned")),
                    ]
                ),
                "my_requests": Request.search(
                    [
                        (
                            "partner_id",
                            "in",
                            (partner | partner.sudo().timebank_proxied_ids).ids,
                        ),
                        ("state", "not in", ("cancelled", "expired")),
                    ],
                    limit=20,
                ),
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_matching.portal_my_requests", values)

    @http.route(
        REQUESTS_URL + "/<int:request_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_request_action(self, request_id, action, **kw):
        done = {
            "claim": _("Thank you: the request is yours."),
            "check_in": _("Checked in."),
            "check_out": _("Checked out."),
            "done": _("Thank you: the service is recorded for confirmation."),
        }
        if action not in done:
            return request.not_found()
        record = request.env["timebank.request"].browse(request_id)
        if not record.sudo().exists():
            return request.not_found()
        try:
            getattr(record, f"action_{action}")()
        except UserError as problem:  # also a refusal of the workflow (AccessError)
            return request.redirect(
                REQUESTS_URL + "?" + urlencode({"error": problem.args[0]})
            )
        return request.redirect(
            REQUESTS_URL + "?" + urlencode({"message": done[action]})
        )

    @http.route("/my/timebank/can-buy", type="http", auth="user", website=True)
    def portal_timebank_can_buy(self, **kw):
        members = self._timebank_members()
        if not members:
            return request.redirect("/my")
        Item = request.env["timebank.service.item"]
        banks = []
        for member in members:
            items = Item.search(
                [
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", member.company_id.id),
                ]
            )
            banks.append(
                {
                    "member": member,
                    "items": [
                        (item, self._timebank_hours_covered(member.balance, item))
                        for item in items
                    ],
                }
            )
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "timebank_can_buy", "banks": banks})
        return request.render("timebank_matching.portal_my_can_buy", values)

    @staticmethod
    def _timebank_hours_covered(balance, item):
        """Hours of ``item`` that ``balance`` minutes pay for, as h:mm; None when
        the community pool pays."""
        if item.funding == "community":
            return None
        minutes = int(max(balance, 0) / item.coefficient)
        return f"{minutes // 60}:{minutes % 60:02d}"
