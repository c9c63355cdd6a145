import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .timebank_guarded_mixin import GUARDED_CONTEXT_KEY, GUARDED_WRITE

_logger = logging.getLogger(__name__)

EXPIRY_BATCH = 500


class ResCompany(models.Model):
    _inherit = "res.company"

    timebank_adult_age = fields.Integer(
        string="Adult From Age",
        default=25,
        help="Members younger than this age belong to the youth generation.",
    )
    timebank_elder_age = fields.Integer(
        string="Elder From Age",
        default=65,
        help="Members of this age or older belong to the elder generation.",
    )

    timebank_four_eyes = fields.Boolean(
        string="Four Eyes on Paper Confirmations",
        default=True,
        help="When a broker confirms a service for the receiver (phone, signed "
        "sheet, in person), another broker must verify it. A bank with a single "
        "broker may turn this off; each service verified without the second "
        "broker says so in its history.",
    )
    timebank_require_proof = fields.Boolean(
        string="Require Proof Before Verification",
        help="A service is verified only with a photo or a document attached as "
        "its proof, or with the broker's written reason why it has none.",
    )
    timebank_credit_limit = fields.Integer(
        string="Default Time Credit Limit",
        default=600,
        help="How far below zero, in minutes, a member's balance may go, unless the "
        "member has a limit of their own.",
    )
    timebank_pool_credit_limit = fields.Integer(
        string="Community Pool Credit Limit",
        default=0,
        help="How far below zero, in minutes, the community pool may go.",
    )
    timebank_expiry_policy = fields.Selection(
        [
            ("years", "N years after they were earned"),
            ("year_end", "At the end of the year, N years after they were earned"),
        ],
        string="Credits Expire",
        default="years",
        required=True,
    )
    timebank_expiry_years = fields.Integer(
        string="Expiry Years",
        default=5,
        help="Credits expire this many years after they were earned. With the year "
        "end policy, 0 means at the end of the year they were earned.",
    )
    timebank_expiry_warning_days = fields.Integer(
        string="Expiry Warning Days",
        default=30,
        help="Members are warned this many days before their credits expire.",
    )
    timebank_low_balance_minutes = fields.Integer(
        string="Low Balance Reminder Below",
        default=60,
        help="A member whose balance falls below this time (h:mm) is reminded "
        "once, and again only after it went back above and fell again. 0: never.",
    )
    timebank_unused_credit_minutes = fields.Integer(
        string="Unused Credits Reminder From",
        default=600,
        help="A member with at least this time (h:mm) who has received no service "
        "for the days below is reminded to use them, at most once in those days. "
        "0: never.",
    )
    timebank_unused_credit_days = fields.Integer(
        string="Unused Credits Reminder After (days)",
        default=180,
        help="Days without receiving a service (or since joining) before a member "
        "with unused credits is reminded. 0: never.",
    )

    timebank_credit_reference_value = fields.Monetary(
        string="Reference Value of an Hour",
        currency_field="timebank_credit_reference_currency_id",
        help="Optional: what an hour of service would cost on the market, used only "
        "to show the value of the time given in impact reports (the indicators). It "
        "is never a price: no service, entry or balance uses it, and time credits "
        "have no cash value.",
    )
    timebank_credit_reference_currency_id = fields.Many2one(
        "res.currency",
        string="Reference Value Currency",
        default=lambda self: self.env.ref("base.TWD", raise_if_not_found=False),
    )
    timebank_public_board = fields.Boolean(
        string="Public Board of Hours",
        help="Publish a page with the hours the members gave each other, the "
        "services and the members: totals only, nothing about a person.",
    )
    timebank_public_signup = fields.Boolean(
        string="Applications Online",
        help="Anyone may apply to join from a public page linked from the login "
        "page; a broker calls each applicant before the membership starts.",
    )
    timebank_lock_date = fields.Date(
        string="Ledger Locked Until",
        readonly=True,
        copy=False,
        help="Nothing is posted, reversed or corrected with a date on or before "
        "this day: the years up to it are sealed. It moves forward only, when a "
        "general assembly approves the accounts of a year.",
    )

    timebank_star1_hours = fields.Integer(
        string="One Star From (hours)",
        default=10,
        help="Hours of service in a quarter that earn a member one star.",
    )
    timebank_star2_hours = fields.Integer(string="Two Stars From (hours)", default=20)
    timebank_star3_hours = fields.Integer(string="Three Stars From (hours)", default=40)

    @api.constrains(
        "timebank_star1_hours", "timebank_star2_hours", "timebank_star3_hours"
    )
    def _check_timebank_stars(self):
        for company in self:
            if not (
                0
                < company.timebank_star1_hours
                < company.timebank_star2_hours
                < company.timebank_star3_hours
            ):
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the hours for one, two and three stars "
                        "must rise, starting above zero.",
                        bank=company.name,
                    )
                )

    def write(self, vals):
        if "timebank_lock_date" in vals:
            self._check_timebank_lock_date_write(vals["timebank_lock_date"])
        turned_off = (
            self.filtered("timebank_four_eyes")
            if "timebank_four_eyes" in vals and not vals["timebank_four_eyes"]
            else self.browse()
        )
        result = super().write(vals)
        for company in turned_off:
            company.partner_id.sudo().message_post(
                body=_(
                    "%(user)s turned off the four-eyes check of %(bank)s: a broker "
                    "who confirms a service for the receiver may now verify it too.",
                    user=self.env.user.name,
                    bank=company.name,
                )
            )
        return result

    def _check_timebank_lock_date_write(self, value):
        """The lock date is set by sealing a year, never by hand, and never
        moves back."""
        if self.env.context.get(GUARDED_CONTEXT_KEY) is not GUARDED_WRITE:
            raise UserError(
                _(
                    "The ledger lock date of a time bank cannot be written by hand: "
                    "it is set when a general assembly approves the accounts of a "
                    "year, and never moves back."
                )
            )
        new = fields.Date.to_date(value)
        for company in self:
            if company.timebank_lock_date and (
                not new or new < company.timebank_lock_date
            ):
                raise UserError(
                    _(
                        "The ledger of %(bank)s is sealed until %(date)s: a sealed "
                        "year stays sealed, the lock date only moves forward.",
                        bank=company.name,
                        date=company.timebank_lock_date,
                    )
                )

    def _timebank_lock_until(self, day):
        """Seal the ledger of these banks up to ``day`` (included)."""
        day = fields.Date.to_date(day)
        for company in self:
            if not company.timebank_lock_date or company.timebank_lock_date < day:
                company.sudo().with_context(
                    **{GUARDED_CONTEXT_KEY: GUARDED_WRITE}
                ).write({"timebank_lock_date": day})
                company.partner_id.sudo().message_post(
                    body=_(
                        "The ledger of %(bank)s is now sealed until %(date)s: "
                        "nothing is posted, reversed or corrected with a date on "
                        "or before it.",
                        bank=company.name,
                        date=day,
                    )
                )
        return True

    def _timebank_public_board(self):
        """Totals only, for the public page: hours given, services, members."""
        self.ensure_one()
        Exchange = self.env["timebank.exchange"].sudo()
        by_year = Exchange._read_group(
            [("company_id", "=", self.id), ("state", "=", "posted")],
            ["date_start:year"],
            ["posted_minutes:sum", "__count"],
            order="date_start:year",
        )
        members = (
            self.env["timebank.member"]
            .sudo()
            .search_count([("company_id", "=", self.id), ("state", "=", "active")])
        )
        minutes = sum(total for _year, total, _count in by_year)
        currency = self.timebank_credit_reference_currency_id
        return {
            "hours": minutes // 60,
            "services": sum(count for _year, _total, count in by_year),
            "members": members,
            "by_year": [
                (year.year, total // 60, count) for year, total, count in by_year
            ],
            "impact_value": currency.round(
                minutes / 60 * self.timebank_credit_reference_value
            )
            if currency and self.timebank_credit_reference_value
            else 0.0,
            "currency": currency,
        }

    def _timebank_apply_online(self, values):
        """A person applies to join from the public page: an applicant
        membership (nothing more until a broker has called) and a call for the
        bank's broker.

        :param values: name, phone, email, area, wish ("offer", "need", "both")
        :return: the applicant's membership
        """
        self.ensure_one()
        if not self.timebank_public_signup:
            raise UserError(
                _("%(bank)s does not take applications online.", bank=self.name)
            )
        wishes = {
            "offer": _("would like to help"),
            "need": _("would like some help"),
            "both": _("would like to help and be helped"),
        }
        Partner = self.env["res.partner"].sudo()
        partner = Partner.create(
            {
                "name": values["name"],
                "phone": values.get("phone") or False,
                "email": values.get("email") or False,
                "timebank_service_area": values.get("area") or False,
                "timebank_contact_channel": "phone" if values.get("phone") else "email",
                "timebank_privacy_consent": True,
                "lang": values.get("lang") or self.partner_id.lang,
                "company_id": self.id,
            }
        )
        member = (
            self.env["timebank.member"]
            .sudo()
            .create({"partner_id": partner.id, "company_id": self.id})
        )
        wish = wishes.get(values.get("wish"), wishes["both"])
        member.message_post(
            body=_("Applied online: %(name)s %(wish)s.", name=partner.name, wish=wish)
        )
        member.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            user_id=self._timebank_broker().id,
            summary=_("Call the applicant"),
            note=_(
                "%(name)s applied online and %(wish)s. Call to welcome them, check "
                "who they are and register their skills and needs.",
                name=partner.name,
                wish=wish,
            ),
        )
        return member

    def _timebank_broker(self):
        """The broker a bank's scheduled to-dos and calls go to: its first
        broker who is not the system's administrator, else its first broker;
        with none, the user running a job, and never a portal user (the
        administrator then)."""
        self.ensure_one()
        # read as the bank: whoever acts (a member booking, a job) may not
        # read the bank's users
        brokers = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    (
                        "groups_id",
                        "in",
                        self.env.ref("timebank_core.group_timebank_broker").ids,
                    ),
                    ("company_ids", "in", self.ids),
                    ("share", "=", False),
                ],
                order="id",
            )
        )
        broker = (
            brokers.filtered(lambda u: not u.has_group("base.group_system"))[:1]
            or brokers[:1]
        )
        if broker:
            return broker.with_env(self.env)
        if self.env.user.share:
            return self.env.ref("base.user_admin").with_env(self.env)
        return self.env.user

    def _timebank_stars(self, minutes):
        """Stars of a quarter in which a member gave ``minutes`` of service."""
        self.ensure_one()
        hours = minutes / 60
        thresholds = (
            self.timebank_star1_hours,
            self.timebank_star2_hours,
            self.timebank_star3_hours,
        )
        return sum(1 for threshold in thresholds if hours >= threshold)

    @api.constrains(
        "timebank_credit_limit",
        "timebank_pool_credit_limit",
        "timebank_expiry_policy",
        "timebank_expiry_years",
        "timebank_expiry_warning_days",
        "timebank_low_balance_minutes",
        "timebank_unused_credit_minutes",
        "timebank_unused_credit_days",
    )
    def _check_timebank_ledger_settings(self):
        for company in self:
            if (
                company.timebank_credit_limit < 0
                or company.timebank_pool_credit_limit < 0
            ):
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: a credit limit is how far below zero a "
                        "balance may go; it cannot be negative.",
                        bank=company.name,
                    )
                )
            minimum = 1 if company.timebank_expiry_policy == "years" else 0
            if company.timebank_expiry_years < minimum:
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: credits must last at least %(years)s "
                        "year(s) with this expiry policy.",
                        bank=company.name,
                        years=minimum,
                    )
                )
            if company.timebank_expiry_warning_days < 0:
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the expiry warning cannot come after the "
                        "expiry.",
                        bank=company.name,
                    )
                )
            if (
                min(
                    company.timebank_low_balance_minutes,
                    company.timebank_unused_credit_minutes,
                    company.timebank_unused_credit_days,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the minutes and days of the reminders "
                        "cannot be negative (0 turns a reminder off).",
                        bank=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._timebank_create_ledger()
        return companies

    @api.model
    def _timebank_create_ledger_all(self):
        """At install and update: the ledger of every bank and member already there."""
        self.search([])._timebank_create_ledger()
        self.env["timebank.member"].search(
            [("account_id", "=", False)]
        )._create_accounts()

    def _timebank_create_ledger(self):
        """Journals, system accounts and hash chain of each bank that lacks them."""
        self.env["timebank.journal"].sudo()._create_for_companies(self)
        self.env["timebank.account"].sudo()._create_system_accounts(self)
        self.env["timebank.chain"].sudo()._create_for_companies(self)

    def _timebank_expiry_date(self, earned_on):
        """The day credits earned on ``earned_on`` expire, under this bank's policy."""
        self.ensure_one()
        years = self.timebank_expiry_years
        if self.timebank_expiry_policy == "year_end":
            return earned_on.replace(year=earned_on.year + years, month=12, day=31)
        return earned_on + relativedelta(years=years)

    @api.constrains("timebank_adult_age", "timebank_elder_age")
    def _check_timebank_generation_ages(self):
        for company in self:
            if not 0 < company.timebank_adult_age < company.timebank_elder_age:
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the adult age (%(adult)s) must be above "
                        "zero and below the elder age (%(elder)s).",
                        bank=company.name,
                        adult=company.timebank_adult_age,
                        elder=company.timebank_elder_age,
                    )
                )

    def _timebank_generation_of_age(self, age):
        self.ensure_one()
        if age < self.timebank_adult_age:
            return "youth"
        if age < self.timebank_elder_age:
            return "adult"
        return "elder"

    def _timebank_generation_birthdates(self, today):
        """Birth date bounds of each generation on ``today``.

        :return: {generation: (born after, born on or before)}, None where unbounded
        """
        self.ensure_one()
        adult_from = today - relativedelta(years=self.timebank_adult_age)
        elder_from = today - relativedelta(years=self.timebank_elder_age)
        return {
            "youth": (adult_from, today),
            "adult": (elder_from, adult_from),
            "elder": (None, elder_from),
        }

    @api.model
    def _cron_timebank_expiry(self):
        """Daily: warn members of what will expire, then expire what was announced.

        Each bank in turn, with the cron's progress (banks done, banks left); a
        bank whose run fails is undone alone, its managers are told why, and the
        other banks run."""
        banks = self.search([])
        Cron = self.env["ir.cron"]
        for done, company in enumerate(banks):
            try:
                with self.env.cr.savepoint():
                    company._timebank_run_expiry(fields.Date.context_today(self))
            except (UserError, ValidationError) as error:
                company._timebank_report_failure(_("Expiry run"), error)
            Cron._notify_progress(done=done + 1, remaining=len(banks) - done - 1)

    def _timebank_report_failure(self, what, error):
        """Tell the bank's time bank managers that ``what`` failed, and why."""
        self.ensure_one()
        _logger.warning("%s failed for %s: %s", what, self.name, error)
        managers = (
            self.env.ref("timebank_core.group_timebank_manager")
            .sudo()
            .users.filtered(lambda user: self in user.company_ids)
        )
        if not managers:
            return
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=managers.partner_id.ids,
            subject=_("%(what)s failed in %(bank)s", what=what, bank=self.name),
            body=_(
                "%(what)s failed in %(bank)s: %(reason)s",
                what=what,
                bank=self.name,
                reason=getattr(error, "args", None) and error.args[0] or str(error),
            ),
        )

    def _timebank_run_expiry(self, today):
        """Announce the credits that expire soon, and expire what was announced.

        Credits never expire unannounced: whatever the policy says (also credits
        already past their date on a bank's first run), a member is told at least
        the warning days ahead, and on that date at most what was announced
        expires, first in first out, once.

        :return: the expiry entries posted
        """
        self.ensure_one()
        Account = self.env["timebank.account"].sudo()
        accounts = Account.search(
            [("company_id", "=", self.id), ("type", "=", "member"), ("balance", ">", 0)]
        )
        expires_on = today + timedelta(days=self.timebank_expiry_warning_days)
        for start in range(0, len(accounts), EXPIRY_BATCH):
            batch = accounts[start : start + EXPIRY_BATCH]
            chunks = batch._expiry_chunks(expires_on)
            open_notices = dict(
                self.env["timebank.expiry.notice"]
                .sudo()
                ._read_group(
                    [("account_id", "in", batch.ids), ("state", "=", "announced")],
                    ["account_id"],
                    ["minutes:sum"],
                )
            )
            announce = {}
            for account in batch:
                through = account.member_id.expiry_notice_through
                new = [
                    (day, minutes)
                    for day, minutes in chunks.get(account.id, [])
                    if not through or day > through
                ]
                # credits recorded late, older than what was announced: told
                # apart, they expire the warning days after
                late = sum(
                    minutes
                    for day, minutes in chunks.get(account.id, [])
                    if through and day <= through
                ) - open_notices.get(account, 0)
                if late > 0:
                    new.insert(0, (through, late))
                if new:
                    announce[account.member_id] = new
            batch.member_id._timebank_notify_expiry(announce, today, expires_on)
        return self._timebank_expire_announced(today)

    def _timebank_expire_announced(self, today):
        """Post the expiries announced for ``today`` or before."""
        self.ensure_one()
        Notice = self.env["timebank.expiry.notice"].sudo()
        due = Notice.search(
            [
                ("company_id", "=", self.id),
                ("state", "=", "announced"),
                ("expiry_date", "<=", today),
            ],
            order="account_id, covers_through, id",
        )
        journal = self.env["timebank.journal"].sudo()._get(self, "expiry")
        expiry_account = self.env["timebank.account"].sudo()._get_system(self, "expiry")
        posted = self.env["timebank.entry"]
        accounts = due.account_id
        for start in range(0, len(accounts), EXPIRY_BATCH):
            batch = accounts[start : start + EXPIRY_BATCH]
            # the notices of each account, oldest first (``due`` is ordered)
            by_account = {}
            for notice in due:
                if notice.account_id in batch:
                    by_account.setdefault(notice.account_id.id, []).append(notice)
            cut = {
                account_id: max(n.covers_through for n in notices)
                for account_id, notices in by_account.items()
            }
            chunks = batch._expiry_chunks(max(cut.values()))
            amounts = {
                account.id: min(
                    sum(
                        minutes
                        for day, minutes in chunks.get(account.id, [])
                        if day <= cut[account.id]
                    ),
                    sum(n.minutes for n in by_account[account.id]),
                )
                for account in batch
            }
            due_accounts = [a for a in batch if amounts[a.id] > 0]
            entries = self.env["timebank.entry"].sudo()
            if due_accounts:
                entries = entries._transfer_many(
                    [
                        {
                            "journal": journal,
                            "date": today,
                            "ref": _("Credits expired"),
                            "debit": account,
                            "credit": expiry_account,
                            "minutes": amounts[account.id],
                        }
                        for account in due_accounts
                    ],
                    check_limits=False,
                )
                posted |= entries
            entry_of = dict(zip([a.id for a in due_accounts], entries, strict=True))
            for account in batch:
                left = amounts[account.id]
                for notice in by_account[account.id]:
                    part = min(left, notice.minutes)
                    left -= part
                    notice._guarded_write(
                        {
                            "state": "expired",
                            "expired_minutes": part,
                            "entry_id": entry_of[account.id].id
                            if account.id in entry_of
                            else False,
                        }
                    )
        return posted
