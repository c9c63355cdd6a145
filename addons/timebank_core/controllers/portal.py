from urllib.parse import urlencode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class TimebankPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "timebank_exchange_count" in counters:
            Exchange = request.env["timebank.exchange"]
            values["timebank_exchange_count"] = (
                Exchange.search_count([]) if Exchange.has_access("read") else 0
            )
        return values

    def _timebank_members(self):
        return request.env["timebank.member"].search(
            [("partner_id", "=", request.env.user.partner_id.id)]
        )

    @http.route("/my/timebank", type="http", auth="user", website=True)
    def portal_my_timebank(self, message=None, error=None, **kw):
        if not request.env["timebank.member"].has_access("read"):
            return request.redirect("/my")
        members = self._timebank_members()
        exchanges = request.env["timebank.exchange"].search([], limit=50)
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank",
                "members": members,
                "exchanges": exchanges,
                "lines": request.env["timebank.entry.line"].search(
                    [("account_id", "in", members.account_id.ids)], limit=20
                ),
                "to_confirm": exchanges.filtered(
                    lambda e: (
                        e.state == "submitted"
                        and (
                            e.sudo().receiver_id.partner_id == partner
                            or e.receiver_id._timebank_proxy_allows("confirm")
                        )
                    )
                ),
                "to_submit": exchanges.filtered(
                    lambda e: (
                        e.state == "draft"
                        and e.sudo().provider_id.partner_id == partner
                    )
                ),
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_core.portal_my_timebank", values)

    @http.route(
        "/my/timebank/service/<int:exchange_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_service_action(self, exchange_id, action, **kw):
        actions = {"confirm": "action_confirm", "submit": "action_submit"}
        if action not in actions:
            return request.not_found()
        exchange = request.env["timebank.exchange"].browse(exchange_id)
        try:
            exchange.check_access("read")
        except (AccessError, MissingError):
            return request.not_found()
        try:
            getattr(exchange, actions[action])()
        except UserError as problem:  # also a refusal of the workflow (AccessError)
            return request.redirect(
                "/my/timebank?" + urlencode({"error": problem.args[0]})
            )
        done = {
            "confirm": _("Thank you: the service is confirmed."),
            "submit": _("The service is submitted."),
        }
        return request.redirect("/my/timebank?" + urlencode({"message": done[action]}))

    @http.route("/my/timebank/statement", type="http", auth="user", website=True)
    def portal_timebank_statement(self, **kw):
        members = self._timebank_members()
        if not members:
            return request.redirect("/my")
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("timebank_core.report_statement", members.ids)
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", 'inline; filename="statement.pdf"'),
            ],
        )
