from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

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
        """Daily: post the expiry entries due and warn members ahead of time."""
        for company in self.search([]):
            company._timebank_run_expiry(fields.Date.context_today(self))

    def _timebank_run_expiry(self, today):
        """Expire what is due on ``today`` and warn of what expires soon."""
        self.ensure_one()
        Account = self.env["timebank.account"].sudo()
        accounts = Account.search(
            [("company_id", "=", self.id), ("type", "=", "member"), ("balance", ">", 0)]
        )
        horizon = today + timedelta(days=self.timebank_expiry_warning_days)
        journal = self.env["timebank.journal"].sudo()._get(self, "expiry")
        expiry_account = Account._get_system(self, "expiry")
        posted = self.env["timebank.entry"]
        for start in range(0, len(accounts), EXPIRY_BATCH):
            batch = accounts[start : start + EXPIRY_BATCH]
            schedule = batch._expiry_schedule(today, horizon)
            due = [
                (account_id, minutes)
                for account_id, (minutes, _u) in schedule.items()
                if minutes
            ]
            if due:
                entries = (
                    self.env["timebank.entry"]
                    .sudo()
                    .create(
                        [
                            {
                                "journal_id": journal.id,
                                "date": today,
                                "ref": _("Credits expired"),
                                "line_ids": [
                                    fields.Command.create(
                                        {
                                            "account_id": account_id,
                                            "name": _("Credits expired"),
                                            "debit": minutes,
                                        }
                                    ),
                                    fields.Command.create(
                                        {
                                            "account_id": expiry_account.id,
                                            "name": _("Credits expired"),
                                            "credit": minutes,
                                        }
                                    ),
                                ],
                            }
                            for account_id, minutes in due
                        ]
                    )
                )
                entries._post(check_limits=False)
                posted |= entries
            batch.member_id._timebank_notify_expiry(
                {
                    Account.browse(account_id).member_id: upcoming
                    for account_id, (_m, upcoming) in schedule.items()
                    if upcoming
                }
            )
        return posted
