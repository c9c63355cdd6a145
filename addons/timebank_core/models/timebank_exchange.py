from collections import defaultdict
from datetime import timedelta

from markupsafe import escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from .timebank_account import format_minutes

INTAKE_CHANNELS = [
    ("home_visit", "Home visit"),
    ("walk_in", "Walk-in"),
    ("phone", "Phone"),
    ("proxy", "Through a proxy"),
    ("portal", "Portal"),
]
MAX_MINUTES = 24 * 60
# How the receiver agreed that the service took place.
CONFIRMATION_CHANNELS = [
    ("receiver", "By the receiver"),
    ("proxy", "By the receiver's proxy"),
    ("phone", "Phone call with the receiver"),
    ("sheet", "Sheet signed by the receiver"),
    ("in_person", "In person, with a broker"),
]
# a broker confirming for the receiver says how the receiver agreed
BROKER_CHANNELS = ("phone", "sheet", "in_person")
# moved by the workflow actions only, never written directly (also not over RPC)
# a one-off service at most five times the time worked, as the catalog's hardest
MAX_CASE_COEFFICIENT = 5.0

WORKFLOW_FIELDS = {
    "name",
    "state",
    "confirmed_by_id",
    "confirmed_by_user_id",
    "confirmation_channel",
    "confirmation_proof_ids",
    "verified_by_id",
    "entry_id",
    "posted_minutes",
    "coefficient",
    "cap_minutes",
    "case_coefficient",
    "case_rated_by_id",
    "case_rate_reason",
}
# a posted service stays as it was posted: only a broker's note is added to it
# (its proof stays as the broker verified it: the rule on attachment_ids)
POSTED_FROZEN_FIELDS = {
    "company_id",
    "provider_id",
    "receiver_id",
    "item_id",
    "date_start",
    "date_end",
    "place",
    "description",
    "intake_channel",
    "expense_note",
    "reason",
    "proof_waiver_reason",
}
# services that hold their provider's time
LIVE_STATES = ("draft", "submitted", "confirmed", "verified", "posted")
# Only the workflow's own steps pass this object in the context (RPC cannot): a
# step between live states changes nothing the overlap check looks at.
OVERLAP_UNCHANGED = object()
OVERLAP_KEY = "timebank_overlap_unchanged"
# written only by a broker (also over RPC): why a service is verified without
# proof, and the note added to a service after it is posted
BROKER_FIELDS = {"proof_waiver_reason", "broker_note"}


