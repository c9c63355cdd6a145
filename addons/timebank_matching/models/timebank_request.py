import logging
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_datetime, split_every

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.timebank_core.models.timebank_exchange import INTAKE_CHANNELS

from .timebank_matching_engine import FACTORS

_logger = logging.getLogger(__name__)

# requests ranked together by one background job of Find Candidates
MATCH_JOB_SIZE = 100

URGENCIES = [
    ("0", "Normal"),
    ("1", "Soon"),
    ("2", "Urgent"),
]
STATES = [
    ("draft", "Draft"),
    ("published", "Published"),
    ("claimed", "Claimed"),
    ("assigned", "Assigned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
TAKEN = ("claimed", "assigned")
# the volunteer sees the address of the need while it is theirs
PROVIDER_SEES_ADDRESS = ("claimed", "assigned", "done")
BROKER = "timebank_core.group_timebank_broker"
# passed by create() to itself once it checked what the client gave: the
# reference it then adds is not the client's (a client cannot send this object)
CHECKED = object()
# set by the actions of the request (and the care plan for its visits) only
WORKFLOW_FIELDS = (
    "name",
    "state",
    "provider_id",
    "date_assigned",
    "exchange_id",
    "care_plan_id",
    "visit_date",
    "check_in",
    "check_out",
    "missed",
    "offer_id",
)


class TimebankRequest(models.Model):
    _name = "timebank.request"
    _description = "Time Bank Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "timebank.workflow.mixin",
    ]
    _check_company_auto = True
    _order = "urgency desc, date_from, id desc"
    _workflow_records_key = "requests"
    _guarded_fields = WORKFLOW_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    member_id = fields.Many2one(
        "timebank.member",
        string="For",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The member who needs the service and receives it.",
    )
    partner_id = fields.Many2one(
        related="member_id.partner_id", string="Person", store=True, index=True
    )
    registered_by_id = fields.Many2one(
        "res.partner",
        default=lambda self: self.env.user.partner_id,
        help="The member, their proxy or the broker who registered the need.",
    )
    intake_channel = fields.Selection(
        INTAKE_CHANNELS,
        string="Need Registered By",
        required=True,
        default="phone",
        help="How the need reached the time bank.",
    )
    item_id = fields.Many2one(
        "timebank.service.item",
        string="Service",
        required=True,
        tracking=True,
        check_company=True,
    )
    skill_ids = fields.Many2many(
        "timebank.skill",
        "timebank_request_skill_rel",
        "request_id",
        "skill_id",
        string="Skills Needed",
        compute="_compute_skill_ids",
        store=True,
        readonly=False,
    )
    description = fields.Text()
    urgency = fields.Selection(URGENCIES, default="0", required=True, tracking=True)
    window_ids = fields.One2many(
        "timebank.request.window",
        "request_id",
        string="Preferred Times",
        copy=True,
    )
    date_from = fields.Datetime(
        string="Earliest", compute="_compute_dates", store=True, index=True
    )
    date_deadline = fields.Datetime(
        string="Latest",
        compute="_compute_dates",
        store=True,
        index=True,
        help="End of the last preferred time window: a published request expires "
        "after it.",
    )
    duration = fields.Float(
        string="Expected Duration", default=1.0, help="Expected hours of service."
    )
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        compute="_compute_tz",
        store=True,
        readonly=False,
        help="Time zone of the members' weekly availabilities.",
    )
    area = fields.Char(
        compute="_compute_address",
        store=True,
        readonly=False,
        help="Neighbourhood or district of the need, which every member who may "
        "take it sees.",
    )
    # where the service takes place: for the brokers; the others read it
    # through place, latitude and longitude when they may
    address = fields.Char(
        compute="_compute_address",
        store=True,
        readonly=False,
        groups=BROKER,
        help="Where the service takes place: the home of the person in need "
        "unless another place was given.",
    )
    address_latitude = fields.Float(
        compute="_compute_address",
        store=True,
        readonly=False,
        digits=(10, 7),
        groups=BROKER,
    )
    address_longitude = fields.Float(
        compute="_compute_address",
        store=True,
        readonly=False,
        digits=(10, 7),
        groups=BROKER,
    )
    place = fields.Char(
        compute="_compute_place",
        inverse="_inverse_place",
        help="The address of the need, for the person in need, their proxy, the "
        "brokers, and the volunteer once the request is theirs; empty for the "
        "other members, who see the area.",
    )
    latitude = fields.Float(
        compute="_compute_latitude", inverse="_inverse_latitude", digits=(10, 7)
    )
    longitude = fields.Float(
        compute="_compute_longitude", inverse="_inverse_longitude", digits=(10, 7)
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    provider_id = fields.Many2one(
        "timebank.member",
        string="Volunteer",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        check_company=True,
    )
    date_assigned = fields.Datetime(readonly=True, copy=False)
    candidate_ids = fields.One2many(
        "timebank.request.candidate", "request_id", string="Candidates", copy=False
    )
    candidate_count = fields.Integer(compute="_compute_candidate_count")
    exchange_id = fields.Many2one(
        "timebank.exchange", string="Service Record", readonly=True, copy=False
    )
    outcome = fields.Selection(
        [
            ("met", "Met"),
            ("in_progress", "In progress"),
            ("unmet", "Unmet"),
            ("not_published", "Not published"),
        ],
        compute="_compute_outcome",
        store=True,
        help="Met: the service that came out of the need is posted. Unmet: the need "
        "was cancelled or expired, or its service was rejected or cancelled. In "
        "progress: published, taken or assigned, or its service not posted yet.",
    )
    care_plan_id = fields.Many2one(
        "timebank.care.plan", readonly=True, index="btree_not_null", copy=False
    )
    visit_date = fields.Date(readonly=True, copy=False)
    check_in = fields.Datetime(readonly=True, copy=False, tracking=True)
    check_out = fields.Datetime(readonly=True, copy=False, tracking=True)
    missed = fields.Boolean(
        string="Missed Visit",
        readonly=True,
        copy=False,
        help="Nobody checked in for this visit: the broker was alerted.",
    )
    reason = fields.Text(copy=False, tracking=True, help="Why it was cancelled.")
    offer_id = fields.Many2one(
        "timebank.offer",
        string="Booked Offer",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="The standing offer this request was booked with: only the member "
        "who offers it may take it, or decline.",
    )
    booked_member_id = fields.Many2one(
        "timebank.member",
        string="Booked Volunteer",
        related="offer_id.member_id",
        store=True,
        index="btree_not_null",
    )

    @api.depends("state", "exchange_id.state")
    def _compute_outcome(self):
        for request in self:
            service = request.exchange_id.state
            if request.state == "draft":
                request.outcome = "not_published"
            elif request.state in ("cancelled", "expired") or service in (
                "rejected",
                "cancelled",
            ):
                request.outcome = "unmet"
            elif request.state == "done" and service == "posted":
                request.outcome = "met"
            else:
                request.outcome = "in_progress"

    @api.depends("item_id")
    def _compute_skill_ids(self):
        for request in self:
            request.skill_ids = request.item_id.skill_ids

    @api.depends("window_ids.date_from", "window_ids.date_to")
    def _compute_dates(self):
        for request in self:
            request.date_from = min(
                request.window_ids.mapped("date_from"), default=False
            )
            request.date_deadline = max(
                request.window_ids.mapped("date_to"), default=False
            )

    @api.depends("member_id")
    def _compute_tz(self):
        """The time zone of the person in need, else of whoever registers it."""
        for request in self:
            request.tz = (
                request.member_id.partner_id.tz
                or request.tz
                or self.env.user.tz
                or "UTC"
            )

    @api.model
    def _place_of(self, partner):
        """The home address of ``partner`` on one line (the place is a single
        line of text), else their service area."""
        address = partner._display_address(without_company=True)
        lines = (line.strip(" ,") for line in address.splitlines())
        return ", ".join(line for line in lines if line) or (
            partner.timebank_service_area or False
        )

    @api.depends("member_id")
    def _compute_address(self):
        for request in self:
            partner = request.member_id.partner_id
            request.area = partner.timebank_service_area or partner.city or False
            request.address = request._place_of(partner)
            request.address_latitude = partner.partner_latitude
            request.address_longitude = partner.partner_longitude

    def _may_see_address(self):
        """The requests of ``self`` whose address the current user may see:
        all for a broker; for a member, those they need or act for as proxy,
        and those they took as volunteer."""
        if self.env.su or self._is_broker():
            return self
        partner = self.env.user.partner_id
        requests = self.sudo()
        acting_for = requests.member_id._timebank_proxy_allows(
            "request"
        ) | requests.member_id._timebank_proxy_allows("view")
        return self.browse(
            requests.filtered(
                lambda r: (
                    r.member_id.partner_id == partner
                    or r.member_id in acting_for
                    or (
                        r.state in PROVIDER_SEES_ADDRESS
                        and r.provider_id.partner_id == partner
                    )
                )
            ).ids
        )

    def _show_address(self, shown, stored, hidden):
        """``shown`` is ``stored`` for whoever may see the address, else
        ``hidden``."""
        allowed = self._may_see_address()
        for request, sudoed in zip(self, self.sudo(), strict=True):
            request[shown] = sudoed[stored] if request in allowed else hidden

    @api.depends("address", "state", "provider_id", "member_id")
    @api.depends_context("uid")
    def _compute_place(self):
        self._show_address("place", "address", False)

    @api.depends("address_latitude", "state", "provider_id", "member_id")
    @api.depends_context("uid")
    def _compute_latitude(self):
        self._show_address("latitude", "address_latitude", 0.0)

    @api.depends("address_longitude", "state", "provider_id", "member_id")
    @api.depends_context("uid")
    def _compute_longitude(self):
        self._show_address("longitude", "address_longitude", 0.0)

    def _inverse_place(self):
        for request in self:
            request.address = request.place

    def _inverse_latitude(self):
        for request in self:
            request.address_latitude = request.latitude

    def _inverse_longitude(self):
        for request in self:
            request.address_longitude = request.longitude

    def _compute_candidate_count(self):
        for request in self:
            request.candidate_count = len(request.candidate_ids)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for request in self:
            request.access_url = "/my/timebank/requests"
        return result

    @api.depends("name", "item_id.name", "member_id.partner_id.name")
    def _compute_display_name(self):
        # whoever may see the request may see whom it is for
        for request, sudoed in zip(self, self.sudo(), strict=True):
            request.display_name = " - ".join(
                part
                for part in (
                    request.name if request.name != "/" else "",
                    sudoed.item_id.name,
                    sudoed.member_id.partner_id.name,
                )
                if part
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded_create(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("timebank.request")
                    or "/"
                )
        # checked above, before the reference was added
        return (
            super(TimebankRequest, self.with_context(timebank_request_checked=CHECKED))
            .create(vals_list)
            .with_env(self.env)
        )

    def _check_guarded_create(self, vals_list):
        if self.env.context.get("timebank_request_checked") is CHECKED:
            return
        super()._check_guarded_create(vals_list)

    def _guarded_hint(self):
        return _(
            "A request moves with its buttons (Publish, Claim, Assign, Check In, "
            "Check Out, Done, Release, Cancel, Back to Draft), which set its "
            "volunteer, its times and its service record; care plans create "
            "their visits."
        )

    # ------------------------------------------------------------------ rules
    def _check_broker(self):
        if not self._is_broker():
            raise AccessError(_("Only a broker does this for a request."))

    def _check_provider(self, member):
        """The hard filters of the matching engine, for one volunteer."""
        self.ensure_one()
        member = member.sudo()
        if member.company_id != self.company_id:
            raise UserError(
                _(
                    "%(member)s is not a member of %(bank)s.",
                    member=member.display_name,
                    bank=self.company_id.name,
                )
            )
        if member.state != "active":
            raise UserError(
                _(
                    "%(member)s is not an active member and cannot take a request.",
                    member=member.display_name,
                )
            )
        if member == self.member_id or member.partner_id == self.member_id.partner_id:
            raise UserError(
                _(
                    "%(member)s asked for this service and cannot provide it to "
                    "themselves.",
                    member=member.display_name,
                )
            )
        if (
            self.item_id.requires_background_check
            and not member.has_valid_background_check
        ):
            raise UserError(
                _(
                    "%(item)s needs a valid background check, which %(member)s does "
                    "not have.",
                    item=self.item_id.name,
                    member=member.display_name,
                )
            )
        refusals = self._provider_refusals(member)
        if refusals:
            raise UserError("\n".join(refusals))

    def _provider_refusals(self, member):
        """Why ``member`` may not provide this request, beyond the rules above:
        one sentence per reason, none by default.

        Addons that add hard filters to the engine
        (``timebank.matching.engine._allowed_members``) refuse here the members
        those filters leave out, with a message that says what is missing.
        """
        self.ensure_one()
        return []

    def _lock(self):
        """Lock the rows: concurrent claims and assignments wait for each other."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_request WHERE id IN %s FOR NO KEY UPDATE",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["state", "provider_id"])

    def _is_provider(self):
        self.ensure_one()
        return self.sudo().provider_id.partner_id == self.env.user.partner_id

    # ------------------------------------------------------------------ actions
    def action_publish(self):
        self._check_state(
            ("draft",), _("Only a draft can be published: %(requests)s is %(state)s.")
        )
        self._check_broker_or_requester()
        now = fields.Datetime.now()
        for request in self:
            if request.sudo().member_id.state != "active":
                raise UserError(
                    _(
                        "%(member)s is not an active member: activate the membership "
                        "before publishing their request.",
                        member=request.sudo().member_id.display_name,
                    )
                )
            if not request.window_ids:
                raise UserError(
                    _(
                        "%(request)s: add at least one preferred time before "
                        "publishing.",
                        request=request.display_name,
                    )
                )
            if request.date_deadline <= now:
                raise UserError(
                    _(
                        "%(request)s: every preferred time is already past.",
                        request=request.display_name,
                    )
                )
        for request in self.filtered("offer_id"):
            # still bookable as it was booked: the offer may have closed, the
            # service changed or the volunteer lost what the service requires
            request._check_bookable(request.sudo().offer_id)
        self.sudo()._guarded_write({"state": "published"})
        self._notify_booking()
        return True

    def _check_broker_or_requester(self):
        if self._is_broker() or self.env.su:
            return
        partner = self.env.user.partner_id
        requests = self.sudo()
        acting_for = requests.member_id._timebank_proxy_allows("request")
        for request in requests:
            if not (
                request.member_id.partner_id == partner
                or request.member_id in acting_for
            ):
                raise AccessError(
                    _(
                        "Only the member, their proxy or a broker manages %(request)s.",
                        request=request.display_name,
                    )
                )

    def action_find_candidates(self):
        """Rank the candidates of each request and keep the best ones."""
        self._check_broker()
        self._check_state(
            ("draft", "published", "claimed", "assigned"),
            _("%(requests)s is %(state)s: there is nobody left to find."),
        )
        ranking = self.env["timebank.matching.engine"]._rank(
            self, max(self.company_id.mapped("timebank_candidate_count"))
        )
        Candidate = self.env["timebank.request.candidate"].sudo()
        Candidate.search([("request_id", "in", self.ids)]).unlink()
        Engine = self.env["timebank.matching.engine"]
        vals_list = []
        for request, rows in ranking.items():
            limit = request.company_id.timebank_candidate_count
            for rank, row in enumerate(rows[:limit], start=1):
                vals = {
                    "request_id": request.id,
                    "member_id": row["member_id"],
                    "rank": rank,
                    "score": row["score"],
                    "distance_km": row["distance_km"] or 0.0,
                    "has_distance": row["distance_km"] is not None,
                    "explanation": Engine._explain(row, request.company_id),
                }
                vals.update({f"{factor}_score": row[factor] for factor in FACTORS})
                vals_list.append(vals)
        Candidate._guarded_create(vals_list)
        return True

    def action_find_candidates_background(self):
        """Find Candidates for many requests: in background jobs of
        ``MATCH_JOB_SIZE`` requests each, ranked in one batch per job."""
        self._check_broker()
        self._check_state(
            ("draft", "published", "claimed", "assigned"),
            _("%(requests)s is %(state)s: there is nobody left to find."),
        )
        for chunk in split_every(MATCH_JOB_SIZE, self.ids, self.browse):
            chunk.with_delay(
                description=_("Find candidates for %s requests", len(chunk))
            )._job_find_candidates()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _(
                    "The candidates of %s requests are being found in the "
                    "background; you are told of any that fails.",
                    len(self),
                ),
                "type": "info",
            },
        }

    def _job_find_candidates(self):
        """Job: rank the candidates of these requests in one batch; when the
        batch fails, each request alone, so that one failing request (no
        longer open, say) does not stop the others. The failures go on each
        request and to the user who asked."""
        try:
            with self.env.cr.savepoint():
                self.action_find_candidates()
            return _("Candidates found for %s requests.", len(self))
        except (UserError, ValidationError, AccessError) as error:
            _logger.info(
                "Batch of %s requests failed, one by one: %s", len(self), error
            )
        failed = {}
        for request in self:
            try:
                with self.env.cr.savepoint():
                    request.action_find_candidates()
            except (UserError, ValidationError, AccessError) as error:
                failed[request] = error.args[0] if error.args else str(error)
        for request, reason in failed.items():
            request.sudo().message_post(body=_("Finding candidates failed: %s", reason))
        if failed:
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=self.env.user.partner_id.ids,
                subject=_("Finding candidates failed for %s requests", len(failed)),
                body=_(
                    "Candidates found for %(done)s of %(total)s requests. "
                    "Failed: %(failed)s",
                    done=len(self) - len(failed),
                    total=len(self),
                    failed="; ".join(
                        f"{request.display_name}: {reason}"
                        for request, reason in failed.items()
                    ),
                ),
            )
        return _(
            "Candidates found for %(done)s of %(total)s requests, %(failed)s failed.",
            done=len(self) - len(failed),
            total=len(self),
            failed=len(failed),
        )

    def action_notify_top(self):
        """Tell the top candidates: e-mail and portal, or a phone call to make."""
        self.ensure_one()
        self._check_broker()
        self._check_state(
            ("published",),
            _("Only a published request can be offered: %(requests)s is %(state)s."),
        )
        if self.offer_id:
            raise UserError(
                _(
                    "%(request)s is booked with the offer of %(name)s: it is offered "
                    "to nobody else unless they decline.",
                    request=self.display_name,
                    name=self.sudo().booked_member_id.partner_id.name,
                )
            )
        if not self.candidate_ids:
            self.action_find_candidates()
        top = self.candidate_ids.sorted("rank")[: self.company_id.timebank_notify_count]
        to_write = top.filtered(
            lambda c: (
                c.member_id.partner_id.email
                and c.member_id.contact_channel not in ("phone", "in_person")
            )
        )
        to_call = top - to_write
        if to_write:
            self.message_post(
                body=_(
                    "A neighbour needs help: %(request)s. You can claim it on your "
                    "time bank page.",
                    request=self.display_name,
                ),
                partner_ids=to_write.member_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for candidate in to_call:
            partner = candidate.member_id.partner_id
            self.activity_schedule(
                "mail.mail_activity_data_call",
                user_id=self.env.uid,
                summary=_("Call %(name)s", name=partner.name),
                note=_(
                    "Ask %(name)s (%(phone)s) whether they can take %(request)s.",
                    name=partner.name,
                    phone=partner.phone or partner.mobile or _("no phone number"),
                    request=self.display_name,
                ),
            )
        top.sudo()._guarded_write({"notified": True})
        # said at once to the broker who pressed the button
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(written)s told by e-mail and on their page; %(calls)s to "
                    "call (see the activities).",
                    written=len(to_write),
                    calls=len(to_call),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ booking
    def action_book_offer(self, offer):
        """Address a draft request to a standing offer (a record or its id):
        when published, only the member who offers it may take it, or decline.
        The member, their proxy or a broker books."""
        self.ensure_one()
        self.check_access("read")
        self._check_state(
            ("draft",), _("Only a draft can be booked: %(requests)s is %(state)s.")
        )
        self._check_broker_or_requester()
        Offer = self.env["timebank.offer"].sudo()
        if isinstance(offer, models.BaseModel):
            offer = Offer.browse(offer.ids[:1]) if offer._name == Offer._name else None
        elif isinstance(offer, int) and not isinstance(offer, bool) and offer > 0:
            offer = Offer.browse(offer).exists()
        else:
            offer = None
        self._check_bookable(offer)
        self.sudo()._guarded_write({"offer_id": offer.id})
        return True

    def _check_bookable(self, offer):
        """``offer`` (read as the bank, or None) may be booked for this request:
        published, of the request's bank and service, by a member who may
        provide it."""
        self.ensure_one()
        request = self.sudo()
        if (
            not offer
            or offer.state != "published"
            or (offer.company_id != request.company_id)
        ):
            raise UserError(
                _(
                    "Choose one of the published offers of %(bank)s to book.",
                    bank=request.company_id.name,
                )
            )
        if offer.item_id and request.item_id and offer.item_id != request.item_id:
            raise UserError(
                _(
                    "%(name)s offers %(offered)s, not %(asked)s: book an offer of "
                    "the service you need.",
                    name=offer.member_id.partner_id.name,
                    offered=offer.item_id.name,
                    asked=request.item_id.name,
                )
            )
        self._check_provider(offer.member_id)

    def _notify_booking(self):
        """Tell the member whose offer was booked: e-mail and portal, or a phone
        call for the broker to make."""
        for request in self.sudo().filtered("offer_id"):
            volunteer = request.booked_member_id
            partner = volunteer.partner_id
            request.message_subscribe(partner_ids=partner.ids)
            if partner.email and volunteer.contact_channel not in (
                "phone",
                "in_person",
            ):
                request.message_post(
                    body=_(
                        "%(person)s booked your offer %(offer)s: %(request)s. Accept "
                        "or decline it on your time bank page.",
                        person=request.member_id.partner_id.name,
                        offer=request.offer_id.name,
                        request=request.display_name,
                    ),
                    partner_ids=partner.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            else:
                request.activity_schedule(
                    "mail.mail_activity_data_call",
                    user_id=request.company_id._timebank_broker().id,
                    summary=_("Call %(name)s", name=partner.name),
                    note=_(
                        "%(person)s booked the offer %(offer)s of %(name)s "
                        "(%(phone)s): ask whether they accept %(request)s.",
                        person=request.member_id.partner_id.name,
                        offer=request.offer_id.name,
                        name=partner.name,
                        phone=partner.phone or partner.mobile or _("no phone number"),
                        request=request.display_name,
                    ),
                )

    def action_decline_booking(self, reason=None):
        """The member whose offer was booked cannot take the request: it returns
        to its requester as a draft, to publish for everyone or book again."""
        self.ensure_one()
        # read as the user first: a broker of another bank reads nothing here
        self.check_access("read")
        request = self.sudo()
        if not request.offer_id:
            raise UserError(
                _(
                    "%(request)s is not booked with an offer: there is nothing to "
                    "decline.",
                    request=self.display_name,
                )
            )
        volunteer = request.booked_member_id
        if not (
            self._is_broker()
            or self.env.su
            or volunteer.partner_id == self.env.user.partner_id
        ):
            raise AccessError(
                _(
                    "Only %(name)s, whose offer was booked, or a broker declines "
                    "%(request)s.",
                    name=volunteer.partner_id.name,
                    request=self.display_name,
                )
            )
        self._check_state(
            ("published",),
            _(
                "Only a booked request still waiting for an answer can be "
                "declined: %(requests)s is %(state)s."
            ),
        )
        if reason is not None and not isinstance(reason, str):
            raise UserError(_("Say why in words, or give no reason."))
        request._guarded_write({"state": "draft", "offer_id": False})
        requester = request.member_id.partner_id
        body = _(
            "%(name)s cannot take this request. Publish it for every volunteer, or "
            "book another offer.",
            name=volunteer.partner_id.name,
        )
        if reason and reason.strip():
            body = _(
                "%(body)s Their reason: %(reason)s", body=body, reason=reason.strip()
            )
        request.message_post(
            body=body,
            partner_ids=requester.ids if requester.email else [],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def action_claim(self):
        """A member takes a published request. Exactly one of many racing wins.

        Any member of the bank may claim: the membership is the access check,
        so that the one who lost a race reads why rather than an access error.
        """
        self.ensure_one()
        request = self.sudo()
        member = request.member_id.search(
            [
                ("partner_id", "=", self.env.user.partner_id.id),
                ("company_id", "=", request.company_id.id),
            ],
            limit=1,
        )
        if not member:
            raise UserError(
                _(
                    "You are not a member of %(bank)s and cannot claim its requests.",
                    bank=request.company_id.name,
                )
            )
        request._lock()
        if request.state != "published":
            raise UserError(
                _(
                    "Sorry, %(request)s is no longer open: another volunteer has "
                    "already taken it.",
                    request=request.display_name,
                )
            )
        if request.offer_id and request.booked_member_id != member:
            raise UserError(
                _(
                    "%(request)s is booked with the offer of %(name)s: only they "
                    "can take it.",
                    request=request.display_name,
                    name=request.booked_member_id.partner_id.name,
                )
            )
        request._check_provider(member)
        request._take(member, "claimed")
        return True

    def action_assign(self, member):
        """A broker gives the request to ``member`` (a membership or its id)."""
        self.ensure_one()
        self._check_broker()
        member = self._member_argument(member)
        self._lock()
        self._check_state(
            ("draft", "published", "claimed", "assigned"),
            _("%(requests)s is %(state)s and cannot be assigned."),
        )
        self._check_provider(member)
        self.sudo()._take(member, "assigned")
        return True

    def _member_argument(self, member):
        """The one membership of the request's bank that ``member`` names: a
        record from the code, an id from a client. Anything else is refused
        with a message, and so is an id that is not of a membership of the
        bank (without telling whose it is)."""
        Member = self.env["timebank.member"]
        if isinstance(member, models.BaseModel):
            if member._name == Member._name and len(member) == 1:
                return member
        elif isinstance(member, int) and not isinstance(member, bool) and member > 0:
            found = Member.sudo().browse(member).exists()
            if found.company_id == self.company_id:
                return Member.browse(found.id)
            raise UserError(
                _(
                    "%(id)s is not the id of a membership of %(bank)s.",
                    id=member,
                    bank=self.company_id.name,
                )
            )
        raise UserError(
            _(
                "Assign the request to one member: give the id of their "
                "membership, a whole number."
            )
        )

    def _take(self, member, state):
        vals = {
            "state": state,
            "provider_id": member.id,
            "date_assigned": fields.Datetime.now(),
        }
        if self.offer_id and self.booked_member_id != member:
            # given to someone else: no longer booked with that offer
            vals["offer_id"] = False
        self._guarded_write(vals)
        self.message_subscribe(partner_ids=member.partner_id.ids)
        self.message_post(
            body=_("%(member)s will provide this service.", member=member.display_name),
        )

    def action_release(self):
        """The volunteer cannot come after all: the request is open again."""
        self.ensure_one()
        self._check_state(
            TAKEN, _("Only a taken request can be released: %(requests)s is %(state)s.")
        )
        if not (self._is_broker() or self._is_provider()):
            raise AccessError(_("Only the volunteer or a broker releases a request."))
        # the next volunteer starts afresh
        self.sudo()._guarded_write(
            {
                "state": "published",
                "provider_id": False,
                "date_assigned": False,
                "check_in": False,
                "check_out": False,
            }
        )
        return True

    def action_check_in(self):
        return self._check_time("check_in")

    def action_check_out(self):
        return self._check_time("check_out")

    def _check_time(self, field):
        self.ensure_one()
        self._check_state(
            TAKEN,
            _("Only a taken request is checked in or out: %(requests)s is %(state)s."),
        )
        if not (self._is_broker() or self._is_provider()):
            raise AccessError(_("Only the volunteer or a broker checks in and out."))
        if field == "check_out" and not self.check_in:
            raise UserError(_("Check in first, then check out."))
        self.sudo()._guarded_write({field: fields.Datetime.now()})
        return True

    def action_done(self):
        """The visit took place: record the service, which the receiver confirms
        and a broker verifies and posts as usual."""
        self._check_state(
            TAKEN,
            _("Only a taken request can be done: %(requests)s is %(state)s."),
        )
        for request in self:
            if not (self._is_broker() or request._is_provider()):
                raise AccessError(_("Only the volunteer or a broker closes a request."))
            if not (request.check_in and request.check_out):
                raise UserError(
                    _(
                        "%(request)s: record when the service started and ended "
                        "(check in and out) first.",
                        request=request.display_name,
                    )
                )
            if request.check_out <= request.check_in:
                raise ValidationError(_("The service must end after it starts."))
        for request in self.sudo():
            exchange = (
                self.env["timebank.exchange"]
                .sudo()
                .create(
                    {
                        "company_id": request.company_id.id,
                        "provider_id": request.provider_id.id,
                        "receiver_id": request.member_id.id,
                        "item_id": request.item_id.id,
                        "date_start": request.check_in,
                        "date_end": request.check_out,
                        "place": request.address,
                        "description": request.description,
                        "intake_channel": request.intake_channel,
                    }
                )
            )
            # the workflow still checks that the user is the volunteer or a broker
            exchange.action_submit()
            request._guarded_write({"state": "done", "exchange_id": exchange.id})
        return True

    def action_cancel(self):
        """A broker cancels a need that is not done; the member or their proxy
        only one that nobody has taken yet (see ``action_withdraw``)."""
        self._check_state(
            ("draft", "published", "claimed", "assigned"),
            _("%(requests)s is %(state)s and cannot be cancelled."),
        )
        self._check_broker_or_requester()
        if not (self._is_broker() or self.env.su):
            self._check_not_taken()
        self.sudo()._guarded_write({"state": "cancelled"})
        return True

    def action_withdraw(self):
        """The member or their proxy cancels a need nobody has taken yet."""
        self._check_broker_or_requester()
        self._check_not_taken()
        return self.action_cancel()

    def _check_not_taken(self):
        self.sudo()._check_state(
            ("draft", "published"),
            _(
                "%(requests)s is %(state)s: a volunteer is already on the way. "
                "Please call your time bank to cancel it."
            ),
        )

    # ------------------------------------------------------------------ portal
    @api.model
    def _intake_channel_of(self, member):
        """How the current user may register a need of ``member``: ``portal``
        for the member themselves, ``proxy`` for their proxy with the recorded
        consent and the right to request, else False."""
        if member.sudo().partner_id == self.env.user.partner_id:
            return "portal"
        if member._timebank_proxy_allows("request"):
            return "proxy"
        return False

    @api.model
    def _register_need(self, member, item, windows, offer=None, **vals):
        """The member, or their proxy, registers a need and publishes it, as
        the member may (see ``action_publish``).

        ``windows`` are (start, end) pairs of naive UTC datetimes; ``offer``
        books a standing offer; ``vals`` may hold the place, urgency,
        description and time zone.
        """
        channel = self._intake_channel_of(member)
        if not channel:
            raise AccessError(
                _(
                    "You can ask for help only for yourself, or for a person who "
                    "agreed that you act for them as their proxy."
                )
            )
        member = member.sudo()
        if member.state != "active":
            raise UserError(
                _(
                    "The membership of %(person)s in %(bank)s is not active, so no "
                    "request can be registered now. Please call your time bank.",
                    person=member.partner_id.name,
                    bank=member.company_id.name,
                )
            )
        item = item.sudo()
        if not item.active or item.company_id not in (
            member.company_id,
            item.company_id.browse(),
        ):
            raise UserError(
                _(
                    "%(item)s is not a service of %(bank)s: choose one of the "
                    "services in the list.",
                    item=item.name,
                    bank=member.company_id.name,
                )
            )
        if not windows:
            raise UserError(_("Tell us at least one day and time when you need help."))
        now = fields.Datetime.now()
        tz = vals.get("tz") or "UTC"
        for start, end in windows:
            when = format_datetime(self.env, start, tz=tz, dt_format="short")
            if end <= start:
                raise ValidationError(
                    _(
                        "The time starting %(when)s ends before it starts: check the "
                        "hours.",
                        when=when,
                    )
                )
            if start <= now:
                raise ValidationError(
                    _(
                        "The time starting %(when)s is already past: choose a day "
                        "and time to come.",
                        when=when,
                    )
                )
        if vals.get("place"):
            # another place than home: the coordinates stay the member's, as
            # when a broker types the place
            vals = dict(
                vals,
                latitude=member.partner_id.partner_latitude,
                longitude=member.partner_id.partner_longitude,
            )
        request = self.sudo().create(
            dict(
                vals,
                company_id=member.company_id.id,
                member_id=member.id,
                item_id=item.id,
                intake_channel=channel,
                registered_by_id=self.env.user.partner_id.id,
                window_ids=[
                    Command.create({"date_from": start, "date_to": end})
                    for start, end in windows
                ],
            )
        )
        if offer:
            request.with_env(self.env).action_book_offer(offer)
        # published with the rights of the member or proxy, through its checks
        request.with_env(self.env).action_publish()
        return request.with_env(self.env)

    def action_draft(self):
        self._check_broker()
        self._check_state(
            ("cancelled", "expired"),
            _(
                "Only a cancelled or expired request returns to draft: %(requests)s "
                "is %(state)s."
            ),
        )
        self._guarded_write(
            {
                "state": "draft",
                "provider_id": False,
                "date_assigned": False,
                "check_in": False,
                "check_out": False,
                "missed": False,
            }
        )
        return True

    def action_view_exchange(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.exchange",
            "res_id": self.exchange_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_expire(self):
        """Published requests whose last preferred time has passed expire."""
        expired = self.sudo().search(
            [
                ("state", "=", "published"),
                ("date_deadline", "<", fields.Datetime.now()),
            ]
        )
        expired._guarded_write({"state": "expired"})
        return expired

    @api.model
    def _cron_missed_visits(self):
        """Care plan visits nobody checked in for: an activity for the broker."""
        now = fields.Datetime.now()
        candidates = self.sudo().search(
            [
                ("care_plan_id", "!=", False),
                ("state", "in", ("published", "claimed", "assigned", "expired")),
                ("check_in", "=", False),
                ("missed", "=", False),
                ("date_deadline", "<", now),
            ]
        )
        missed = candidates.filtered(
            lambda r: (
                r.date_deadline
                + timedelta(hours=r.company_id.timebank_missed_visit_hours)
                < now
            )
        )
        missed._guarded_write({"missed": True})
        for request in missed:
            plan = request.care_plan_id
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(plan.user_id or self.env.user).id,
                summary=_("Missed visit"),
                note=_(
                    "Nobody checked in for the visit of %(date)s to %(person)s "
                    "(care plan %(plan)s). Call the volunteer and the member.",
                    date=request.visit_date,
                    person=request.member_id.partner_id.name,
                    plan=plan.name,
                ),
            )
        return missed


class TimebankRequestWindow(models.Model):
    _name = "timebank.request.window"
    _description = "Preferred Time of a Request"
    _order = "date_from"

    request_id = fields.Many2one(
        "timebank.request", required=True, ondelete="cascade", index=True
    )
    date_from = fields.Datetime(string="From", required=True)
    date_to = fields.Datetime(string="To", required=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for window in self:
            if window.date_to <= window.date_from:
                raise ValidationError(_("A preferred time must end after it starts."))
