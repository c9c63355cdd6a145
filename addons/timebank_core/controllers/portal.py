import base64
from urllib.parse import urlencode

from odoo import Command, _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.ir_attachment import PROOF_OPEN_STATES

TIMEBANK_URL = "/my/timebank"
# the notice shown once on the next page: kept in the session, never in the URL
NOTICE_KEY = "timebank_portal_notice"
# what a phone's camera or a scanner makes, and nothing a browser would run
PROOF_MIMETYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/pdf",
}
PROOF_MAX_MB = 8


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

    # ------------------------------------------------------------------ notices
    @staticmethod
    def _timebank_notify(text, error=False):
        """Say ``text`` on the next page the user sees (once)."""
        request.session[NOTICE_KEY] = {"text": text, "error": error}

    @staticmethod
    def _timebank_pop_notice():
        notice = request.session.pop(NOTICE_KEY, None) or {}
        if notice.get("error"):
            return None, notice.get("text")
        return notice.get("text"), None

    # ------------------------------------------------------------------ proxies
    @staticmethod
    def _timebank_proxy_persons(right="view"):
        """The memberships of the persons who named the user their proxy, with
        consent, and gave them ``right``."""
        Member = request.env["timebank.member"]
        persons = Member.browse(
            Member.sudo().search(Member._timebank_proxy_domain(right)).ids
        )
        if right == "view":  # those in the banks the user is part of
            persons = persons._filtered_access("read")
        return persons

    def _timebank_acting_for(self, member_id):
        """The membership the user acts for, read from the request and checked
        against the right to see it, on every request: what the proxy may do
        beyond seeing, the models check themselves.

        Returns (membership or None, refusal or None): None and None when the
        user acts for themselves.
        """
        if not member_id:
            return None, None
        if isinstance(member_id, str) and member_id.isdecimal():
            member_id = int(member_id)
        if isinstance(member_id, int) and not isinstance(member_id, bool):
            allowed = self._timebank_proxy_persons()
            if member_id in allowed.ids:
                return allowed.browse(member_id), None
        return None, _(
            "You cannot see this person's time bank: only a proxy they named, "
            "and allowed to see it, can."
        )

    @staticmethod
    def _timebank_url(member=None):
        if member:
            return TIMEBANK_URL + "?" + urlencode({"member": member.id})
        return TIMEBANK_URL

    # ------------------------------------------------------------------ pages
    @staticmethod
    def _timebank_line_labels(lines):
        """What each movement was, in the reader's language: a service's entry
        and lines keep the name it was posted under (in the poster's
        language), the page names the service as its card above does."""
        labels = {}
        for line in lines:
            entry = line.entry_id.sudo()
            exchange = entry.exchange_id
            if exchange and exchange.entry_id == entry:
                labels[line.id] = exchange.display_name
            else:
                labels[line.id] = line.name or entry.ref
        return labels

    @http.route(TIMEBANK_URL, type="http", auth="user", website=True)
    def portal_my_timebank(self, member=None, **kw):
        if not request.env["timebank.member"].has_access("read"):
            return request.redirect("/my")
        message, error = self._timebank_pop_notice()
        acting_for, refusal = self._timebank_acting_for(member)
        error = refusal or error
        partner = request.env.user.partner_id
        Exchange = request.env["timebank.exchange"]
        if acting_for:
            members = acting_for
            exchanges = Exchange.search(
                [
                    "|",
                    ("provider_id", "=", acting_for.id),
                    ("receiver_id", "=", acting_for.id),
                ],
                limit=50,
            )
        else:
            members = self._timebank_members()
            exchanges = Exchange.search(
                [
                    "|",
                    ("provider_id.partner_id", "=", partner.id),
                    ("receiver_id.partner_id", "=", partner.id),
                ],
                limit=50,
            )
        # the services the user may confirm: as the receiver, or as a proxy
        # the receiver allowed to (only theirs when acting for them)
        confirm_for = self._timebank_proxy_persons("confirm")
        if acting_for:
            confirm_for &= acting_for
        else:
            confirm_for |= members
        to_confirm = Exchange.search(
            [("state", "=", "submitted"), ("receiver_id", "in", confirm_for.ids)]
        )
        proxy_persons = self._timebank_proxy_persons()
        raters = acting_for or members
        to_rate = exchanges._rating_open_sides(raters)
        given = (
            request.env["timebank.rating"]
            .sudo()
            .search(
                [("exchange_id", "in", exchanges.ids), ("rater_id", "in", raters.ids)]
            )
        )
        lines = request.env["timebank.entry.line"].search(
            [("account_id", "in", members.account_id.ids)], limit=20
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank",
                "members": members,
                "acting_for": acting_for,
                "proxy_persons": proxy_persons,
                "proxy_names": {p.id: p.sudo().partner_id.name for p in proxy_persons},
                "proof_counts": {e.id: len(e.sudo().attachment_ids) for e in exchanges},
                "exchanges": exchanges,
                "lines": lines,
                "line_labels": self._timebank_line_labels(lines),
                "to_confirm": to_confirm,
                "to_submit": exchanges.filtered(
                    lambda e: (
                        not acting_for
                        and e.state == "draft"
                        and e.sudo().provider_id.partner_id == partner
                    )
                ),
                "may_add_proof": exchanges.filtered(self._timebank_may_add_proof),
                "to_rate": to_rate,
                "ratings_given": {r.exchange_id.id: r for r in given},
                "rating_scores": request.env["timebank.rating"]
                ._fields["score"]
                ._description_selection(request.env),
                "proof_accept": ",".join(sorted(PROOF_MIMETYPES)),
                "proof_limits": _(
                    "Photos or PDF documents, at most %(max)s MB each.",
                    max=PROOF_MAX_MB,
                ),
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_core.portal_my_timebank", values)

    @http.route(
        TIMEBANK_URL + "/service/<int:exchange_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_service_action(self, exchange_id, action, member=None, **kw):
        actions = {
            "confirm": ("action_confirm", _("Thank you: the service is confirmed.")),
            "submit": ("action_submit", _("The service is submitted.")),
        }
        if action not in actions:
            return request.not_found()
        method, done = actions[action]

        def run(exchange):
            getattr(exchange, method)()
            return done

        return self._timebank_service_do(exchange_id, member, run)

    def _timebank_service_do(self, exchange_id, member, run):
        """``run(service)`` for a service the user may see, then back to the
        page they came from (theirs, or that of the person they act for),
        saying how it went: ``run`` returns the thank-you, a refusal
        (UserError, AccessError) is said as it is and leaves nothing behind."""
        exchange = request.env["timebank.exchange"].browse(exchange_id)
        try:
            exchange.check_access("read")
        except (AccessError, MissingError):
            return request.not_found()
        acting_for, _refusal = self._timebank_acting_for(member)
        try:
            with request.env.cr.savepoint():
                message = run(exchange)
        except UserError as problem:  # also a refusal of the workflow (AccessError)
            self._timebank_notify(problem.args[0], error=True)
        else:
            self._timebank_notify(message)
        return request.redirect(self._timebank_url(acting_for))

    # ------------------------------------------------------------------ proof
    @staticmethod
    def _timebank_may_add_proof(exchange):
        """The provider or the receiver, or the proxy of either who may record
        services for them, completes the proof of a service not yet verified."""
        if exchange.state not in PROOF_OPEN_STATES:
            return False
        sudoed = exchange.sudo()
        partner = request.env.user.partner_id
        parties = sudoed.provider_id | sudoed.receiver_id
        return partner in parties.partner_id or bool(
            parties.with_env(request.env)._timebank_proxy_allows("request")
        )

    @http.route(
        TIMEBANK_URL + "/service/<int:exchange_id>/proof",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_service_proof(self, exchange_id, member=None, **kw):
        """Photos and documents of a service, sent from a phone."""
        files = [
            upload
            for upload in request.httprequest.files.getlist("proof")
            if upload.filename
        ]

        def run(exchange):
            names = self._timebank_attach_proof(exchange, files)
            return _(
                "Thank you: %(files)s is attached to %(service)s as its proof.",
                files=", ".join(names),
                service=exchange.display_name,
            )

        return self._timebank_service_do(exchange_id, member, run)

    def _timebank_attach_proof(self, exchange, files):
        """Check and attach ``files`` to ``exchange``; a UserError says what is
        wrong. Returns the names of the files attached."""
        if not files:
            raise UserError(_("Choose a photo or a document to attach first."))
        if not self._timebank_may_add_proof(exchange):
            if exchange.state not in PROOF_OPEN_STATES:
                raise UserError(
                    _(
                        "%(service)s is already checked by the broker: its proof "
                        "cannot change any more. Call your time bank to add "
                        "something.",
                        service=exchange.display_name,
                    )
                )
            raise AccessError(
                _(
                    "Only the volunteer, the person helped, or a proxy allowed to "
                    "record services for them adds proof to %(service)s.",
                    service=exchange.display_name,
                )
            )
        vals_list = []
        for upload in files:
            content = upload.read()
            if len(content) > PROOF_MAX_MB * 1024 * 1024:
                raise UserError(
                    _(
                        "%(file)s is larger than %(max)s MB: send a smaller photo "
                        "(your phone can reduce its size) or a shorter document.",
                        file=upload.filename,
                        max=PROOF_MAX_MB,
                    )
                )
            mimetype = guess_mimetype(content, default="")
            if mimetype not in PROOF_MIMETYPES:
                raise UserError(
                    _(
                        "%(file)s is not a photo or a PDF document: only photos "
                        "(JPEG, PNG, GIF, WebP, HEIC) and PDF documents are "
                        "accepted as proof.",
                        file=upload.filename,
                    )
                )
            vals_list.append(
                {
                    "name": upload.filename,
                    "datas": base64.b64encode(content),
                    "mimetype": mimetype,
                    "res_model": exchange._name,
                    "res_id": exchange.id,
                }
            )
        # a portal user creates no attachment: the bank keeps them, linked to
        # the service whose rules the user passed above
        attachments = request.env["ir.attachment"].sudo().create(vals_list)
        exchange.sudo().write(
            {"attachment_ids": [Command.link(a.id) for a in attachments]}
        )
        exchange.sudo().message_post(
            body=_(
                "Proof added from the portal by %(user)s: %(files)s.",
                user=request.env.user.name,
                files=", ".join(attachments.mapped("name")),
            )
        )
        return attachments.mapped("name")

    # ------------------------------------------------------------------ ratings
    @http.route(
        TIMEBANK_URL + "/service/<int:exchange_id>/rating",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_service_rating(
        self, exchange_id, direction=None, score=None, comment=None, **kw
    ):
        """The person helped rates the service, the volunteer the visit."""

        def run(exchange):
            if not score:
                raise UserError(_("Choose a rating from 1 to 5 first."))
            exchange.action_give_rating(
                direction, score, comment, shared=kw.get("shared") == "on"
            )
            return _(
                "Thank you for your rating of %(service)s.",
                service=exchange.display_name,
            )

        return self._timebank_service_do(exchange_id, kw.get("member"), run)

    # ------------------------------------------------------------------ statement
    @http.route(TIMEBANK_URL + "/statement", type="http", auth="user", website=True)
    def portal_timebank_statement(self, member=None, report_type="pdf", **kw):
        acting_for, refusal = self._timebank_acting_for(member)
        if refusal:
            self._timebank_notify(refusal, error=True)
            return request.redirect(TIMEBANK_URL)
        members = acting_for or self._timebank_members()
        if not members:
            return request.redirect("/my")
        # on screen the statement speaks the page's language; printed for the
        # post it speaks the member's
        Report = (
            request.env["ir.actions.report"]
            .sudo()
            .with_context(timebank_statement_lang=request.lang.code)
        )
        if report_type == "html":
            html, _type = Report._render_qweb_html(
                "timebank_core.report_statement", members.ids
            )
            return request.make_response(html)
        pdf, _type = Report._render_qweb_pdf(
            "timebank_core.report_statement", members.ids
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", 'inline; filename="statement.pdf"'),
            ],
        )
