from odoo import _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PER_PAGE = 20
# the largest id PostgreSQL stores in an integer column
MAX_ID = 2**31 - 1


def record_id(value):
    """The id a client gave in a query parameter or a form, else 0: a value
    that is not a whole number (``abc``, ``1.5``, ``²``) names no record."""
    value = (value if isinstance(value, str) else "").strip()
    if not value.isdecimal():
        return 0
    number = int(value)
    return number if number <= MAX_ID else 0


class TimebankDisputePortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "timebank_dispute_count" in counters:
            Dispute = request.env["timebank.dispute"]
            values["timebank_dispute_count"] = (
                Dispute.search_count([]) if Dispute.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/disputes", "/my/disputes/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_disputes(self, page=1, **kw):
        # from the path a number, from a query string any text
        page = page if isinstance(page, int) else record_id(page) or 1
        Dispute = request.env["timebank.dispute"]
        if not Dispute.has_access("read"):
            return request.redirect("/my")
        count = Dispute.search_count([])
        pager = portal_pager(url="/my/disputes", total=count, page=page, step=PER_PAGE)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_dispute",
                "disputes": Dispute.search(
                    [], order="id desc", limit=PER_PAGE, offset=pager["offset"]
                ),
                "pager": pager,
                "default_url": "/my/disputes",
            }
        )
        return request.render("timebank_cooperative.portal_my_disputes", values)

    @http.route(
        "/my/disputes/<int:dispute_id>", type="http", auth="public", website=True
    )
    def portal_my_dispute(self, dispute_id, access_token=None, **kw):
        try:
            dispute_sudo = self._document_check_access(
                "timebank.dispute", dispute_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            dispute_sudo,
            access_token,
            {"page_name": "timebank_dispute", "dispute": dispute_sudo},
            "my_disputes_history",
            False,
            **kw,
        )
        return request.render("timebank_cooperative.portal_my_dispute", values)

    def _dispute_exchange(self, exchange_id):
        """The service, if the user gave it, received it or confirms for the
        receiver as proxy; and how the user stands to it."""
        exchange = request.env["timebank.exchange"].browse(record_id(exchange_id))
        if not exchange:
            return exchange, None
        try:
            exchange.check_access("read")
        except (AccessError, MissingError):
            return exchange.browse(), None
        partner = request.env.user.partner_id
        sudoed = exchange.sudo()
        if sudoed.provider_id.partner_id == partner:
            return exchange, "provider"
        if sudoed.receiver_id.partner_id == partner:
            return exchange, "receiver"
        if sudoed.receiver_id.partner_id.timebank_proxy_id == partner:
            return exchange, "proxy"
        return exchange.browse(), None

    @http.route(
        "/my/disputes/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_dispute_new(self, exchange_id=None, **post):
        exchange, role = self._dispute_exchange(exchange_id)
        if not exchange:
            return request.not_found()
        categories = request.env["timebank.dispute"]._fields["category"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_dispute",
                "exchange": exchange,
                "categories": categories._description_selection(request.env),
                "error": None,
            }
        )
        if request.httprequest.method == "POST":
            name = (post.get("name") or "").strip()
            description = (post.get("description") or "").strip()
            category = post.get("category")
            if (
                not name
                or not description
                or category not in dict(values["categories"])
            ):
                values["error"] = _(
                    "Say what happened: a subject, a category and a description."
                )
                return request.render("timebank_cooperative.portal_dispute_new", values)
            sudoed = exchange.sudo()
            # the member concerned is the other party of the service
            concerned = sudoed.receiver_id if role == "provider" else sudoed.provider_id
            dispute = (
                request.env["timebank.dispute"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "description": description,
                        "category": category,
                        "exchange_id": exchange.id,
                        "member_id": concerned.id,
                        "company_id": sudoed.company_id.id,
                        "partner_id": request.env.user.partner_id.id,
                        "raised_as": "proxy" if role == "proxy" else "member",
                    }
                )
            )
            dispute.message_subscribe(partner_ids=request.env.user.partner_id.ids)
            return request.redirect(f"/my/disputes/{dispute.id}")
        return request.render("timebank_cooperative.portal_dispute_new", values)
