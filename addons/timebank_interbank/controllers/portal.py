from urllib.parse import urlencode

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.timebank_core.controllers.portal import TIMEBANK_URL, TimebankPortal
from odoo.addons.timebank_core.models.timebank_account import format_minutes

INTERBANK_URL = TIMEBANK_URL + "/other-banks"


class TimebankInterbankPortal(TimebankPortal):
    @staticmethod
    def _timebank_interbank_url(member=None):
        if member:
            return INTERBANK_URL + "?" + urlencode({"member": member.id})
        return INTERBANK_URL

    def _timebank_interbank_senders(self, acting_for):
        """The memberships the user may send credits of from this page: their
        own active ones, or the person they act for if allowed to ask for
        services on their behalf (``send`` checks it again)."""
        if acting_for:
            senders = acting_for._timebank_proxy_allows("request")
        else:
            senders = self._timebank_members()
        return senders.filtered(lambda m: m.state == "active")

    @http.route(INTERBANK_URL, type="http", auth="user", website=True)
    def portal_timebank_interbank(self, member=None, **kw):
        if not request.env["timebank.member"].has_access("read"):
            return request.redirect("/my")
        message, error = self._timebank_pop_notice()
        acting_for, refusal = self._timebank_acting_for(member)
        error = refusal or error
        members = acting_for or self._timebank_members()
        transfers = request.env["timebank.interbank.transfer"].search(
            [("member_id", "in", members.ids)], limit=100
        )
        senders = self._timebank_interbank_senders(acting_for)
        # the partner banks of the sender's bank, by name only
        peers = (
            request.env["timebank.peer"]
            .sudo()
            .search(
                [
                    ("company_id", "in", senders.company_id.ids),
                    ("state", "=", "accepted"),
                ]
            )
        )
        proxy_persons = self._timebank_proxy_persons()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_interbank",
                "members": members,
                "acting_for": acting_for,
                "proxy_persons": proxy_persons,
                "proxy_names": {p.id: p.sudo().partner_id.name for p in proxy_persons},
                "transfers": transfers,
                "senders": senders,
                "peers": [
                    {"id": p.id, "name": p.name, "company_id": p.company_id.id}
                    for p in peers
                ],
                "states": dict(
                    transfers._fields["state"]._description_selection(request.env)
                ),
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_interbank.portal_timebank_interbank", values)

    @staticmethod
    def _timebank_interbank_minutes(hours, minutes):
        """Whole minutes from the form's hours and minutes, or None."""
        try:
            hours = int(hours or 0)
            minutes = int(minutes or 0)
        except (TypeError, ValueError):
            return None
        if hours < 0 or minutes < 0:
            return None
        return hours * 60 + minutes

    @http.route(
        INTERBANK_URL + "/send",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_interbank_send(
        self,
        sender=None,
        peer=None,
        payee_number=None,
        hours=None,
        minutes=None,
        memo=None,
        member=None,
        purpose=None,
        service_date=None,
        **kw,
    ):
        acting_for, _refusal = self._timebank_acting_for(member)
        total = self._timebank_interbank_minutes(hours, minutes)
        try:
            if not total:
                raise UserError(
                    _("Enter the time to send, in hours and minutes (more than zero).")
                )
            try:
                sender_id, peer_id = int(sender), int(peer)
            except (TypeError, ValueError) as error:
                raise UserError(
                    _("Choose whose credits to send and the partner bank.")
                ) from error
            Transfer = request.env["timebank.interbank.transfer"]
            note = (memo or "").strip()[:200]
            with request.env.cr.savepoint():
                if purpose == "service":
                    # the time is the service's duration, credited 1:1 (the
                    # portal offers no kind of service)
                    transfer_id = Transfer.send_service(
                        peer_id,
                        sender_id,
                        payee_number,
                        total,
                        service_date or False,
                        False,
                        note,
                    )
                else:
                    transfer_id = Transfer.send(
                        peer_id, sender_id, payee_number, total, note
                    )
        except UserError as problem:
            self._timebank_notify(problem.args[0], error=True)
        else:
            transfer = request.env["timebank.interbank.transfer"].browse(transfer_id)
            if transfer.purpose == "service":
                self._timebank_notify(
                    _(
                        "%(time)s sent for the service of member %(number)s of "
                        "%(peer)s. Its state shows below: the partner bank's "
                        "answer settles it.",
                        time=format_minutes(transfer.minutes),
                        number=transfer.payee_number,
                        peer=transfer.sudo().peer_id.name,
                    )
                )
                return request.redirect(self._timebank_interbank_url(acting_for))
            self._timebank_notify(
                _(
                    "%(time)s sent to member %(number)s of %(peer)s. Its state "
                    "shows below: the partner bank's answer settles it.",
                    time=format_minutes(total),
                    number=transfer.payee_number,
                    peer=transfer.sudo().peer_id.name,
                )
            )
        return request.redirect(self._timebank_interbank_url(acting_for))
