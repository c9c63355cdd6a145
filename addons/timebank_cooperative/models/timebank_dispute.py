from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.timebank_core.models.timebank_account import format_minutes

CATEGORIES = [
    ("hours", "Hours Disagreement"),
    ("quality", "Quality"),
    ("no_show", "No-show"),
    ("safety", "Safety Incident"),
    ("misconduct", "Misconduct"),
]
STATES = [
    ("new", "New"),
    ("review", "Review"),
    ("mediation", "Mediation"),
    ("resolved", "Resolved"),
    ("rejected", "Rejected"),
    ("escalated", "Escalated to the Committee"),
]
OPEN_STATES = ("new", "review", "mediation", "escalated")
# what the resolution decided: kept as it was once the dispute is closed
DECISION_FIELDS = {
    "exchange_id",
    "member_id",
    "resolution",
    "adjust_credits",
    "corrected_minutes",
    "suspend_member",
}
# days to settle a dispute, by priority, when no deadline is given
DEADLINE_DAYS = {"0": 30, "1": 14, "2": 7, "3": 2}


class TimebankDispute(models.Model):
    _name = "timebank.dispute"
    _description = "Time Bank Dispute"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "timebank.workflow.mixin",
    ]
    _check_company_auto = True
    _order = "priority desc, deadline, id desc"
    _mail_post_access = "read"
    _workflow_records_key = "disputes"
    _guarded_fields = ("number", "state", "closed_date")

    number = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    name = fields.Char(string="Subject", required=True, tracking=True)
    description = fields.Text(required=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    exchange_id = fields.Many2one(
        "timebank.exchange",
        string="Service",
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    member_id = fields.Many2one(
        "timebank.member",
        string="Member Concerned",
        index=True,
        tracking=True,
        check_company=True,
        help="The member the dispute is about; for a service, its provider unless "
        "stated otherwise.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Raised By",
        required=True,
        index=True,
        default=lambda self: self.env.user.partner_id,
        tracking=True,
    )
    raised_as = fields.Selection(
        [("member", "Member"), ("proxy", "Proxy"), ("broker", "Broker")],
        required=True,
        default="member",
    )
    category = fields.Selection(CATEGORIES, required=True, tracking=True)
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")],
        default="1",
        tracking=True,
    )
    deadline = fields.Date(tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Broker in Charge",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    state = fields.Selection(
        STATES, required=True, default="new", readonly=True, copy=False, tracking=True
    )
    resolution = fields.Text(tracking=True, help="What was decided, and why.")
    adjust_credits = fields.Boolean(
        string="Correct the Credits",
        help="Resolving reverses the posted entry of the service and posts one with "
        "the corrected time.",
    )
    corrected_minutes = fields.Integer(
        help="For a disagreement on hours: the credited minutes the service should "
        "have had. Resolving reverses the posted entry and posts the corrected one."
    )
    suspend_member = fields.Boolean(
        help="Resolving suspends the membership of the member concerned."
    )
    entry_ids = fields.One2many(
        "timebank.entry", "dispute_id", string="Ledger Entries", readonly=True
    )
    closed_date = fields.Datetime(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = bool(
                dispute.deadline
                and dispute.deadline < today
                and dispute.state in OPEN_STATES
            )

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for dispute in self:
            dispute.access_url = f"/my/disputes/{dispute.id}"
        return result

    @api.depends("number", "name")
    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = (
                f"{dispute.number} {dispute.name}"
                if dispute.number and dispute.number != "/"
                else dispute.name
            )

    @api.onchange("exchange_id")
    def _onchange_exchange_id(self):
        if self.exchange_id and not self.member_id:
            self.member_id = self.exchange_id.provider_id

    # what a dispute can be about; an addon adds its own subject here
    _subject_fields = ("exchange_id", "member_id")

    @api.constrains("exchange_id", "member_id")
    def _check_subject(self):
        for dispute in self:
            if not any(dispute[name] for name in self._subject_fields):
                raise ValidationError(dispute._subject_missing())

    def _subject_missing(self):
        return _(
            "A dispute is about a service or about a member: name one (Service or "
            "Member Concerned)."
        )

    @api.constrains("corrected_minutes")
    def _check_corrected_minutes(self):
        for dispute in self:
            if dispute.corrected_minutes < 0:
                raise ValidationError(
                    _("The corrected time cannot be negative: write 0 for none.")
                )

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "A dispute moves with its buttons (Review, Mediate, Escalate to the "
            "Committee, Resolve, Reject) and is numbered when it is recorded."
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded_create(vals_list)
        today = fields.Date.context_today(self)
        exchanges = self.env["timebank.exchange"].browse(
            [vals["exchange_id"] for vals in vals_list if vals.get("exchange_id")]
        )
        for vals in vals_list:
            if vals.get("exchange_id") and not vals.get("member_id"):
                exchange = exchanges.browse(vals["exchange_id"]).sudo()
                vals["member_id"] = exchange.provider_id.id
                vals.setdefault("company_id", exchange.company_id.id)
            if not any(
                vals.get(name) or self.env.context.get(f"default_{name}")
                for name in self._subject_fields
            ):
                raise ValidationError(self._subject_missing())
            if not vals.get("deadline"):
                days = DEADLINE_DAYS[vals.get("priority") or "1"]
                vals["deadline"] = today + timedelta(days=days)
            vals["number"] = (
                self.env["ir.sequence"].next_by_code("timebank.dispute") or "/"
            )
        disputes = (
            super(
                TimebankDispute,
                self.with_context(**self._guarded_allow({"number"})),
            )
            .create(vals_list)
            .with_env(self.env)
        )
        # the constraint runs only for the fields given: checked on the records
        # too, whatever gave them their values
        disputes._check_subject()
        return disputes

    def write(self, vals):
        if not self._guarded_allowed() and DECISION_FIELDS & set(vals):
            closed = self.filtered(lambda d: d.state not in OPEN_STATES)
            if closed:
                raise UserError(
                    _(
                        "%(disputes)s is closed: what its resolution decided stays "
                        "as it was.",
                        disputes=", ".join(closed.mapped("display_name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        """A dispute handled keeps its decision and the entries it corrected."""
        handled = self.filtered(lambda d: d.state != "new" or d.sudo().entry_ids)
        if handled:
            raise UserError(
                _(
                    "%(disputes)s cannot be deleted: only a new dispute without "
                    "ledger entries is. A dispute once handled stays on the record "
                    "with what was decided; an open one is closed with Reject.",
                    disputes=", ".join(handled.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------ workflow
    def _check_dispute_state(self, allowed):
        self._check_state(
            allowed, _("%(disputes)s is %(state)s: this step is not possible.")
        )

    def _check_broker(self):
        if not self._is_broker():
            raise AccessError(_("Only a broker handles a dispute."))

    def _set_state(self, state):
        self._check_broker()
        vals = {"state": state}
        if state in ("resolved", "rejected"):
            vals["closed_date"] = fields.Datetime.now()
        self.sudo()._guarded_write(vals)
        return True

    def action_review(self):
        self._check_dispute_state(("new",))
        for dispute in self.filtered(lambda d: not d.user_id):
            dispute.user_id = self.env.user
        for dispute in self:
            dispute.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=dispute.deadline,
                summary=_("Settle the dispute"),
                user_id=dispute.user_id.id,
            )
        return self._set_state("review")

    def action_mediate(self):
        self._check_dispute_state(("new", "review"))
        return self._set_state("mediation")

    def action_escalate(self):
        self._check_dispute_state(("new", "review", "mediation"))
        return self._set_state("escalated")

    def action_reject(self):
        self._check_dispute_state(OPEN_STATES)
        self._check_resolution_written()
        return self._set_state("rejected")

    def action_resolve(self):
        """Close the dispute and apply what was decided.

        A new time for the service reverses its posted entry and posts the
        corrected one through the ledger; both are linked to the dispute. A
        suspension sets the membership of the member concerned.
        """
        self._check_dispute_state(OPEN_STATES)
        self._check_broker()
        self._check_resolution_written()
        for dispute in self:
            if dispute.adjust_credits:
                dispute._adjust_credits()
            if dispute.suspend_member:
                if not dispute.member_id:
                    raise UserError(
                        _(
                            "Name the member to suspend on %(dispute)s.",
                            dispute=dispute.display_name,
                        )
                    )
                member = dispute.member_id.sudo()
                member.state_reason = _(
                    "Suspended by the resolution of %(dispute)s.",
                    dispute=dispute.display_name,
                )
                member.action_suspend()
        return self._set_state("resolved")

    def _check_resolution_written(self):
        if self.filtered(lambda d: not d.resolution):
            raise UserError(_("Write the resolution first: it stays on the record."))

    def _live_entry(self):
        """The posted entry that credits the service now."""
        self.ensure_one()
        return (
            self.env["timebank.entry"]
            .sudo()
            .search(
                [
                    ("exchange_id", "=", self.exchange_id.id),
                    ("state", "=", "posted"),
                    ("reversed_entry_id", "=", False),
                ],
                order="id desc",
                limit=1,
            )
        )

    def _check_corrected_credit(self):
        """The corrected credit is at most what the recorded times of the
        service earn with the coefficient and cap it was confirmed with: more
        time given is a service recorded again, not a larger correction."""
        self.ensure_one()
        if self.corrected_minutes < 0:
            raise UserError(
                _("The corrected time cannot be negative: write 0 for none.")
            )
        exchange = self.exchange_id.sudo()
        earned = self.env["timebank.service.item"]._credit_minutes_for(
            exchange.actual_minutes, exchange.coefficient, exchange.cap_minutes
        )
        if self.corrected_minutes > earned:
            raise UserError(
                _(
                    "%(dispute)s: %(service)s cannot be credited %(corrected)s. Its "
                    "recorded times earn at most %(earned)s (%(worked)s worked, "
                    "coefficient %(coefficient)s, cap %(cap)s). When more time was "
                    "really given, record the service again with its real times.",
                    dispute=self.display_name,
                    service=exchange.display_name,
                    corrected=format_minutes(self.corrected_minutes),
                    earned=format_minutes(earned),
                    worked=format_minutes(exchange.actual_minutes),
                    coefficient=format(exchange.coefficient, "g"),
                    cap=format_minutes(exchange.cap_minutes)
                    if exchange.cap_minutes
                    else _("none"),
                )
            )

    def _adjust_credits(self):
        self.ensure_one()
        exchange = self.exchange_id
        if not exchange:
            raise UserError(
                _(
                    "%(dispute)s is not about a service: there are no credits to "
                    "correct.",
                    dispute=self.display_name,
                )
            )
        entry = self._live_entry()
        if exchange.state != "posted" or not entry:
            raise UserError(
                _(
                    "%(service)s is not posted: correct its time before posting "
                    "instead of through a dispute.",
                    service=exchange.display_name,
                )
            )
        self._check_corrected_credit()
        current = entry.total_minutes
        if current == self.corrected_minutes:
            return
        reversal = entry._reverse(
            ref=_(
                "Reversal of %(entry)s of %(date)s (dispute %(dispute)s)",
                entry=entry.name,
                date=entry.date,
                dispute=self.number,
            )
        )
        entries = entry | reversal
        if self.corrected_minutes:
            label = _(
                "%(service)s of %(date)s (entry %(entry)s), corrected by "
                "dispute %(dispute)s",
                service=exchange.display_name,
                date=entry.date,
                entry=entry.name,
                dispute=self.number,
            )
            corrected = (
                self.env["timebank.entry"]
                .sudo()
                ._transfer(
                    entry.journal_id,
                    entry.line_ids.filtered("debit").account_id,
                    entry.line_ids.filtered("credit").account_id,
                    self.corrected_minutes,
                    label,
                    vals={"exchange_id": exchange.id, "dispute_id": self.id},
                )
            )
            entries |= corrected
        (entry | reversal).sudo()._guarded_write({"dispute_id": self.id})
        exchange.sudo()._guarded_write({"posted_minutes": self.corrected_minutes})
        # the message names the entries by their numbers
        entries._sequence_now()
        entries.invalidate_recordset(["name"])
        self.message_post(
            body=_(
                "Credits corrected from %(old)s to %(new)s: %(entries)s.",
                old=format_minutes(current),
                new=format_minutes(self.corrected_minutes),
                entries=", ".join(entries.mapped("name")),
            )
        )