class TimebankExchange(models.Model):
    _name = "timebank.exchange"
    _description = "Time Bank Exchange"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.workflow.mixin"]
    _check_company_auto = True
    _order = "date_start desc, id desc"
    _workflow_records_key = "services"
    _guarded_fields = WORKFLOW_FIELDS

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    provider_id = fields.Many2one(
        "timebank.member",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The member who gave the service and earns the credits.",
    )
    receiver_id = fields.Many2one(
        "timebank.member",
        index=True,
        tracking=True,
        check_company=True,
        help="The member who received the service. Empty for a service to the "
        "community, paid by the community pool.",
    )
    item_id = fields.Many2one(
        "timebank.service.item",
        string="Service",
        required=True,
        tracking=True,
        check_company=True,
    )
    funding = fields.Selection(related="item_id.funding")
    category_id = fields.Many2one(
        related="item_id.category_id", store=True, string="Category", index=True
    )
    credit_hours = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Credited Hours",
        aggregator="sum",
        help="Credited minutes / 60, for reports.",
    )
    date_start = fields.Datetime(string="Start", required=True, tracking=True)
    date_end = fields.Datetime(string="End", required=True, tracking=True)
    coefficient = fields.Float(
        string="Difficulty Coefficient",
        digits=(4, 2),
        readonly=True,
        copy=False,
        aggregator=None,
        help="The item's coefficient, kept as it was when the service was "
        "confirmed: later changes of the catalog do not move it.",
    )
    cap_minutes = fields.Integer(
        string="Cap per Session",
        readonly=True,
        copy=False,
        aggregator=None,
        help="The item's cap when the service was confirmed; 0 means no cap.",
    )
    actual_minutes = fields.Integer(
        compute="_compute_minutes", store=True, string="Minutes Worked"
    )
    credit_minutes = fields.Integer(
        compute="_compute_minutes",
        store=True,
        string="Credited Minutes",
        help="Minutes worked x the difficulty coefficient, at most the cap per "
        "session.",
    )
    credit_display = fields.Char(string="Credits (h:mm)", compute="_compute_display")
    place = fields.Char()
    description = fields.Text()
    intake_channel = fields.Selection(
        INTAKE_CHANNELS,
        string="Need Registered By",
        default="phone",
        help="How the need reached the time bank.",
    )
    expense_note = fields.Char(
        string="Out-of-pocket Costs",
        help="Bus fare, materials...: noted here and settled in money outside the "
        "time bank, never paid in credits.",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Proof (photos)")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("confirmed", "Confirmed"),
            ("verified", "Verified"),
            ("posted", "Posted"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    confirmed_by_id = fields.Many2one("res.partner", readonly=True, copy=False)
    confirmed_by_user_id = fields.Many2one(
        "res.users",
        string="Confirmed by User",
        readonly=True,
        copy=False,
        help="The user who pressed Confirm: the receiver, the proxy or a broker.",
    )
    confirmation_channel = fields.Selection(
        CONFIRMATION_CHANNELS,
        string="Receiver Agreed",
        readonly=True,
        copy=False,
        help="How the receiver agreed that the service took place.",
    )
    confirmation_proof_ids = fields.Many2many(
        "ir.attachment",
        "timebank_exchange_confirmation_proof_rel",
        "exchange_id",
        "attachment_id",
        string="Proof of Agreement",
        readonly=True,
        copy=False,
        help="The signed sheet (a photo of it) when a broker confirmed for the "
        "receiver.",
    )
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    entry_id = fields.Many2one(
        "timebank.entry", string="Ledger Entry", readonly=True, copy=False
    )
    case_coefficient = fields.Float(
        string="One-off Rate",
        readonly=True,
        copy=False,
        digits=(4, 2),
        help="The coefficient a broker gave this one-off service (its item is rated "
        "case by case).",
    )
    item_rated_case_by_case = fields.Boolean(related="item_id.rated_case_by_case")
    case_rated_by_id = fields.Many2one(
        "res.users", string="Rated By", readonly=True, copy=False
    )
    case_rate_reason = fields.Text(string="Why This Rate", readonly=True, copy=False)
    posted_minutes = fields.Integer(
        string="Credited Time",
        readonly=True,
        copy=False,
        help="What the ledger credits for this service now: its credits when "
        "posted, or what a dispute corrected them to. Reports count these.",
    )
    reason = fields.Text(
        copy=False, tracking=True, help="Why it was rejected or cancelled."
    )
    proof_waiver_reason = fields.Text(
        string="Verified Without Proof Because",
        copy=False,
        tracking=True,
        help="When the bank requires proof before verification and the service "
        "has none: why the broker verifies it anyway.",
    )
    broker_note = fields.Text(
        copy=False,
        tracking=True,
        help="A broker's note, also after the service is posted, when nothing "
        "else of it changes any more; every change stays in its history.",
    )
    capped = fields.Boolean(
        string="Cap Applied",
        compute="_compute_capped",
        help="The time worked times the coefficient is more than the cap of the "
        "service: the cap is credited.",
    )
    has_proof = fields.Boolean(
        compute="_compute_has_proof",
        help="Photos or documents are attached as the service's proof.",
    )

    @api.depends("date_start", "date_end", "coefficient", "cap_minutes")
    def _compute_minutes(self):
        """From the service's own coefficient and cap, never from the catalog: a
        confirmed service keeps what it was confirmed with."""
        for exchange in self:
            if (
                exchange.date_start
                and exchange.date_end
                and exchange.date_end > exchange.date_start
            ):
                minutes = int(
                    (exchange.date_end - exchange.date_start).total_seconds() // 60
                )
            else:
                minutes = 0
            exchange.actual_minutes = minutes
            exchange.credit_minutes = self.env[
                "timebank.service.item"
            ]._credit_minutes_for(minutes, exchange.coefficient, exchange.cap_minutes)

    @api.depends("actual_minutes", "coefficient", "cap_minutes", "credit_minutes")
    def _compute_capped(self):
        for exchange in self:
            exchange.capped = bool(
                exchange.cap_minutes
                and exchange.actual_minutes * exchange.coefficient
                > exchange.cap_minutes
            )

    @api.depends("credit_minutes")
    def _compute_hours(self):
        for exchange in self:
            exchange.credit_hours = exchange.credit_minutes / 60

    @api.depends("credit_minutes")
    def _compute_display(self):
        for exchange in self:
            exchange.credit_display = format_minutes(exchange.credit_minutes)

    @api.depends("attachment_ids", "confirmation_proof_ids")
    def _compute_has_proof(self):
        for exchange in self:
            exchange.has_proof = bool(
                exchange.attachment_ids or exchange.confirmation_proof_ids
            )

    @api.depends("name", "item_id.name", "provider_id.partner_id.name")
    def _compute_display_name(self):
        # whoever may see the service may see who gave it
        for exchange, sudoed in zip(self, self.sudo(), strict=True):
            exchange.display_name = " - ".join(
                part
                for part in (
                    exchange.name if exchange.name != "/" else "",
                    sudoed.item_id.name,
                    sudoed.provider_id.partner_id.name,
                )
                if part
            )

    # ------------------------------------------------------------------ rules
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        now = fields.Datetime.now()
        for exchange in self:
            if exchange.date_end <= exchange.date_start:
                raise ValidationError(_("The service must end after it starts."))
            if exchange.date_end > now:
                raise ValidationError(
                    _(
                        "A service is recorded once it is done: the end is in the "
                        "future."
                    )
                )
            if exchange.date_end - exchange.date_start > timedelta(minutes=MAX_MINUTES):
                raise ValidationError(
                    _(
                        "One service lasts at most 24 hours; record longer help day "
                        "by day."
                    )
                )

    @api.constrains("provider_id", "receiver_id", "item_id")
    def _check_parties(self):
        for exchange in self:
            if exchange.receiver_id and exchange.receiver_id == exchange.provider_id:
                raise ValidationError(
                    _(
                        "%(member)s cannot provide a service to themselves.",
                        member=exchange.provider_id.display_name,
                    )
                )
            if exchange.item_id.funding == "reciprocal" and not exchange.receiver_id:
                raise ValidationError(
                    _(
                        "%(item)s is paid by the receiver: name the member who "
                        "received the service.",
                        item=exchange.item_id.name,
                    )
                )

    @api.constrains("provider_id", "date_start", "date_end", "state")
    def _check_overlap(self):
        """One query for the batch: services of a provider never overlap each
        other, nor the provider's volunteer hours."""
        if self.env.context.get(OVERLAP_KEY) is OVERLAP_UNCHANGED:
            # a step from one live state to the next: who and when, and which
            # services count, are as they were checked
            return
        live = LIVE_STATES
        ids = tuple(self.filtered(lambda e: e.state in live).ids)
        if not ids:
            return
        self.flush_model()
        self.env["timebank.volunteer.hour"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT e.id, o.id, NULL FROM timebank_exchange e "
                "JOIN timebank_exchange o ON o.provider_id = e.provider_id "
                "AND o.id != e.id AND o.state IN %(live)s "
                "AND o.date_start < e.date_end AND o.date_end > e.date_start "
                "WHERE e.id IN %(ids)s "
                "UNION ALL "
                "SELECT e.id, NULL, v.id FROM timebank_exchange e "
                "JOIN timebank_volunteer_hour v ON v.member_id = e.provider_id "
                "AND v.date_start < e.date_end AND v.date_end > e.date_start "
                "WHERE e.id IN %(ids)s LIMIT 1",
                live=live,
                ids=ids,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return
        exchange = self.browse(row[0])
        if row[1]:
            raise ValidationError(
                _(
                    "%(member)s already has a service at that time: %(other)s.",
                    member=exchange.provider_id.display_name,
                    other=self.browse(row[1]).sudo().display_name,
                )
            )
        raise ValidationError(
            _(
                "%(member)s records this time as volunteer hours "
                "(%(activity)s): the same hours cannot also earn time credits.",
                member=exchange.provider_id.display_name,
                activity=self.env["timebank.volunteer.hour"]
                .sudo()
                .browse(row[2])
                .activity,
            )
        )

    def _check_members_can_exchange(self):
        """Both members active, the provider checked when the service needs it."""
        problems = []
        for exchange in self:
            for member in exchange.provider_id | exchange.receiver_id:
                if member.state != "active":
                    problems.append(
                        _(
                            "%(member)s is not an active member (%(state)s).",
                            member=member.display_name,
                            state=dict(
                                member._fields["state"]._description_selection(self.env)
                            )[member.state],
                        )
                    )
            if (
                exchange.item_id.requires_background_check
                and not exchange.provider_id.has_valid_background_check
            ):
                problems.append(
                    _(
                        "%(item)s needs a valid background check, which %(member)s "
                        "does not have.",
                        item=exchange.item_id.name,
                        member=exchange.provider_id.display_name,
                    )
                )
        if problems:
            raise UserError("\n".join(problems))

    # ------------------------------------------------------------------ CRUD
    def _workflow_write(self, vals):
        records = self.sudo()
        if (
            vals.get("state") in LIVE_STATES
            and not {"provider_id", "date_start", "date_end"} & set(vals)
            and all(state in LIVE_STATES for state in self.mapped("state"))
        ):
            records = records.with_context(**{OVERLAP_KEY: OVERLAP_UNCHANGED})
        return records._guarded_write(vals)

    def _guarded_hint(self):
        return _(
            "A service moves with its buttons (Submit, Confirm, Verify, Post) and "
            "its credits follow from its times and the item's coefficient and cap "
            "as they were when it was confirmed."
        )

    @api.model
    def _item_terms(self, item):
        return {"coefficient": item.coefficient, "cap_minutes": item.cap_minutes}

    def _terms(self):
        """The coefficient and cap this service is credited with: its item's, or
        the broker's rate for a one-off service."""
        self.ensure_one()
        terms = self._item_terms(self.sudo().item_id)
        if self.sudo().item_id.rated_case_by_case and self.case_coefficient:
            terms["coefficient"] = self.case_coefficient
        return terms

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded_create(vals_list)
        items = self.env["timebank.service.item"].sudo()
        for vals, name in zip(vals_list, self._next_names(len(vals_list)), strict=True):
            vals["name"] = name
            if vals.get("item_id"):
                vals.update(self._item_terms(items.browse(vals["item_id"])))
        # the number and the item's terms, nothing else: whatever the values
        # reach elsewhere (a dispute through dispute_ids) is checked as usual
        allow = self._guarded_allow({"name", "coefficient", "cap_minutes"})
        return (
            super(TimebankExchange, self.with_context(**allow))
            .create(vals_list)
            .with_env(self.env)
        )

    @api.model
    def _next_names(self, count):
        """``count`` numbers of the services' sequence, as ``next_by_code``
        gives them one by one; in one query for a sequence of the standard
        implementation without date ranges (a PostgreSQL sequence)."""
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search(
            [
                ("code", "=", "timebank.exchange"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [sequence.get_next_char(row[0]) for row in self.env.cr.fetchall()]

    def write(self, vals):
        self._check_posted_frozen(vals)
        if (
            BROKER_FIELDS & set(vals)
            and not self._is_broker()
            and not self.env.su
            and not self._guarded_allowed()
        ):
            raise AccessError(
                _(
                    "Only a broker writes %(fields)s of a service.",
                    fields=self._field_labels(BROKER_FIELDS & set(vals)),
                )
            )
        frozen = {
            "company_id",
            "provider_id",
            "receiver_id",
            "item_id",
            "date_start",
            "date_end",
        }
        if frozen & set(vals) and self.filtered(
            lambda e: e.state not in ("draft", "submitted")
        ):
            raise UserError(
                _(
                    "A confirmed service cannot change who, what or when: reject it "
                    "and record it again."
                )
            )
        if "attachment_ids" in vals and self.filtered(
            lambda e: e.state in ("verified", "posted", "rejected", "cancelled")
        ):
            raise UserError(
                _(
                    "The proof of a verified service stays as the broker checked it; "
                    "add a note in the chatter instead."
                )
            )
        result = super().write(vals)
        if "item_id" in vals:
            self._refresh_item_terms()
        return result

    def _field_labels(self, names):
        return ", ".join(
            self._fields[name]._description_string(self.env) for name in sorted(names)
        )

    def _check_posted_frozen(self, vals):
        """A posted service stays as it was posted, for every user and path."""
        changed = POSTED_FROZEN_FIELDS & set(vals)
        if not changed:
            return
        posted = self.filtered(lambda e: e.state == "posted")
        if posted:
            raise UserError(
                _(
                    "%(services)s is posted: %(fields)s stay as they were posted. "
                    "Add a broker note instead; a mistake in the credits is "
                    "corrected by a reversal.",
                    services=", ".join(posted.mapped("display_name")),
                    fields=self._field_labels(changed),
                )
            )

    def _refresh_item_terms(self):
        """Services not yet confirmed follow their item's coefficient and cap."""
        for exchange in self.filtered(lambda e: e.state in ("draft", "submitted")):
            terms = exchange._terms()
            if any(exchange[key] != value for key, value in terms.items()):
                exchange._workflow_write(terms)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda e: e.state not in ("draft", "cancelled")):
            raise UserError(_("Only draft or cancelled services can be deleted."))

    # ------------------------------------------------------------------ chatter
    def _message_track(self, fields_iter, initial_values_dict):
        """The tracking messages of ``mail.thread``, one per service and step,
        created in one batch: a broker takes a sheet of services through each
        step at once. Messages with a subtype (notifications to followers) are
        still posted one by one by ``mail.thread``."""
        if not fields_iter:
            return {}
        tracked_fields = self.fields_get(
            fields_iter, attributes=("string", "type", "selection", "currency_field")
        )
        tracking = {}
        for record in self:
            try:
                tracking[record.id] = record._mail_track(
                    tracked_fields, initial_values_dict[record.id]
                )
            except MissingError:
                continue
        precommit = self.env.cr.precommit.data
        bodies = precommit.pop(f"mail.tracking.message.{self._name}", {})
        authors = precommit.pop(f"mail.tracking.author.{self._name}", {})
        logs = defaultdict(dict)
        for record in self:
            changes, tracking_value_ids = tracking.get(record.id, (None, None))
            if not changes:
                continue
            subtype = record._track_subtype(
                {name: initial_values_dict[record.id][name] for name in changes}
            )
            author_id = authors[record.id].id if record.id in authors else None
            body = (
                bodies[record.id]
                if record.id in bodies
                else record._track_get_default_log_message(changes)
            )
            if subtype:
                if subtype.exists():
                    record.message_post(
                        body=body,
                        author_id=author_id,
                        subtype_id=subtype.id,
                        tracking_value_ids=tracking_value_ids,
                    )
            elif tracking_value_ids:
                logs[author_id][record.id] = (body, tracking_value_ids)
        for author_id, messages in logs.items():
            self.browse(messages)._message_log_tracking_batch(author_id, messages)
        return tracking

    def _message_log_tracking_batch(self, author_id, messages):
        """What ``_message_log`` writes for each record, in one create.

        :param messages: {record id: (body, tracking value commands)}
        """
        author_id, email_from = self._message_compute_author(
            author_id, None, raise_on_email=False
        )
        base = {
            "author_id": author_id,
            "email_from": email_from,
            "model": self._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "attachment_ids": False,
            "message_type": "notification",
            "is_internal": True,
            "subject": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "partner_ids": False,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=email_from
            )[False],
        }
        created = self.sudo()._message_create(
            [
                dict(
                    base,
                    res_id=record.id,
                    body=escape(messages[record.id][0] or ""),
                    message_id=generate_tracking_message_id("message-notify"),
                )
                for record in self
            ]
        )
        # the tracking values of every message in one create, not one per message
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(command[2], mail_message_id=message.id)
                for record, message in zip(self, created, strict=True)
                for command in messages[record.id][1]
            ]
        )
        created.invalidate_recordset(["tracking_value_ids"])
        return created

    # ------------------------------------------------------------------ workflow
    def action_submit(self):
        """The provider (or a broker for them) submits the record."""
        self._check_state(
            ("draft",), _("Only a draft can be submitted: %(services)s is %(state)s.")
        )
        partner = self.env.user.partner_id
        if not self._is_broker() and self.filtered(
            lambda e: e.provider_id.partner_id != partner
        ):
            raise AccessError(_("Only the provider or a broker submits a service."))
        self._check_members_can_exchange()
        self._workflow_write({"state": "submitted"})
        return True

    def action_confirm(self, channel=None, proof_ids=None):
        """The receiver, the receiver's proxy or a broker confirms it took place.

        A broker who is neither confirms for the receiver and says how the
        receiver agreed: ``channel`` is ``phone``, ``sheet`` (a signed sheet,
        whose photo ``proof_ids`` may attach) or ``in_person``. Another broker
        then verifies (the bank's four-eyes setting).
        """
        self._check_state(
            ("submitted",),
            _("Only a submitted service can be confirmed: %(services)s is %(state)s."),
        )
        partner = self.env.user.partner_id
        channels = {}
        # one proxy check per receiver of the batch
        proxy_allows = {}
        for exchange in self:
            if exchange.sudo().provider_id.partner_id == partner:
                raise AccessError(
                    _(
                        "%(service)s is your own service: the receiver, their proxy "
                        "or a broker confirms it.",
                        service=exchange.display_name,
                    )
                )
            # a proxy may not read the elder's contact: check as the bank
            receiver = exchange.sudo().receiver_id.partner_id
            if receiver and receiver == partner:
                channels[exchange] = "receiver"
            elif proxy_allows.get(exchange.receiver_id) or (
                exchange.receiver_id not in proxy_allows
                and proxy_allows.setdefault(
                    exchange.receiver_id,
                    exchange.receiver_id._timebank_proxy_allows("confirm"),
                )
            ):
                channels[exchange] = "proxy"
            elif self._is_broker() or self.env.su:
                if channel not in BROKER_CHANNELS:
                    raise UserError(
                        _(
                            "You confirm %(service)s for the receiver: say how they "
                            "agreed (phone call, signed sheet or in person) with "
                            "Confirm for the Receiver.",
                            service=exchange.display_name,
                        )
                    )
                channels[exchange] = channel
            else:
                raise AccessError(
                    _(
                        "Only the receiver, the receiver's proxy or a broker confirms "
                        "%(service)s.",
                        service=exchange.display_name,
                    )
                )
        if channel is not None and not isinstance(channel, str):
            raise UserError(
                _(
                    "How the receiver agreed is one of: phone, sheet, in_person "
                    "(not %(value)r).",
                    value=channel,
                )
            )
        proofs = self.env["ir.attachment"]
        if proof_ids:
            if not isinstance(proof_ids, list | tuple) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in proof_ids
            ):
                raise UserError(
                    _(
                        "The proof of agreement is a list of attachment ids (not "
                        "%(value)r).",
                        value=proof_ids,
                    )
                )
            proofs = proofs.browse(proof_ids).exists()
            proofs.check_access("read")
            # the photo the broker took or uploaded now, or one of the service's
            others = proofs.filtered(
                lambda a: (
                    a.create_uid != self.env.user
                    and not (a.res_model == self._name and a.res_id in self.ids)
                )
            )
            if others:
                raise UserError(
                    _(
                        "%(files)s was not uploaded by you for this service: attach "
                        "the photo of the signed sheet itself.",
                        files=", ".join(others.mapped("name")),
                    )
                )
        # one write per kind of confirmation and terms, not one per service
        unrated = self.filtered(
            lambda e: e.sudo().item_id.rated_case_by_case and not e.case_coefficient
        )
        if unrated:
            raise UserError(
                _(
                    "%(services)s: a one-off service is rated by a broker (Rate This "
                    "Service) before it is confirmed.",
                    services=", ".join(unrated.mapped("display_name")),
                )
            )
        groups = {}
        for exchange in self:
            terms = exchange._terms()
            key = (channels[exchange], terms["coefficient"], terms["cap_minutes"])
            groups.setdefault(key, self.browse())
            groups[key] |= exchange
        for (channel_used, coefficient, cap_minutes), exchanges in groups.items():
            vals = {
                "state": "confirmed",
                "confirmed_by_id": partner.id,
                "confirmed_by_user_id": self.env.uid,
                "confirmation_channel": channel_used,
                # the terms it is credited with are those of the day it is confirmed
                "coefficient": coefficient,
                "cap_minutes": cap_minutes,
            }
            if proofs and channel_used in BROKER_CHANNELS:
                vals["confirmation_proof_ids"] = [fields.Command.set(proofs.ids)]
            exchanges._workflow_write(vals)
        return True

    def action_rate_case(self, coefficient, reason):
        """A broker rates a one-off service: its coefficient, and why."""
        self._check_state(
            ("draft", "submitted"),
            _("%(services)s is %(state)s: only a service not yet confirmed is rated."),
        )
        if not (self.env.su or self._is_broker()):
            raise AccessError(_("Only a broker rates a one-off service."))
        not_one_off = self.filtered(lambda e: not e.sudo().item_id.rated_case_by_case)
        if not_one_off:
            raise UserError(
                _(
                    "%(services)s: its item has its own coefficient in the catalog; "
                    "only services of an item rated case by case are rated one by one.",
                    services=", ".join(not_one_off.mapped("display_name")),
                )
            )
        if not 0 < coefficient <= MAX_CASE_COEFFICIENT:
            raise UserError(
                _(
                    "A one-off rate is above 0 and at most %(max)s (it multiplies the "
                    "time worked).",
                    max=MAX_CASE_COEFFICIENT,
                )
            )
        if not (reason or "").strip():
            raise UserError(
                _("Write why the service is rated so: the members read it.")
            )
        self._workflow_write(
            {
                "case_coefficient": coefficient,
                "case_rated_by_id": self.env.uid,
                "case_rate_reason": reason.strip(),
                "coefficient": coefficient,
            }
        )
        for exchange in self:
            exchange.message_post(
                body=_(
                    "Rated %(rate)s by %(broker)s: %(reason)s",
                    rate=coefficient,
                    broker=self.env.user.name,
                    reason=reason.strip(),
                )
            )
        return True

    def action_open_rate_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.exchange.rate.wizard",
            "view_mode": "form",
            "target": "new",
            "name": _("Rate This Service"),
            "context": {"default_exchange_id": self.id},
        }

    def action_open_confirm_wizard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_exchange_confirm_wizard_action"
        )
        action["context"] = {"default_exchange_ids": self.ids}
        return action

    def action_verify(self):
        """A broker checks the record and the proof."""
        self._check_state(
            ("confirmed",),
            _("Only a confirmed service can be verified: %(services)s is %(state)s."),
        )
        if not self._is_broker():
            raise AccessError(_("Only a broker verifies a service."))
        self._check_members_can_exchange()
        self._check_four_eyes()
        self._check_proof()
        self._workflow_write({"state": "verified", "verified_by_id": self.env.uid})
        return True

    def _check_proof(self):
        """In a bank that requires proof, a service is verified with a photo or a
        document attached, or with the broker's written reason why not."""
        missing = self.filtered(
            lambda e: (
                e.company_id.timebank_require_proof
                and not e.has_proof
                and not (e.proof_waiver_reason or "").strip()
            )
        )
        if missing:
            raise UserError(
                _(
                    "%(services)s has no proof: %(bank)s requires a photo or a "
                    "document before verification. Attach it, or write why it is "
                    "verified without proof (Verified Without Proof Because).",
                    services=", ".join(missing.mapped("display_name")),
                    bank=", ".join(missing.company_id.mapped("name")),
                )
            )

    def _check_four_eyes(self):
        """Who confirmed a service does not verify it too: a broker who
        confirmed for the receiver, or who did as the receiver's proxy."""
        if self.env.su:
            return
        own = self.filtered(lambda e: e.confirmed_by_user_id == self.env.user)
        required = own.filtered(lambda e: e.company_id.timebank_four_eyes)
        if required:
            raise UserError(
                _(
                    "You confirmed %(services)s for the receiver: another broker "
                    "verifies it (four eyes).",
                    services=", ".join(required.mapped("display_name")),
                )
            )
        for exchange in own:
            exchange.message_post(
                body=_(
                    "Verified by the broker who confirmed it for the receiver: the "
                    "four-eyes check is off in %(bank)s.",
                    bank=exchange.company_id.name,
                )
            )

    def action_post(self):
        """A broker moves the credits: receiver (or community pool) to provider."""
        self._check_state(
            ("verified",),
            _("Only a verified service can be posted: %(services)s is %(state)s."),
        )
        if not self._is_broker():
            raise AccessError(_("Only a broker posts a service."))
        self._check_members_can_exchange()
        Entry = self.env["timebank.entry"].sudo()
        transfers = []
        # each bank's exchange journal and pool, looked up once for the batch
        journals = {
            company: self.env["timebank.journal"]._get(company, "exchange")
            for company in self.company_id
        }
        pools = {}
        for exchange in self:
            if exchange.item_id.funding == "community":
                company = exchange.company_id
                if company not in pools:
                    pools[company] = self.env["timebank.account"]._get_system(
                        company, "pool"
                    )
                payer = pools[company]
            else:
                payer = exchange.receiver_id.account_id
            transfers.append(
                {
                    "journal": journals[exchange.company_id],
                    "date": fields.Date.context_today(self, exchange.date_end),
                    "ref": exchange.display_name,
                    "debit": payer,
                    "credit": exchange.provider_id.account_id,
                    "minutes": exchange.credit_minutes,
                    "vals": {"exchange_id": exchange.id},
                }
            )
        entries = Entry._transfer_many(transfers)
        # the state once for the batch (its checks run once), then the links
        self._workflow_write({"state": "posted"})
        self._workflow_write_each(
            [
                {"entry_id": entry.id, "posted_minutes": exchange.credit_minutes}
                for exchange, entry in zip(self, entries, strict=True)
            ]
        )
        return True

    def action_reject(self):
        """A manager refuses the record, with a reason."""
        self._check_state(
            ("submitted", "confirmed", "verified"),
            _("%(services)s cannot be rejected: it is %(state)s."),
        )
        self._check_manager_with_reason()
        self._workflow_write({"state": "rejected"})
        return True

    def action_cancel(self):
        self._check_state(
            ("draft", "submitted", "confirmed", "verified"),
            _("%(services)s cannot be cancelled: it is %(state)s."),
        )
        self._check_manager_with_reason()
        self._workflow_write({"state": "cancelled"})
        return True

    def _check_manager_with_reason(self):
        if not self.env.user.has_group("timebank_core.group_timebank_manager"):
            raise AccessError(
                _("Only a time bank manager rejects or cancels a service.")
            )
        if self.filtered(lambda e: not e.reason):
            raise UserError(_("Write the reason first: it stays on the record."))
