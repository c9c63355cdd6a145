from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date

from .timebank_account import format_minutes
from .timebank_rpc import marshallable

MEMBER_STATES = [
    ("applicant", "Applicant"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("withdrawn", "Withdrawn"),
]

# state -> the states a membership may move to from there
TRANSITIONS = {
    "applicant": {"active", "withdrawn"},
    "active": {"suspended", "withdrawn"},
    "suspended": {"active", "withdrawn"},
    "withdrawn": {"applicant"},
}

# reminder kind -> (its mail template, the field that remembers it was sent)
REMINDERS = {
    "low_balance": (
        "timebank_core.mail_template_low_balance",
        "timebank_low_balance_reminded_on",
    ),
    "unused": (
        "timebank_core.mail_template_unused_credits",
        "timebank_unused_reminded_on",
    ),
}


GENERATIONS = [("youth", "Youth"), ("adult", "Adult"), ("elder", "Elder")]
SENSITIVE = "timebank_core.group_timebank_broker,timebank_core.group_timebank_member"


def age_on(birthdate, day):
    """Whole years between ``birthdate`` and ``day``."""
    return relativedelta(day, birthdate).years


class TimebankMember(models.Model):
    _name = "timebank.member"
    _description = "Time Bank Membership"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "company_id, number"
    _rec_names_search = ["number", "partner_id.name"]
    _guarded_fields = (
        "state",
        "account_id",
        "withdrawal_date",
        "expiry_notice_through",
        "expiry_notice_minutes",
        "expiry_notice_date",
        "expiry_letter_pending",
        "expiry_notice_ids",
        "timebank_low_balance_reminded_on",
        "timebank_unused_reminded_on",
    )

    number = fields.Char(
        string="Member Number",
        copy=False,
        index=True,
        tracking=True,
        help="Given by the bank's sequence when left empty.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        MEMBER_STATES,
        required=True,
        default="applicant",
        copy=False,
        tracking=True,
        index=True,
    )
    join_date = fields.Date(copy=False, tracking=True)
    withdrawal_date = fields.Date(copy=False, tracking=True)
    state_reason = fields.Text(
        string="Reason",
        copy=False,
        tracking=True,
        help="Why the membership was suspended or withdrawn.",
    )
    background_check_date = fields.Date(
        tracking=True, help="Date of the last background check passed."
    )
    background_check_expiry = fields.Date(tracking=True)
    has_valid_background_check = fields.Boolean(
        compute="_compute_has_valid_background_check"
    )
    notes = fields.Html()
    recipient_category_ids = fields.Many2many(
        "timebank.recipient.category",
        string="Care Recipient Categories",
        groups="timebank_core.group_timebank_broker",
        help="Set by brokers only, and counted in the indicators and the funder's "
        "reports (living alone, disabled, low-income...).",
    )

    # Ledger
    account_id = fields.Many2one(
        "timebank.account", readonly=True, copy=False, index=True
    )
    balance = fields.Integer(
        related="account_id.balance",
        help="Time credits in minutes: earned and received minus spent and given.",
    )
    balance_display = fields.Char(
        related="account_id.balance_display", string="Balance (h:mm)"
    )
    has_own_credit_limit = fields.Boolean(
        string="Own Credit Limit",
        tracking=True,
        help="Use the limit below instead of the bank's default credit limit.",
    )
    exchange_count = fields.Integer(
        string="Services", compute="_compute_exchange_count"
    )
    credit_limit = fields.Integer(
        tracking=True,
        help="How far below zero (h:mm) this member's balance may go.",
    )
    expiry_notice_through = fields.Date(
        readonly=True,
        copy=False,
        help="Expiries up to this date have been announced to the member.",
    )
    expiry_notice_minutes = fields.Integer(
        readonly=True, copy=False, help="Time announced as expiring soon."
    )
    expiry_notice_date = fields.Date(
        readonly=True,
        copy=False,
        help="The day the credits of the last notice expire, at the earliest.",
    )
    expiry_next_date = fields.Date(
        string="Next Expiry",
        compute="_compute_expiry_preview",
        help="The next day credits of this member will expire, as the expiry job "
        "will do it (announced first, then expired).",
    )
    expiry_next_minutes = fields.Integer(
        string="Expiring Then", compute="_compute_expiry_preview"
    )
    expiry_year_minutes = fields.Integer(
        string="Expiring Within a Year",
        compute="_compute_expiry_preview",
    )
    expiry_notice_ids = fields.One2many(
        "timebank.expiry.notice", "member_id", string="Expiry Notices", readonly=True
    )
    expiry_letter_pending = fields.Boolean(
        string="Expiry Letter to Print",
        readonly=True,
        copy=False,
        help="The member has no e-mail: print and post the expiry notice.",
    )
    timebank_low_balance_reminded_on = fields.Date(
        string="Low Balance Reminded On",
        readonly=True,
        copy=False,
        help="The day the reminder job told the member (or their broker) that the "
        "balance is low; cleared when the job sees it back above the bank's "
        "threshold.",
    )
    timebank_unused_reminded_on = fields.Date(
        string="Unused Credits Reminded On",
        readonly=True,
        copy=False,
        help="The day the reminder job last told the member (or their broker) about "
        "credits they do not use.",
    )

    # The person, for convenience on the membership form
    email = fields.Char(related="partner_id.email", readonly=False)
    phone = fields.Char(related="partner_id.phone", readonly=False)
    mobile = fields.Char(related="partner_id.mobile", readonly=False)
    image_1920 = fields.Image(
        related="partner_id.image_1920", readonly=False, string="Photo"
    )
    avatar_128 = fields.Image(related="partner_id.avatar_128", string="Avatar")
    birthdate_date = fields.Date(related="partner_id.birthdate_date", readonly=False)
    age = fields.Integer(related="partner_id.timebank_age")
    generation = fields.Selection(
        GENERATIONS,
        compute="_compute_generation",
        store=True,
        groups=SENSITIVE,
        help="Cohort from the age, with the thresholds of the time bank settings; "
        "kept up to date every day, so that members can be grouped by it.",
    )
    gender = fields.Selection(related="partner_id.gender", readonly=False)
    skill_ids = fields.Many2many(
        related="partner_id.timebank_skill_ids", readonly=False
    )
    language_ids = fields.Many2many(
        related="partner_id.timebank_language_ids", readonly=False
    )
    availability_ids = fields.One2many(
        related="partner_id.timebank_availability_ids", readonly=False
    )
    # stored to group members by area
    service_area = fields.Char(
        related="partner_id.timebank_service_area", readonly=False, store=True
    )
    latitude = fields.Float(
        related="partner_id.partner_latitude", readonly=False, digits=(10, 7)
    )
    longitude = fields.Float(
        related="partner_id.partner_longitude", readonly=False, digits=(10, 7)
    )
    mobility = fields.Selection(related="partner_id.timebank_mobility", readonly=False)
    care_needs = fields.Text(related="partner_id.timebank_care_needs", readonly=False)
    contact_channel = fields.Selection(
        related="partner_id.timebank_contact_channel", readonly=False
    )
    messaging_id = fields.Char(
        related="partner_id.timebank_messaging_id", readonly=False
    )
    proxy_id = fields.Many2one(related="partner_id.timebank_proxy_id", readonly=False)
    proxy_relation = fields.Selection(
        related="partner_id.timebank_proxy_relation", readonly=False
    )
    proxy_consent_date = fields.Date(
        related="partner_id.timebank_proxy_consent_date", readonly=False
    )
    proxy_can_request = fields.Boolean(
        related="partner_id.timebank_proxy_can_request", readonly=False
    )
    proxy_can_confirm = fields.Boolean(
        related="partner_id.timebank_proxy_can_confirm", readonly=False
    )
    proxy_can_view = fields.Boolean(
        related="partner_id.timebank_proxy_can_view", readonly=False
    )
    emergency_name = fields.Char(
        related="partner_id.timebank_emergency_name", readonly=False
    )
    emergency_phone = fields.Char(
        related="partner_id.timebank_emergency_phone", readonly=False
    )
    emergency_relation = fields.Char(
        related="partner_id.timebank_emergency_relation", readonly=False
    )
    privacy_consent = fields.Boolean(
        related="partner_id.timebank_privacy_consent", readonly=False
    )
    privacy_consent_date = fields.Date(
        related="partner_id.timebank_privacy_consent_date", readonly=False
    )

    _sql_constraints = [
        (
            "company_partner_uniq",
            "unique (company_id, partner_id)",
            "This person is already a member of this time bank.",
        ),
        (
            "company_number_uniq",
            "unique (company_id, number)",
            "This member number is already used in this time bank.",
        ),
    ]

    @api.depends(
        "partner_id.birthdate_date",
        "company_id.timebank_adult_age",
        "company_id.timebank_elder_age",
    )
    def _compute_generation(self):
        today = fields.Date.context_today(self)
        for member in self:
            birthdate = member.partner_id.birthdate_date
            if not birthdate or birthdate > today:
                member.generation = False
            else:
                member.generation = member.company_id._timebank_generation_of_age(
                    age_on(birthdate, today)
                )

    @api.depends("background_check_date", "background_check_expiry")
    @api.depends_context("date")
    def _compute_has_valid_background_check(self):
        today = fields.Date.context_today(self)
        for member in self:
            member.has_valid_background_check = bool(
                member.background_check_date
                and member.background_check_date <= today
                and (
                    not member.background_check_expiry
                    or member.background_check_expiry >= today
                )
            )

    @api.depends("partner_id.name", "number")
    def _compute_display_name(self):
        for member in self:
            name = member.partner_id.name or ""
            member.display_name = f"[{member.number}] {name}" if member.number else name

    @api.constrains("partner_id")
    def _check_partner(self):
        for member in self:
            if member.partner_id.is_company:
                raise ValidationError(
                    _(
                        "%(name)s is a company: time bank members are people.",
                        name=member.partner_id.name,
                    )
                )

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        for member in self:
            if member.credit_limit < 0:
                raise ValidationError(
                    _(
                        "The credit limit of %(member)s is how far below zero the "
                        "balance may go; it cannot be negative.",
                        member=member.display_name,
                    )
                )

    def _compute_expiry_preview(self):
        today = fields.Date.context_today(self)
        members = self.filtered("id")
        preview = members._expiry_preview(today, today + timedelta(days=365))
        for member in self:
            items = preview.get(member, [])
            first = items and min(day for day, _m, _a in items)
            member.expiry_next_date = first or False
            member.expiry_next_minutes = sum(m for day, m, _a in items if day == first)
            member.expiry_year_minutes = sum(m for _day, m, _a in items)

    @api.constrains("background_check_date", "background_check_expiry")
    def _check_background_check_dates(self):
        for member in self:
            if (
                member.background_check_date
                and member.background_check_expiry
                and member.background_check_expiry < member.background_check_date
            ):
                raise ValidationError(
                    _(
                        "The background check of %(member)s expires before it was "
                        "done.",
                        member=member.display_name,
                    )
                )

    @api.onchange("privacy_consent")
    def _onchange_privacy_consent(self):
        if self.privacy_consent and not self.privacy_consent_date:
            self.privacy_consent_date = fields.Date.context_today(self)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("number"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["number"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("timebank.member")
                )
        self._check_duplicates(
            [
                (
                    vals.get("company_id") or self.env.company.id,
                    vals.get("partner_id"),
                    vals["number"],
                )
                for vals in vals_list
            ]
        )
        person_vals = [self._pop_person_vals(vals) for vals in vals_list]
        members = super().create(vals_list)
        for member, vals in zip(members, person_vals, strict=True):
            if vals:
                member.partner_id.write(vals)
        members._create_accounts()
        return members

    def _pop_person_vals(self, vals):
        """Take out of ``vals`` what the form shows of the person, to write it
        to the person in one go: one field at a time, a proxy named before the
        date of the consent would be refused."""
        return {
            field.related.split(".", 1)[1]: vals.pop(name)
            for name, field in self._fields.items()
            if name in vals
            and field.related
            and field.related.startswith("partner_id.")
            and field.related.count(".") == 1
            and not field.readonly
        }

    def _check_no_ledger_lines(self, message=None):
        """Refuse when one of the memberships has ledger lines; ``message`` names
        the member with %(member)s."""
        if not self:
            return
        used = (
            self.env["timebank.entry.line"]
            .sudo()
            .search([("account_id", "in", self.account_id.ids)], limit=1)
        )
        if used:
            message = message or _(
                "%(member)s has time credit movements: withdraw the membership "
                "instead of deleting it."
            )
            raise UserError(
                message % {"member": used.account_id.member_id.display_name}
            )

    def unlink(self):
        """A membership without any movement goes away with its empty account."""
        self._check_no_ledger_lines()
        self.account_id.sudo().unlink()
        return super().unlink()

    def _create_accounts(self):
        """A ledger account for each membership that has none."""
        members = self.filtered(lambda m: not m.account_id)
        if not members:
            return
        self.env["timebank.account"].sudo()._guarded_create(
            [
                {
                    "name": member.partner_id.name,
                    "type": "member",
                    "member_id": member.id,
                    "company_id": member.company_id.id,
                }
                for member in members
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_member AS m SET account_id = a.id "
                "FROM timebank_account AS a WHERE a.member_id = m.id AND m.id IN %s",
                tuple(members.ids),
            )
        )
        members.invalidate_recordset(["account_id"])

    def _guarded_hint(self):
        return _(
            "A membership moves with its buttons (Activate, Suspend, Reinstate, "
            "Withdraw, Reapply), its ledger account is opened with it, expiry "
            "notices are kept by the expiry job and reminders by the reminder job."
        )

    def write(self, vals):
        if "state" in vals and self._guarded_allowed():
            self._check_state_transition(vals["state"])
        if not self._guarded_allowed():
            if {"has_own_credit_limit", "credit_limit"} & set(vals) and not (
                self.env.su
                or self.env.user.has_group("timebank_core.group_timebank_manager")
            ):
                raise AccessError(
                    _(
                        "Only a time bank manager sets a member's own credit limit: "
                        "the brokers' postings are checked against it."
                    )
                )
            if "company_id" in vals and self.filtered(
                lambda m: m.company_id.id != vals["company_id"]
            ):
                raise UserError(
                    _(
                        "A membership belongs to one time bank: open a membership in "
                        "the other bank instead of moving this one."
                    )
                )
            if "partner_id" in vals:
                self.filtered(
                    lambda m: m.partner_id.id != vals["partner_id"]
                )._check_no_ledger_lines(
                    _(
                        "%(member)s has time credit movements: they belong to this "
                        "person and cannot move to another one."
                    )
                )
        if {"company_id", "partner_id", "number"} & set(vals):
            self._check_duplicates(
                [
                    (
                        vals.get("company_id", member.company_id.id),
                        vals.get("partner_id", member.partner_id.id),
                        vals.get("number", member.number),
                    )
                    for member in self
                ],
                exclude=self,
            )
        person_vals = self._pop_person_vals(vals)
        result = super().write(vals) if vals else True
        if person_vals:
            self.partner_id.write(person_vals)
        return result

    def _check_duplicates(self, keys, exclude=None):
        """Refuse a second membership of a person, or a number used twice, in a bank.

        Checked before writing, so that the broker reads which person or number
        clashes; the unique SQL constraints still hold when two brokers race.

        :param keys: [(company id, partner id, number)] about to be written
        """
        domain = [("company_id", "in", list({key[0] for key in keys}))]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        existing = self.sudo().search_fetch(
            domain, ["company_id", "partner_id", "number"]
        )
        taken_partners = {(m.company_id.id, m.partner_id.id): m for m in existing}
        taken_numbers = {(m.company_id.id, m.number): m for m in existing if m.number}
        for company_id, partner_id, number in keys:
            company = self.env["res.company"].browse(company_id).sudo()
            if (company_id, partner_id) in taken_partners:
                raise ValidationError(
                    _(
                        "%(name)s is already a member of %(bank)s: open the existing "
                        "membership instead.",
                        name=self.env["res.partner"].browse(partner_id).sudo().name,
                        bank=company.name,
                    )
                )
            if number and (company_id, number) in taken_numbers:
                raise ValidationError(
                    _(
                        "Member number %(number)s is already used in %(bank)s: "
                        "choose another number or leave it empty to get the next "
                        "one.",
                        number=number,
                        bank=company.name,
                    )
                )
            taken_partners[company_id, partner_id] = True
            if number:
                taken_numbers[company_id, number] = True

    def _check_state_transition(self, new_state):
        labels = dict(self._fields["state"]._description_selection(self.env))
        problems = []
        for member in self:
            if member.state == new_state:
                continue
            if new_state not in TRANSITIONS[member.state]:
                problems.append(
                    _(
                        "%(member)s: a membership cannot go from %(old)s to %(new)s.",
                        member=member.display_name,
                        old=labels[member.state],
                        new=labels[new_state],
                    )
                )
            elif (
                new_state == "active"
                and not member.partner_id.sudo().timebank_privacy_consent
            ):
                problems.append(
                    _(
                        "%(member)s cannot be activated before the person's privacy "
                        "consent is recorded.",
                        member=member.display_name,
                    )
                )
            elif new_state == "suspended" and not member.state_reason:
                problems.append(
                    _(
                        "%(member)s: write the reason for the suspension before "
                        "suspending.",
                        member=member.display_name,
                    )
                )
        if problems:
            raise UserError("\n".join(problems))

    def action_view_ledger(self):
        self.ensure_one()
        return self.account_id.action_view_lines()

    def _compute_exchange_count(self):
        Exchange = self.env["timebank.exchange"]
        counts = dict.fromkeys(self.ids, 0)
        for side in ("provider_id", "receiver_id"):
            for member, count in Exchange._read_group(
                [(side, "in", self.ids)], [side], ["__count"]
            ):
                counts[member.id] += count
        for member in self:
            member.exchange_count = counts.get(member.id, 0)

    def action_view_exchanges(self):
        """The services the member gave or received."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_exchange_action"
        )
        action["domain"] = [
            "|",
            ("provider_id", "=", self.id),
            ("receiver_id", "=", self.id),
        ]
        action["context"] = {"default_provider_id": self.id}
        return action

    def action_activate(self):
        self.check_access("write")
        for member in self:
            vals = {"state": "active"}
            if not member.join_date:
                vals["join_date"] = fields.Date.context_today(self)
            member._guarded_write(vals)
        return True

    def action_suspend(self):
        self.check_access("write")
        self._guarded_write({"state": "suspended"})
        return True

    def action_reinstate(self):
        self.check_access("write")
        self._guarded_write({"state": "active", "state_reason": False})
        return True

    def action_withdraw(self):
        self.check_access("write")
        self._guarded_write(
            {"state": "withdrawn", "withdrawal_date": fields.Date.context_today(self)}
        )
        return True

    def action_reapply(self):
        self.check_access("write")
        self._guarded_write({"state": "applicant", "withdrawal_date": False})
        return True

    def _timebank_notify_expiry(self, upcoming_by_member, today, expires_on):
        """Tell each member what expires, and when: by e-mail, or a letter to print.

        :param upcoming_by_member: {member: [(expiry date, minutes)]} credits not
            announced yet; none of them expires before ``expires_on``
        """
        if not upcoming_by_member:
            return
        template = self.env.ref("timebank_core.mail_template_expiry_notice")
        self.env["timebank.expiry.notice"].sudo()._guarded_create(
            [
                {
                    "member_id": member.id,
                    "account_id": member.account_id.id,
                    "company_id": member.company_id.id,
                    "notice_date": today,
                    "expiry_date": max(
                        expires_on, max(day for day, _minutes in upcoming)
                    ),
                    "covers_through": max(day for day, _minutes in upcoming),
                    "minutes": sum(minutes for _day, minutes in upcoming),
                    "channel": "email" if member.email else "letter",
                }
                for member, upcoming in upcoming_by_member.items()
            ]
        )
        for member, upcoming in upcoming_by_member.items():
            member._guarded_write(
                {
                    "expiry_notice_minutes": sum(minutes for _d, minutes in upcoming),
                    "expiry_notice_date": max(
                        expires_on, max(day for day, _minutes in upcoming)
                    ),
                    "expiry_notice_through": max(day for day, _m in upcoming),
                    "expiry_letter_pending": not member.email,
                }
            )
            if member.email:
                template.send_mail(member.id)
                member.message_post(body=_("Expiry notice sent by e-mail."))
            else:
                member.message_post(
                    body=_(
                        "No e-mail address: the expiry notice is waiting to be printed "
                        "and posted."
                    )
                )

    def _expiry_preview(self, today, horizon):
        """What will expire when, up to ``horizon``, as the expiry job will do it.

        :return: {member: [(date, minutes, announced)]}: the notices not expired
            yet, then the credits not announced yet, on the day they can expire
            at the earliest (the warning days after today's notice)
        """
        preview = {member: [] for member in self}
        Notice = self.env["timebank.expiry.notice"].sudo()
        for notice in Notice.search(
            [
                ("member_id", "in", self.ids),
                ("state", "=", "announced"),
                ("expiry_date", "<=", horizon),
            ],
            order="expiry_date, id",
        ):
            preview[notice.member_id].append((notice.expiry_date, notice.minutes, True))
        accounts = self.account_id.sudo()
        chunks = accounts._expiry_chunks(horizon)
        for member in self:
            earliest = today + timedelta(
                days=member.company_id.timebank_expiry_warning_days
            )
            through = member.expiry_notice_through
            for day, minutes in chunks.get(member.account_id.id, []):
                if (not through or day > through) and max(day, earliest) <= horizon:
                    preview[member].append((max(day, earliest), minutes, False))
        return preview

    def action_print_expiry_letters(self):
        members = self or self.search([("expiry_letter_pending", "=", True)])
        return marshallable(
            self.env.ref("timebank_core.action_report_expiry_letter").report_action(
                members
            )
        )

    def action_mark_letters_sent(self):
        self.check_access("write")
        self._guarded_write({"expiry_letter_pending": False})
        for member in self:
            member.message_post(body=_("Expiry notice printed and posted."))
        return True

    # ---------------------------------------------------------------- generations
    @api.model
    def _cron_timebank_generations(self):
        """Daily: move the members who changed generation on a birthday."""
        today = fields.Date.context_today(self)
        Member = self.sudo().with_context(active_test=False)
        stale = Member.browse()
        for company in Member.company_id.search([]):
            bounds = company._timebank_generation_birthdates(today)
            for generation, (born_after, born_on_or_before) in bounds.items():
                domain = [
                    ("company_id", "=", company.id),
                    ("partner_id.birthdate_date", "<=", born_on_or_before),
                    ("generation", "!=", generation),
                ]
                if born_after:
                    domain.append(("partner_id.birthdate_date", ">", born_after))
                stale |= Member.search(domain)
        if stale:
            self.env.add_to_compute(self._fields["generation"], stale)
            stale.flush_recordset(["generation"])

    # ------------------------------------------------------------------ reminders
    @api.model
    def _cron_timebank_reminders(self):
        """Daily: remind members whose balance runs low, or who do not use
        their credits, by e-mail or through a call of their broker."""
        banks = self.env["res.company"].sudo().search([])
        today = fields.Date.context_today(self)
        Cron = self.env["ir.cron"]
        for done, bank in enumerate(banks):
            self.sudo()._timebank_remind(bank, today)
            Cron._notify_progress(done=done + 1, remaining=len(banks) - done - 1)

    @api.model
    def _timebank_remind(self, bank, today):
        """The reminders of one bank, with its own settings.

        :return: (members reminded of a low balance, of unused credits)
        """
        low = self._timebank_low_balance_due(bank)
        low._timebank_send_reminder("low_balance", today)
        unused = self._timebank_unused_due(bank, today)
        unused._timebank_send_reminder("unused", today)
        return low, unused

    @api.model
    def _timebank_low_balance_due(self, bank):
        """Active members of ``bank`` whose balance fell below the threshold and
        who were not reminded of it since; a member seen back above it may be
        reminded again the next time it falls."""
        threshold = bank.timebank_low_balance_minutes
        if not threshold:
            return self.browse()
        self.search(
            [
                ("company_id", "=", bank.id),
                ("timebank_low_balance_reminded_on", "!=", False),
                ("account_id.balance", ">=", threshold),
            ]
        )._guarded_write({"timebank_low_balance_reminded_on": False})
        # a balance that never moved did not fall: no reminder on joining
        return self.search(
            [
                ("company_id", "=", bank.id),
                ("state", "=", "active"),
                ("timebank_low_balance_reminded_on", "=", False),
                ("account_id.balance", "<", threshold),
                ("account_id.line_ids.parent_state", "=", "posted"),
            ]
        )

    @api.model
    def _timebank_unused_due(self, bank, today):
        """Active members of ``bank`` with at least the bank's unused minutes
        who spent none on a service for its days (or joined before), not
        reminded of it within those days."""
        minutes = bank.timebank_unused_credit_minutes
        days = bank.timebank_unused_credit_days
        if not (minutes and days):
            return self.browse()
        since = today - timedelta(days=days)
        members = self.search(
            [
                ("company_id", "=", bank.id),
                ("state", "=", "active"),
                ("account_id.balance", ">=", minutes),
                "|",
                ("timebank_unused_reminded_on", "=", False),
                ("timebank_unused_reminded_on", "<=", since),
            ]
        )
        if not members:
            return members
        last_spent = dict(
            self.env["timebank.entry.line"]
            .sudo()
            ._read_group(
                [
                    ("account_id", "in", members.account_id.ids),
                    ("debit", ">", 0),
                    ("parent_state", "=", "posted"),
                    ("journal_id.type", "=", "exchange"),
                ],
                ["account_id"],
                ["date:max"],
            )
        )
        return members.filtered(
            lambda m: (
                (last_spent.get(m.account_id) or m.join_date or m.create_date.date())
                <= since
            )
        )

    def _timebank_send_reminder(self, kind, today):
        """An e-mail to each member who reads them, a call for the bank's broker
        to make for the others; then the reminder is remembered for ``today``.

        :param kind: a key of ``REMINDERS``
        """
        if not self:
            return
        template_xmlid, reminded_field = REMINDERS[kind]
        by_mail = self.filtered(
            lambda m: (
                m.partner_id.email and m.contact_channel not in ("phone", "in_person")
            )
        )
        to_call = self - by_mail
        if by_mail:
            self.env.ref(template_xmlid).send_mail_batch(by_mail.ids)
            body = (
                _("Low balance reminder sent by e-mail.")
                if kind == "low_balance"
                else _("Unused credits reminder sent by e-mail.")
            )
            by_mail._message_log_batch(dict.fromkeys(by_mail.ids, body))
        if to_call:
            call = self.env.ref("mail.mail_activity_data_call")
            model_id = self.env["ir.model"]._get(self._name).id
            brokers = {bank: bank._timebank_broker() for bank in to_call.company_id}
            self.env["mail.activity"].create(
                [
                    {
                        "activity_type_id": call.id,
                        "automated": True,
                        "res_model_id": model_id,
                        "res_id": member.id,
                        "user_id": brokers[member.company_id].id,
                        "date_deadline": today,
                        "summary": member.with_context(
                            lang=brokers[member.company_id].lang
                        )._timebank_reminder_summary(kind),
                        "note": member.with_context(
                            lang=brokers[member.company_id].lang
                        )._timebank_reminder_note(kind),
                    }
                    for member in to_call
                ]
            )
        self._guarded_write({reminded_field: today})

    def _timebank_reminder_summary(self, kind):
        self.ensure_one()
        name = self.partner_id.name
        if kind == "low_balance":
            return _("Call %(name)s: low balance", name=name)
        return _("Call %(name)s: credits to use", name=name)

    def _timebank_reminder_note(self, kind):
        """What the broker tells the member on the phone."""
        self.ensure_one()
        partner = self.partner_id
        phone = partner.phone or partner.mobile or _("no phone number")
        if kind == "low_balance":
            return _(
                "The balance of %(name)s (%(phone)s) is %(balance)s hours: soon "
                "they may not be able to ask for help. Suggest a service they could "
                "give to a neighbour.",
                name=partner.name,
                phone=phone,
                balance=self.balance_display,
            )
        note = _(
            "%(name)s (%(phone)s) has %(balance)s hours of credits and has received "
            "no service for a long time. Ask whether they need a hand, and help "
            "them ask for it.",
            name=partner.name,
            phone=phone,
            balance=self.balance_display,
        )
        if self.expiry_next_date:
            note += " " + _(
                "%(minutes)s hours of them expire on %(date)s.",
                minutes=format_minutes(self.expiry_next_minutes),
                date=format_date(self.env, self.expiry_next_date),
            )
        return note
