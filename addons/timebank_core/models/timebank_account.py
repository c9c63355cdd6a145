from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

ACCOUNT_TYPES = [
    ("member", "Member"),
    ("pool", "Community Pool"),
    ("issuance", "Issuance"),
    ("expiry", "Expiry"),
    ("clearing", "Inter-bank Clearing"),
]
SYSTEM_TYPES = ["pool", "issuance", "expiry", "clearing"]


def format_minutes(minutes):
    """Integer minutes as hours:minutes, e.g. 150 -> '2:30', -45 -> '-0:45'."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours}:{rest:02d}"


class TimebankAccount(models.Model):
    _name = "timebank.account"
    _description = "Time Bank Account"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _guarded_fields = ("type", "company_id", "member_id", "balance", "line_ids")
    _order = "company_id, type, name"

    name = fields.Char(required=True)
    type = fields.Selection(ACCOUNT_TYPES, required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    member_id = fields.Many2one(
        "timebank.member",
        readonly=True,
        ondelete="restrict",
        index="btree_not_null",
        check_company=True,
    )
    partner_id = fields.Many2one(related="member_id.partner_id", string="Person")
    balance = fields.Integer(
        readonly=True,
        default=0,
        copy=False,
        aggregator="sum",
        help="Credits minus debits of the posted entries, in minutes. Kept by the "
        "posting itself; the chain verification recomputes it from the lines.",
    )
    balance_display = fields.Char(
        string="Balance (h:mm)", compute="_compute_balance_display"
    )
    line_ids = fields.One2many("timebank.entry.line", "account_id", string="Lines")

    _sql_constraints = [
        ("member_uniq", "unique (member_id)", "A member has one account."),
        (
            "member_type",
            "CHECK ((type = 'member') = (member_id IS NOT NULL))",
            "Member accounts, and only they, belong to a member.",
        ),
    ]

    def init(self):
        # one account of each system type per bank
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS timebank_account_system_uniq "
                "ON timebank_account (company_id, type) WHERE type != 'member'"
            )
        )

    @api.depends("balance")
    def _compute_balance_display(self):
        for account in self:
            account.balance_display = format_minutes(account.balance)

    @api.depends("member_id.number", "member_id.partner_id.name", "type")
    def _compute_display_name(self):
        labels = dict(ACCOUNT_TYPES)
        for account in self:
            if account.member_id:
                account.display_name = account.member_id.display_name
            else:
                account.display_name = account.name or labels[account.type]

    def _guarded_hint(self):
        return _(
            "Accounts are opened with the bank and with each membership, and a "
            "balance moves only by posting entries."
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if (
            self.env["timebank.entry.line"]
            .sudo()
            .search_count([("account_id", "in", self.ids)], limit=1)
        ):
            raise UserError(_("An account with ledger lines cannot be deleted."))

    def _create_system_accounts(self, companies):
        existing = {
            (account.company_id.id, account.type)
            for account in self.search(
                [("company_id", "in", companies.ids), ("type", "in", SYSTEM_TYPES)]
            )
        }
        labels = dict(ACCOUNT_TYPES)
        return self._guarded_create(
            [
                {"name": labels[account_type], "type": account_type, "company_id": c.id}
                for c in companies
                for account_type in SYSTEM_TYPES
                if (c.id, account_type) not in existing
            ]
        )

    def _get_system(self, company, account_type):
        account = self.sudo().search(
            [("company_id", "=", company.id), ("type", "=", account_type)], limit=1
        )
        if not account:
            company._timebank_create_ledger()
            account = self.sudo().search(
                [("company_id", "=", company.id), ("type", "=", account_type)], limit=1
            )
        return account.with_env(self.env)

    def _credit_limits(self):
        """{account id: how far below zero it may go, or None for no limit}."""
        limits = {}
        for account in self:
            if account.type == "member":
                member = account.member_id
                limits[account.id] = (
                    member.credit_limit
                    if member.has_own_credit_limit
                    else account.company_id.timebank_credit_limit
                )
            elif account.type == "pool":
                limits[account.id] = account.company_id.timebank_pool_credit_limit
            else:
                limits[account.id] = None
        return limits

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_entry_line_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_posted": 1}
        return action

    # ------------------------------------------------------------------ expiry
    def _expiry_chunks(self, horizon):
        """What is left of each day's credits, first in first out, per account.

        Every minute ever taken from an account (spent, given, expired) uses up
        the oldest credits first; what is left of credits earned on a day
        expires on the bank's expiry date for that day.

        :return: {account id: [(expiry date, minutes left)]} for the credits
                 that expire on or before ``horizon``, oldest first
        """
        chunks = {}
        if not self:
            return chunks
        self.env["timebank.entry.line"].flush_model()
        # the banks are read before the queries: an ORM read between a query
        # and its fetch would run its own query and lose the rows
        companies = {account.id: account.company_id for account in self}
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT account_id, SUM(debit) FROM timebank_entry_line "
                "WHERE account_id IN %s AND parent_state IN ('posted', 'reversed') "
                "GROUP BY account_id",
                tuple(self.ids),
            )
        )
        taken = dict(cr.fetchall())
        cr.execute(
            SQL(
                "SELECT account_id, date, credit FROM timebank_entry_line "
                "WHERE account_id IN %s AND credit > 0 "
                "AND parent_state IN ('posted', 'reversed') "
                "ORDER BY account_id, date, id",
                tuple(self.ids),
            )
        )
        rows = cr.fetchall()
        for account_id, earned_on, minutes in rows:
            used = min(taken.get(account_id, 0), minutes)
            taken[account_id] = taken.get(account_id, 0) - used
            left = minutes - used
            if not left:
                continue
            expires_on = companies[account_id]._timebank_expiry_date(earned_on)
            if expires_on <= horizon:
                chunks.setdefault(account_id, []).append((expires_on, left))
        return chunks

    def _expiry_schedule(self, as_of, horizon):
        """Credits that expire, first in first out, per member account.

        :return: {account id: (minutes whose expiry date is ``as_of`` or before,
                               [(expiry date, minutes)] expiring after ``as_of``
                               up to ``horizon``)}
        """
        return {
            account_id: (
                sum(minutes for day, minutes in chunks if day <= as_of),
                [(day, minutes) for day, minutes in chunks if day > as_of],
            )
            for account_id, chunks in self._expiry_chunks(max(as_of, horizon)).items()
        }
