from datetime import datetime
from itertools import groupby

import pytz

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.timebank_core.controllers.portal import TimebankPortal

REQUESTS_URL = "/my/timebank/requests"
NEW_REQUEST_URL = REQUESTS_URL + "/new"
OFFERS_URL = "/my/timebank/offers"
# preferred times offered by the form; the member fills one or more
WINDOW_ROWS = 3


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
            ("offer_id", "=", False),
        ]

    @http.route(REQUESTS_URL, type="http", auth="user", website=True)
    def portal_timebank_requests(self, **kw):
        Request = request.env["timebank.request"]
        if not Request.has_access("read"):
            return request.redirect("/my")
        members = self._timebank_members()
        message, error = self._timebank_pop_notice()
        # the needs of the user and of the persons who let them see or request
        persons = self._timebank_need_persons() | self._timebank_proxy_persons().sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_requests",
                "open_requests": Request.search(self._timebank_open_domain()),
                "booked": Request.search(
                    [
                        ("state", "=", "published"),
                        ("booked_member_id", "in", members.ids),
                    ]
                ),
                "tasks": Request.search(
                    [
                        ("provider_id", "in", members.ids),
                        ("state", "in", ("claimed", "assigned")),
                    ]
                ),
                "my_requests": Request.search(
                    [
                        ("member_id", "in", persons.ids),
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
            "withdraw": _("Your request is cancelled."),
            "publish": _(
                "Your request is sent again: the volunteers of your time bank can "
                "see it now."
            ),
            "decline": _(
                "You declined the booking: the person who asked is told. Thank you "
                "for answering."
            ),
        }
        if action not in done:
            return request.not_found()
        record = request.env["timebank.request"].browse(request_id)
        if not record.sudo().exists():
            return request.not_found()
        try:
            if action == "decline":
                record.action_decline_booking((kw.get("reason") or "").strip() or None)
            else:
                getattr(record, f"action_{action}")()
        except UserError as problem:  # also a refusal of the workflow (AccessError)
            self._timebank_notify(problem.args[0], error=True)
            return request.redirect(REQUESTS_URL)
        self._timebank_notify(done[action])
        return request.redirect(REQUESTS_URL)

    @http.route(
        NEW_REQUEST_URL,
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_timebank_request_new(self, **post):
        """A member, or the proxy of an elder, registers a need."""
        if not request.env["timebank.request"].has_access("read"):
            return request.redirect("/my")
        persons = self._timebank_need_persons()
        offer = self._timebank_bookable_offer(post.get("offer_id"), persons)
        if offer and not post.get("item_id") and offer.item_id:
            post = dict(post, item_id=str(offer.item_id.id))
        error = None
        if request.httprequest.method == "POST":
            try:
                # a refusal leaves nothing behind
                with request.env.cr.savepoint():
                    need = self._timebank_register_need(persons, post, offer)
            except UserError as problem:  # also AccessError and ValidationError
                error = problem.args[0]
            else:
                if offer:
                    notice = _(
                        "Thank you: your request %(name)s is sent to %(volunteer)s, "
                        "who will accept or decline it.",
                        name=need.name,
                        volunteer=offer.member_id.partner_id.name,
                    )
                else:
                    notice = _(
                        "Thank you: your request %(name)s is registered. The "
                        "volunteers of your time bank can see it now.",
                        name=need.name,
                    )
                self._timebank_notify(notice)
                return request.redirect(REQUESTS_URL)
        elif not persons:
            error = self._timebank_not_member_message()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_request_new",
                "persons": persons,
                "item_groups": self._timebank_need_items(persons),
                "several_banks": len(persons.company_id) > 1,
                "home_address": len(persons) == 1 and self._timebank_home(persons),
                "urgencies": request.env["timebank.request"]
                ._fields["urgency"]
                ._description_selection(request.env),
                "window_rows": range(WINDOW_ROWS),
                "offer": offer,
                "offer_volunteer": offer and offer.member_id.partner_id.name,
                # what was typed comes back only from the form itself, never
                # from a link (the service of a booked offer is chosen already)
                "post": post
                if request.httprequest.method == "POST"
                else {"item_id": post.get("item_id")}
                if offer
                else {},
                "error": error,
            }
        )
        return request.render("timebank_matching.portal_request_new", values)

    @staticmethod
    def _timebank_not_member_message():
        return _(
            "You are not a member of a time bank yet, and nobody named you as their "
            "proxy. Please call your time bank to register."
        )

    @staticmethod
    def _timebank_home(member):
        """The home address of ``member`` on one line, as the request takes it."""
        return request.env["timebank.request"]._place_of(member.sudo().partner_id) or ""

    def _timebank_need_persons(self):
        """The memberships the user may register a need for: their own, then
        those of the persons who named them proxy, with consent, and let them
        request services.

        Sudo because a proxy who may request but not see reads neither the
        membership nor the contact of the person they act for.
        """
        Member = request.env["timebank.member"]
        return Member.sudo().search(
            [("partner_id", "=", request.env.user.partner_id.id)]
        ) | Member.sudo().search(Member._timebank_proxy_domain("request"))

    @staticmethod
    def _timebank_need_items(persons):
        """(category, items) of the services of the persons' banks and the
        shared ones, in catalog order."""
        if not persons:
            return []
        items = (
            request.env["timebank.service.item"]
            .sudo()
            .search([("company_id", "in", [False, *persons.company_id.ids])])
        )
        return [
            (category, items.browse([item.id for item in group]))
            for category, group in groupby(items, key=lambda item: item.category_id)
        ]

    @staticmethod
    def _timebank_bookable_offer(offer_id, persons):
        """The published offer of one of the persons' banks that ``offer_id``
        (from the form) names, read as the bank; None for anything else."""
        if not (offer_id and str(offer_id).isdecimal()):
            return None
        offer = request.env["timebank.offer"].sudo().browse(int(offer_id)).exists()
        if offer.state != "published" or offer.company_id not in persons.company_id:
            return None
        return offer

    def _timebank_register_need(self, persons, post, offer=None):
        """Read the form and register the need; a UserError says what is wrong."""
        if not persons:
            raise UserError(self._timebank_not_member_message())
        Member = request.env["timebank.member"]
        member_id = post.get("member_id")
        member = (
            # isdecimal, not isdigit: int() refuses digits such as "²"
            Member.browse(int(member_id))
            if member_id and member_id.isdecimal()
            else None
        )
        if member is None and len(persons) == 1:
            member = Member.browse(persons.id)
        if member is None or not member.sudo().exists():
            raise UserError(_("Choose who needs help."))
        item_id = post.get("item_id")
        item = request.env["timebank.service.item"].sudo()
        if not (item_id and item_id.isdecimal() and item.browse(int(item_id)).exists()):
            raise UserError(_("Choose the service you need."))
        item = item.browse(int(item_id))
        tz = member.sudo().partner_id.tz or request.env.user.tz or "UTC"
        urgencies = dict(request.env["timebank.request"]._fields["urgency"].selection)
        vals = {
            "tz": tz,
            "urgency": post.get("urgency") if post.get("urgency") in urgencies else "0",
            "description": (post.get("description") or "").strip(),
        }
        place = (post.get("place") or "").strip()
        if place:
            vals["place"] = place
        return request.env["timebank.request"]._register_need(
            member, item, self._timebank_windows(post, tz), offer=offer, **vals
        )

    @staticmethod
    def _timebank_windows(post, tz):
        """The preferred times of the form, typed in ``tz``, as naive UTC."""
        zone = pytz.timezone(tz)
        windows = []
        for row in range(WINDOW_ROWS):
            day, start, end = (
                (post.get(f"window_{row}_{part}") or "").strip()
                for part in ("date", "from", "to")
            )
            if not (day or start or end):
                continue
            try:
                begin, finish = (
                    zone.localize(datetime.strptime(f"{day} {time}", "%Y-%m-%d %H:%M"))
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                    for time in (start, end)
                )
            except ValueError:
                raise UserError(
                    _(
                        "Fill in the day, the time from and the time to of each time "
                        "you need help."
                    )
                ) from None
            windows.append((begin, finish))
        return windows

    @http.route(OFFERS_URL, type="http", auth="user", website=True)
    def portal_timebank_offers(self, **kw):
        """The standing offers of the user's banks, to book one."""
        persons = self._timebank_need_persons()
        if not persons:
            return request.redirect("/my")
        partner = request.env.user.partner_id
        offers = (
            request.env["timebank.offer"]
            .sudo()
            .search(
                [
                    ("state", "=", "published"),
                    ("company_id", "in", persons.company_id.ids),
                    ("member_id.state", "=", "active"),
                    ("member_id.partner_id", "!=", partner.id),
                ]
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_offers",
                "offers": offers,
                # the name a neighbour knows, never the contact
                "volunteers": {o.id: o.member_id.partner_id.name for o in offers},
                "weekdays": dict(
                    request.env["timebank.offer.slot"]
                    ._fields["weekday"]
                    ._description_selection(request.env)
                ),
            }
        )
        return request.render("timebank_matching.portal_my_offers", values)

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
