import hashlib
import json
from contextlib import contextmanager

from psycopg2 import errorcodes, errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, clean_context

from .timebank_account import format_minutes
from .timebank_guarded_mixin import GUARDED_WRITE

# Only the ledger's own code passes this object in the context; RPC cannot, so
# nothing from outside writes the fields that posting sets.
LEDGER_WRITE = GUARDED_WRITE

# Fields of an entry that never change once it is posted.
PROTECTED_FIELDS = {
    "name",
    "journal_id",
    "company_id",
    "date",
    "ref",
    "state",
    "line_ids",
    "reversed_entry_id",
    "exchange_id",
    "posted_at",
    "posted_by_id",
    "chain_sequence",
    "chain_hash",
    "chain_version",
    "chain_pending",
}
# Fields set by posting only, never by a user, even on a draft.
POSTING_FIELDS = {
    "name",
    "state",
    "reversed_entry_id",
    "posted_at",
    "posted_by_id",
    "chain_sequence",
    "chain_hash",
    "chain_version",
    "chain_pending",
}
# What the hash of an entry covers: 1 = number, journal, bank, date, description,
# what it reverses and lines; 2 = also the state at posting, who posted and when,
# and the labels of the lines. New entries are chained under the latest version;
# each entry keeps the version it was chained under.
CHAIN_VERSION = 2
CHAIN_VERSIONS = (1, 2)
MAX_PROBLEMS = 20
# Bounds of the ledger, well inside PostgreSQL's integers: one line moves at most
# 100 million minutes, an entry a billion, and no balance passes a billion minutes
# (about 1,900 years) either way.
MAX_LINE_MINUTES = 100_000_000
MAX_ENTRY_MINUTES = 1_000_000_000
MAX_BALANCE_MINUTES = 1_000_000_000


def chain_hash(previous_hash, payload):
    """sha256 over the previous hash and the sorted JSON of the entry."""
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash or ''}|{data}".encode()).hexdigest()


class LedgerBusyError(UserError, errors.SerializationFailure):
    """Postings met on the same rows (an account, a bank's chain).

    A serialization failure for Odoo, which rolls back and retries the request as
    for any other; a plain message for the user when the last retry fails too,
    instead of a database error.
    """

    pgcode = errorcodes.SERIALIZATION_FAILURE
    # the web client shows it as it shows any UserError
    context = {"exception_class": "odoo.exceptions.UserError"}


@contextmanager
def ledger_busy(env):
    """Turn the concurrency errors of the ledger's own statements into
    ``LedgerBusyError``."""
    try:
        yield
    except (
        errors.SerializationFailure,
        errors.DeadlockDetected,
        errors.LockNotAvailable,
    ) as error:
        if isinstance(error, LedgerBusyError):
            raise
        raise LedgerBusyError(
            env._(
                "The ledger is busy with other postings on the same accounts: try "
                "again in a moment."
            )
        ) from error


class TimebankEntry(models.Model):
    _name = "timebank.entry"
    _description = "Time Bank Entry"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "date desc, id desc"
    _guarded_fields = POSTING_FIELDS | {"exchange_id", "reversal_entry_ids"}

    name = fields.Char(
        string="Number", readonly=True, copy=False, default="/", index="trigram"
    )
    journal_id = fields.Many2one(
        "timebank.journal", required=True, index=True, check_company=True
    )
    company_id = fields.Many2one(
        related="journal_id.company_id", store=True, string="Time Bank", index=True
    )
    date = fields.Date(
        required=True, index=True, default=fields.Date.context_today, tracking=True
    )
    ref = fields.Char(string="Description")
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("reversed", "Reversed")],
        required=True,
        readonly=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    line_ids = fields.One2many(
        "timebank.entry.line", "entry_id", string="Lines", copy=True
    )
    total_minutes = fields.Integer(
        compute="_compute_total_minutes", store=True, string="Minutes"
    )
    total_display = fields.Char(string="Total (h:mm)", compute="_compute_total_display")
    reversed_entry_id = fields.Many2one(
        "timebank.entry",
        string="Reverses",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    reversal_entry_ids = fields.One2many(
        "timebank.entry", "reversed_entry_id", string="Reversed By", readonly=True
    )
    exchange_id = fields.Many2one(
        "timebank.exchange",
        string="Service",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    posted_at = fields.Datetime(readonly=True, copy=False)
    posted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    chain_sequence = fields.Integer(
        readonly=True, copy=False, index="btree_not_null", aggregator=None
    )
    chain_hash = fields.Char(readonly=True, copy=False)
    chain_version = fields.Integer(
        readonly=True,
        copy=False,
        aggregator=None,
        help="What the hash of the entry covers (see the ledger's documentation).",
    )
    chain_pending = fields.Boolean(
        string="Number Pending",
        readonly=True,
        copy=False,
        help="Posted, and numbered and chained in posting order right after the "
        "posting was saved.",
    )

    def init(self):
        # the sequencer looks for the few entries still pending of a bank
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS timebank_entry_chain_pending_idx "
                "ON timebank_entry (company_id) WHERE chain_pending"
            )
        )

    @api.depends("line_ids.debit")
    def _compute_total_minutes(self):
        for entry in self:
            entry.total_minutes = sum(entry.line_ids.mapped("debit"))

    @api.constrains("total_minutes")
    def _check_total_minutes(self):
        for entry in self:
            if entry.total_minutes > MAX_ENTRY_MINUTES:
                raise ValidationError(
                    _(
                        "%(entry)s moves %(minutes)s minutes: one entry moves at most "
                        "%(max)s.",
                        entry=entry.ref or entry.name,
                        minutes=entry.total_minutes,
                        max=MAX_ENTRY_MINUTES,
                    )
                )

    @api.depends("total_minutes")
    def _compute_total_display(self):
        for entry in self:
            entry.total_display = format_minutes(entry.total_minutes)

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "They are set by posting, not by hand (number, state, who posted and "
            "when, the hash chain), and the lines make the total: post the entry, "
            "or correct a posted one with a reversal and a new entry."
        )

    @api.model_create_multi
    def create(self, vals_list):
        # entries come by thousands (exchanges, expiry): no "created" message and
        # no follower per entry; the chain and posted_at / posted_by_id tell who
        quiet = {"mail_create_nolog": True, "mail_create_nosubscribe": True}
        entries = super(TimebankEntry, self.with_context(**quiet)).create(vals_list)
        return entries.with_env(self.env)

    def write(self, vals):
        if self.env.context.get("timebank_ledger") is not LEDGER_WRITE:
            self._check_guarded_write(vals)
            if PROTECTED_FIELDS & set(vals):
                self._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        self._check_draft(deleting=True)

    def _check_draft(self, deleting=False):
        done = self.filtered(lambda e: e.state != "draft")
        if not done:
            return
        entries = ", ".join(done.mapped("name"))
        if deleting:
            message = _(
                "Posted entries can never be deleted: %(entries)s. Correct a mistake "
                "with a reversal and a new entry.",
                entries=entries,
            )
        else:
            message = _(
                "Posted entries can never be changed: %(entries)s. Correct a mistake "
                "with a reversal and a new entry.",
                entries=entries,
            )
        raise UserError(message)

    # ------------------------------------------------------------------ posting
    def action_post(self):
        self.check_access("write")
        self._post()
        return True

    def _post(self, check_limits=True):
        """Post draft entries as one batch.

        Validates the whole batch and raises one error listing every problem;
        then locks the accounts (in id order), checks the credit limits against
        the locked balances and moves the balances. Postings of a bank on
        different accounts never wait on each other: the entries are numbered
        per journal and chained in posting order by the bank's sequencer right
        after this transaction commits (``timebank.chain``); until then their
        number reads "pending". Code that needs the numbers within the
        transaction calls ``_sequence_now()`` (or posts with the context key
        ``timebank_sequence_now``).
        """
        if not self:
            return self
        self._check_postable()
        # posted_at / posted_by_id and the hash chain are the audit trail; no
        # tracking message per entry, so that thousands post in one batch
        ledger = self.sudo().with_context(
            timebank_ledger=LEDGER_WRITE, tracking_disable=True
        )
        cr = self.env.cr
        self.env.flush_all()
        with ledger_busy(self.env):
            # what the entries move on each account, in id order
            cr.execute(
                SQL(
                    "SELECT account_id, SUM(credit) - SUM(debit) "
                    "FROM timebank_entry_line WHERE entry_id IN %s "
                    "GROUP BY account_id ORDER BY account_id",
                    tuple(self.ids),
                )
            )
            self._move_balances(dict(cr.fetchall()), check_limits)
            ledger.browse(self.ids).write(
                {
                    "state": "posted",
                    "posted_at": fields.Datetime.now(),
                    "posted_by_id": self.env.uid,
                    "name": self.env._("pending"),
                    "chain_pending": True,
                }
            )
            reversed_entries = self.reversed_entry_id
            if reversed_entries:
                ledger.browse(reversed_entries.ids).write({"state": "reversed"})
            self.env.flush_all()
        if self.env.context.get("timebank_sequence_now"):
            self._sequence_now()
        else:
            self.env["timebank.chain"]._sequence_after_commit(self.company_id.ids)
        return self

    def _sequence_now(self):
        """Number and chain now, in this transaction, the pending entries of the
        banks of these entries (with every entry of theirs posted before)."""
        self.env["timebank.chain"].sudo()._sequence_pending(self.company_id.ids)
        return True

    def _move_balances(self, deltas, check_limits):
        """Lock the accounts of ``deltas`` ({account id: minutes}, in id order)
        FOR NO KEY UPDATE (lines being inserted elsewhere only take a key share
        on them), check the limits against the locked balances, and move them."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, balance FROM timebank_account WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                tuple(deltas),
            )
        )
        balances = dict(cr.fetchall())
        if check_limits:
            self._check_credit_limits(balances, deltas)
        cr.execute(
            SQL(
                "UPDATE timebank_account AS a SET balance = a.balance + v.delta "
                "FROM unnest(%s::int4[], %s::int4[]) AS v(id, delta) WHERE a.id = v.id",
                list(deltas),
                list(deltas.values()),
            )
        )
        self._invalidate_balances(deltas)

    def _invalidate_balances(self, account_ids):
        """Balances moved in SQL: forget what the cache holds of them."""
        self.env["timebank.account"].browse(account_ids).invalidate_recordset(
            ["balance", "balance_display"]
        )
        self.env["timebank.member"].invalidate_model(["balance", "balance_display"])
        self.env["res.partner"].invalidate_model(["timebank_balance"])

    def _locked_problem(self, label, lock_date):
        """Why an entry dated in a sealed year is refused, and what to do."""
        self.ensure_one()
        if self.exchange_id and not self.reversed_entry_id:
            return _(
                "%(entry)s took place on %(date)s, in a year whose accounts are "
                "sealed (the ledger of %(bank)s is locked until %(lock)s). It "
                "cannot be posted with that date: record it again dated in the "
                "open period (after %(lock)s) and write in its description that it "
                "took place on %(date)s.",
                entry=label,
                date=self.date,
                bank=self.company_id.name,
                lock=lock_date,
            )
        return _(
            "%(entry)s is dated %(date)s, but the ledger of %(bank)s is locked "
            "until %(lock)s (the accounts of that year are sealed): nothing is "
            "posted, reversed or corrected on or before that day. Date it after "
            "%(lock)s; a correction goes into the open period and names what it "
            "corrects.",
            entry=label,
            date=self.date,
            bank=self.company_id.name,
            lock=lock_date,
        )

    def _check_postable(self):
        """Every problem of the batch, in one error."""
        problems = []
        today = fields.Date.context_today(self)
        for entry in self:
            label = entry.ref or entry.name or _("New entry")
            if entry.state != "draft":
                problems.append(_("%(entry)s is already posted.", entry=entry.name))
                continue
            if entry.date > today:
                problems.append(self._future_problem(label, entry.date))
            lock_date = entry.company_id.timebank_lock_date
            if lock_date and entry.date <= lock_date:
                problems.append(entry._locked_problem(label, lock_date))
            if len(entry.line_ids) < 2:
                problems.append(_("%(entry)s needs at least two lines.", entry=label))
            problems += self._account_problems(
                label,
                entry.line_ids.account_id,
                entry.journal_id,
                bool(entry.reversed_entry_id),
            )
        if self.ids:
            self.env["timebank.entry.line"].flush_model(["entry_id", "debit", "credit"])
            self.env.cr.execute(
                SQL(
                    "SELECT entry_id, SUM(debit), SUM(credit) FROM timebank_entry_line "
                    "WHERE entry_id IN %s GROUP BY entry_id "
                    "HAVING SUM(debit) != SUM(credit)",
                    tuple(self.ids),
                )
            )
            for entry_id, debit, credit in self.env.cr.fetchall():
                entry = self.browse(entry_id)
                problems.append(
                    _(
                        "%(entry)s is not balanced: debits %(debit)s, credits "
                        "%(credit)s.",
                        entry=entry.ref or entry.name,
                        debit=format_minutes(debit),
                        credit=format_minutes(credit),
                    )
                )
        self._raise_problems(problems)

    @api.model
    def _future_problem(self, label, day):
        return _(
            "%(entry)s is dated %(date)s, in the future: the ledger records what "
            "has happened.",
            entry=label,
            date=day,
        )

    @api.model
    def _account_problems(self, label, accounts, journal, reversing):
        """What refuses moving minutes on ``accounts`` in ``journal``: an account
        of another bank, a member who is not active (unless the credits expire
        or a mistake is reversed)."""
        problems = []
        for account in accounts:
            if account.company_id != journal.company_id:
                problems.append(
                    _(
                        "%(entry)s: account %(account)s belongs to another time bank.",
                        entry=label,
                        account=account.display_name,
                    )
                )
            elif (
                account.type == "member"
                and account.member_id.state != "active"
                and journal.type != "expiry"
                and not reversing
            ):
                problems.append(
                    _(
                        "%(entry)s: %(member)s is not an active member.",
                        entry=label,
                        member=account.member_id.display_name,
                    )
                )
        return problems

    @api.model
    def _raise_problems(self, problems):
        """One error for every problem of a batch (the first ones, and how many
        more)."""
        if not problems:
            return
        problems = list(dict.fromkeys(problems))
        more = len(problems) - MAX_PROBLEMS
        text = "\n".join(problems[:MAX_PROBLEMS])
        if more > 0:
            text += "\n" + _("... and %(count)s more.", count=more)
        raise UserError(text)

    def _check_credit_limits(self, balances, deltas):
        accounts = (
            self.env["timebank.account"]
            .sudo()
            .browse([key for key, delta in deltas.items() if delta < 0])
        )
        limits = accounts._credit_limits()
        problems = []
        for account_id, delta in deltas.items():
            if abs(balances[account_id] + delta) > MAX_BALANCE_MINUTES:
                problems.append(
                    _(
                        "%(account)s would hold %(balance)s minutes: no balance may "
                        "pass %(max)s minutes either way.",
                        account=self.env["timebank.account"]
                        .sudo()
                        .browse(account_id)
                        .display_name,
                        balance=balances[account_id] + delta,
                        max=MAX_BALANCE_MINUTES,
                    )
                )
        for account in accounts:
            limit = limits[account.id]
            new_balance = balances[account.id] + deltas[account.id]
            if limit is not None and new_balance < -limit:
                problems.append(
                    _(
                        "%(account)s cannot pay %(amount)s: the balance is %(balance)s "
                        "and may not go below -%(limit)s.",
                        account=account.display_name,
                        amount=format_minutes(-deltas[account.id]),
                        balance=format_minutes(balances[account.id]),
                        limit=format_minutes(limit),
                    )
                )
        if problems:
            raise UserError("\n".join(problems))

    # ------------------------------------------------------------------ reversal
    def action_reverse(self):
        self.check_access("write")
        reversals = self._reverse()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_entry_action"
        )
        action["domain"] = [("id", "in", reversals.ids)]
        if len(reversals) == 1:
            action.update(
                res_id=reversals.id, view_mode="form", views=[(False, "form")]
            )
        return action

    @api.model
    def _transfer(self, journal, debit, credit, minutes, ref, **options):
        """Move ``minutes`` from account ``debit`` to account ``credit``: one
        posted two-line entry of ``journal``. See ``_transfer_many``."""
        check_limits = options.pop("check_limits", True)
        transfer = dict(
            options,
            journal=journal,
            debit=debit,
            credit=credit,
            minutes=minutes,
            ref=ref,
        )
        return self._transfer_many([transfer], check_limits)

    @api.model
    def _transfer_many(self, transfers, check_limits=True):
        """The ledger's one way for code to move minutes: a posted two-line
        entry per transfer, all posted as one batch (one lock of the accounts,
        one check of the limits, numbers and chain as for any posting).

        Each transfer is a dict: ``journal``, ``debit`` and ``credit``
        (accounts), ``minutes``, ``ref``; optional ``date`` (today),
        ``label`` (of both lines, else ``ref``), ``debit_label``,
        ``credit_label``, and ``vals``: other fields of the entry that the
        ledger's own code sets (``exchange_id``, an addon's link). Raises, and
        posts nothing, when any transfer breaks a rule: one error lists the
        problems of the whole batch.

        The entries and their lines are written with one ``INSERT`` per table
        for the batch, already posted (as ``_post`` leaves them: pending for the
        sequencer), and put in the ORM cache as ``create`` would.
        """
        if not transfers:
            return self.browse()
        # no tracking message per entry, as _post
        ledger = self.sudo().with_context(
            timebank_ledger=LEDGER_WRITE, tracking_disable=True
        )
        Line = ledger.env["timebank.entry.line"]
        today = fields.Date.context_today(self)
        rows = []
        for transfer in transfers:
            label = transfer.get("label") or transfer["ref"]
            rows.append(
                {
                    "journal": transfer["journal"],
                    "debit": transfer["debit"],
                    "credit": transfer["credit"],
                    "minutes": transfer["minutes"],
                    "ref": transfer["ref"],
                    "date": fields.Date.to_date(transfer.get("date")) or today,
                    "debit_label": transfer.get("debit_label") or label,
                    "credit_label": transfer.get("credit_label") or label,
                    "vals": transfer.get("vals") or {},
                }
            )
        ledger._check_transfers(rows, today)
        # what the entries and lines get by default (an addon's fields)
        entry_defaults = transfer_defaults(
            ledger,
            {"journal_id", "ref", "date", "line_ids"}
            | {name for row in rows for name in row["vals"]},
        )
        line_defaults = transfer_defaults(
            Line, {"entry_id", "account_id", "name", "debit", "credit"}
        )
        self.env.flush_all()
        deltas = {}
        for row in rows:
            debit_id, credit_id = row["debit"].id, row["credit"].id
            deltas[debit_id] = deltas.get(debit_id, 0) - row["minutes"]
            deltas[credit_id] = deltas.get(credit_id, 0) + row["minutes"]
        deltas = dict(sorted(deltas.items()))
        with ledger_busy(self.env):
            # the accounts, in id order, locked and moved as _post does
            ledger._move_balances(deltas, check_limits)
            now = fields.Datetime.now()
            pending = self.env._("pending")
            entry_vals = [
                dict(
                    entry_defaults,
                    **row["vals"],
                    journal_id=row["journal"].id,
                    company_id=row["journal"].company_id.id,
                    date=row["date"],
                    ref=row["ref"],
                    total_minutes=row["minutes"],
                    state="posted",
                    posted_at=now,
                    posted_by_id=self.env.uid,
                    name=pending,
                    chain_pending=True,
                )
                for row in rows
            ]
            entries = insert_rows(ledger, entry_vals)
            line_vals = []
            for row, entry_id in zip(rows, entries.ids, strict=True):
                common = dict(
                    line_defaults,
                    entry_id=entry_id,
                    company_id=row["journal"].company_id.id,
                    journal_id=row["journal"].id,
                    date=row["date"],
                    parent_state="posted",
                )
                line_vals.append(
                    dict(
                        common,
                        account_id=row["debit"].id,
                        member_id=row["debit"].member_id.id,
                        name=row["debit_label"],
                        debit=row["minutes"],
                        credit=0,
                        amount=-row["minutes"],
                    )
                )
                line_vals.append(
                    dict(
                        common,
                        account_id=row["credit"].id,
                        member_id=row["credit"].member_id.id,
                        name=row["credit_label"],
                        debit=0,
                        credit=row["minutes"],
                        amount=row["minutes"],
                    )
                )
            # the entries' totals are given: the new lines do not recompute them
            total_field = entries._fields["total_minutes"]
            with self.env.protecting([total_field], entries):
                lines = insert_rows(Line, line_vals, inverses_set={"entry_id"})
            line_field = entries._fields["line_ids"]
            line_ids = lines.ids
            for index, entry in enumerate(entries):
                self.env.cache.set(
                    entry, line_field, tuple(line_ids[2 * index : 2 * index + 2])
                )
            # what create checks: the records an entry links to (a service, a
            # reversed entry, an addon's link) belong to its bank; the journal
            # gave the entry its bank and the accounts were checked above
            linked = {name for row in rows for name in row["vals"]} - {"company_id"}
            if linked:
                entries._check_company(list(linked))
            reversed_entries = entries.reversed_entry_id
            if reversed_entries:
                ledger.browse(reversed_entries.ids).write({"state": "reversed"})
            self.env.flush_all()
        if self.env.context.get("timebank_sequence_now"):
            entries._sequence_now()
        else:
            self.env["timebank.chain"]._sequence_after_commit(entries.company_id.ids)
        return entries.with_env(self.env)

    def _check_transfers(self, rows, today):
        """Every problem of a batch of transfers, in one error: what ``create``
        and ``_check_postable`` refuse of an entry, per transfer."""
        problems = []
        Line = self.env["timebank.entry.line"]
        minutes_label = Line._fields["debit"]._description_string(self.env)
        for row in rows:
            label = row["ref"] or _("New entry")
            company = row["journal"].company_id
            texts = {
                "ref": row["ref"],
                "debit_label": row["debit_label"],
                "credit_label": row["credit_label"],
            }
            texts.update(
                (name, value)
                for name, value in row["vals"].items()
                if isinstance(value, str)
            )
            for name, value in texts.items():
                if isinstance(value, str) and "\x00" in value:
                    field = self._fields.get(name) or Line._fields["name"]
                    problems.append(
                        _(
                            "%(field)s contains a NUL character (\\x00), which "
                            "cannot be stored: remove it.",
                            field=field._description_string(self.env),
                        )
                    )
            minutes = row["minutes"]
            try:
                check_minutes_value(minutes, minutes_label)
            except ValidationError as error:
                problems.append(f"{label}: {error.args[0]}")
                continue
            if not minutes or minutes < 0:
                problem = _(
                    "A line takes minutes (debit) or gives minutes (credit): a "
                    "positive whole number of minutes on one side only "
                    "(%(account)s).",
                    account=row["debit"].display_name,
                )
                problems.append(f"{label}: {problem}")
                continue
            row["minutes"] = int(minutes)
            if row["date"] > today:
                problems.append(self._future_problem(label, row["date"]))
            lock_date = company.timebank_lock_date
            if lock_date and row["date"] <= lock_date:
                draft = self.new(
                    {
                        "journal_id": row["journal"].id,
                        "date": row["date"],
                        "exchange_id": row["vals"].get("exchange_id"),
                    }
                )
                problems.append(draft._locked_problem(label, lock_date))
            problems += self._account_problems(
                label,
                row["debit"] | row["credit"],
                row["journal"],
                bool(row["vals"].get("reversed_entry_id")),
            )
        self._raise_problems(problems)

    def _reverse(self, date=None, ref=None):
        """Post the mirror of each posted entry and mark it reversed."""
        not_posted = self.filtered(lambda e: e.state != "posted")
        if not_posted:
            raise UserError(
                _(
                    "Only posted entries can be reversed: %(entries)s.",
                    entries=", ".join(
                        not_posted.mapped(lambda e: e.name or e.ref or "/")
                    ),
                )
            )
        # the description of a reversal names the entry it reverses
        self.filtered("chain_pending")._sequence_now()
        reversals = (
            self.with_context(timebank_ledger=LEDGER_WRITE)
            .create(
                [
                    {
                        "journal_id": entry.journal_id.id,
                        "date": date or fields.Date.context_today(self),
                        "ref": ref or _("Reversal of %(entry)s", entry=entry.name),
                        "reversed_entry_id": entry.id,
                        "line_ids": [
                            fields.Command.create(
                                {
                                    "account_id": line.account_id.id,
                                    "name": line.name,
                                    "debit": line.credit,
                                    "credit": line.debit,
                                }
                            )
                            for line in entry.line_ids
                        ],
                    }
                    for entry in self
                ]
            )
            .with_context(timebank_ledger=None)
        )
        reversals._post(check_limits=False)
        return reversals

    # ------------------------------------------------------------------ chain
    def _chain_payloads(self, entry_ids, version=None, names=None):
        """{entry id: what its hash covers}, read from the database itself.

        Each entry under the chain version it was chained with, or under
        ``version`` (the sequencer, before it stores the version); ``names``
        ({entry id: number}) are the numbers the sequencer gives in the same
        statement as the hashes, not written yet.
        """
        names = names or {}
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT e.id, COALESCE(%s, e.chain_version), e.company_id, "
                "e.journal_id, e.name, e.date, COALESCE(e.ref, ''), "
                "COALESCE(r.name, ''), e.state, e.posted_by_id, e.posted_at, r.id "
                "FROM timebank_entry e LEFT JOIN timebank_entry r "
                "ON r.id = e.reversed_entry_id WHERE e.id IN %s",
                version,
                tuple(entry_ids),
            )
        )
        payloads = {}
        for row in cr.fetchall():
            entry_id, entry_version, company_id, journal_id, name, day = row[:6]
            ref, reverses, state, posted_by, posted_at, reversed_id = row[6:]
            name = names.get(entry_id, name)
            reverses = names.get(reversed_id, reverses)
            payload = {
                "v": entry_version,
                "company": company_id,
                "journal": journal_id,
                "name": name,
                "date": day.isoformat(),
                "ref": ref,
                "reverses": reverses,
                "lines": [],
            }
            if entry_version != 1:
                # the state it was posted in: a later reversal does not rewrite it
                payload.update(
                    state="posted" if state in ("posted", "reversed") else state,
                    posted_by=posted_by,
                    posted_at=fields.Datetime.to_string(posted_at),
                )
            payloads[entry_id] = payload
        cr.execute(
            SQL(
                "SELECT entry_id, account_id, debit, credit, COALESCE(name, '') "
                "FROM timebank_entry_line WHERE entry_id IN %s",
                tuple(entry_ids),
            )
        )
        # sorted here, not by the database's collation, so that a restored copy
        # of the database gives the same hashes
        for entry_id, account_id, debit, credit, label in sorted(cr.fetchall()):
            payload = payloads[entry_id]
            line = [account_id, debit, credit]
            if payload["v"] != 1:
                line.append(label)
            payload["lines"].append(line)
        return payloads

    @api.model
    def verify_chain(self, company_id=None, batch_size=5000, seals=None):
        """Walk a bank's chain and name the first entry that breaks it.

        First numbers and chains what a crash may have left pending. An entry
        breaks the chain when one before it is missing, when its state
        contradicts the ledger (a draft in the chain, reversed without a posted
        reversal pointing to it or posted with one), when its hash no longer
        matches what it covers, or when it sits where a seal was taken and its
        hash differs from the sealed one: the chain was recomputed after the seal,
        however consistent it is now. Also recomputes every account's balance
        from its lines. Callable over RPC; a manager's button and
        ``bin/timebank verify`` use it.

        :param seals: seals exported earlier (dicts or their JSON text); those of
                      other banks or databases are left aside
        :return: dict with ``ok``, ``checked``, ``first_broken`` (entry number),
                 ``reason``, ``balance_mismatches`` [(account, kept, computed)],
                 ``seals_checked`` and ``sequenced`` (pending entries chained
                 first)
        """
        for name, value in (("company_id", company_id), ("batch_size", batch_size)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise UserError(
                    _(
                        "%(name)s is a whole number (the id of a time bank, the "
                        "entries read at a time), not %(value)r.",
                        name=name,
                        value=value,
                    )
                )
        company = (
            self.env["res.company"].browse(company_id)
            if company_id
            else self.env.company
        )
        if not company.exists():
            raise UserError(_("There is no time bank with id %(id)s.", id=company_id))
        batch_size = batch_size or 5000
        self.env["timebank.entry"].check_access("read")
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                _("You can only verify the ledger of your own time banks.")
            )
        Chain = self.env["timebank.chain"].sudo()
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        seals = [
            seal
            for seal in Chain._parse_seals(seals)
            if seal["bank_id"] == company.id
            and seal.get("database") in (None, "", database)
        ]
        sequenced = Chain._sequence_pending([company.id])
        cr = self.env.cr
        result = {
            "bank": company.name,
            "ok": True,
            "checked": 0,
            "first_broken": False,
            "reason": False,
            "balance_mismatches": [],
            "seals_checked": 0,
            "sequenced": len(sequenced),
        }
        sealed = {}
        for seal in seals:
            sealed.setdefault(seal["entry_count"], []).append(seal)
        result["seals_checked"] = len(sealed.get(0, ()))
        previous_hash, expected_sequence, last_sequence = None, 1, 0
        while True:
            cr.execute(
                SQL(
                    "SELECT e.id, e.name, e.chain_sequence, e.chain_hash, e.state, "
                    "EXISTS (SELECT 1 FROM timebank_entry r "
                    "WHERE r.reversed_entry_id = e.id AND r.state != 'draft') "
                    "FROM timebank_entry e "
                    "WHERE e.company_id = %s AND e.chain_sequence > %s "
                    "ORDER BY e.chain_sequence LIMIT %s",
                    company.id,
                    last_sequence,
                    batch_size,
                )
            )
            rows = cr.fetchall()
            if not rows:
                break
            payloads = self._chain_payloads([row[0] for row in rows])
            for entry_id, name, sequence, stored_hash, state, reversed_by in rows:
                reason = self._chain_problem(
                    (sequence, stored_hash, state, reversed_by),
                    payloads[entry_id],
                    (expected_sequence, previous_hash),
                    sealed.get(sequence, ()),
                    result,
                )
                if reason:
                    result.update(ok=False, first_broken=name, reason=reason)
                    break
                previous_hash, expected_sequence = stored_hash, expected_sequence + 1
                result["checked"] += 1
            if not result["ok"]:
                break
            last_sequence = rows[-1][2]
        cr.execute(
            SQL(
                "SELECT entry_count, last_hash FROM timebank_chain "
                "WHERE company_id = %s",
                company.id,
            )
        )
        head = cr.fetchone()
        if result["ok"] and head and (head[0] or 0) != result["checked"]:
            result.update(
                ok=False,
                first_broken=False,
                reason=_(
                    "the chain should hold %(expected)s entries, %(found)s were found",
                    expected=head[0],
                    found=result["checked"],
                ),
            )
        beyond = [s for s in seals if s["entry_count"] > result["checked"]]
        if result["ok"] and beyond:
            result.update(
                ok=False,
                first_broken=False,
                reason=_(
                    "the seal of %(date)s covers %(sealed)s entries, the chain holds "
                    "%(found)s",
                    date=beyond[0].get("sealed_at") or "?",
                    sealed=beyond[0]["entry_count"],
                    found=result["checked"],
                ),
            )
        cr.execute(
            SQL(
                "SELECT a.id, a.balance, COALESCE(SUM(l.credit - l.debit), 0) "
                "FROM timebank_account a "
                "LEFT JOIN timebank_entry_line l ON l.account_id = a.id "
                "AND l.parent_state IN ('posted', 'reversed') "
                "WHERE a.company_id = %s GROUP BY a.id "
                "HAVING a.balance != COALESCE(SUM(l.credit - l.debit), 0)",
                company.id,
            )
        )
        for account_id, kept, computed in cr.fetchall():
            account = self.env["timebank.account"].sudo().browse(account_id)
            result["balance_mismatches"].append((account.display_name, kept, computed))
            result["ok"] = False
        return result

    def _chain_problem(self, entry, payload, expected, seals, result):
        """Why an entry of the chain breaks it, or None.

        :param entry: (sequence, stored hash, state, whether a posted reversal
                      points to it)
        :param expected: (sequence it should have, hash of the entry before it)
        :param seals: seals taken at its place in the chain
        """
        sequence, stored_hash, state, reversed_by = entry
        expected_sequence, previous_hash = expected
        if sequence != expected_sequence:
            return _(
                "entry number %(expected)s of the chain is missing",
                expected=expected_sequence,
            )
        if state == "draft":
            return _("it is in the chain but marked as a draft")
        if state == "reversed" and not reversed_by:
            return _("it is marked reversed but no posted reversal points to it")
        if state == "posted" and reversed_by:
            return _("a posted reversal points to it but it is not marked reversed")
        if payload["v"] not in CHAIN_VERSIONS:
            return _("it carries no known version of the chain")
        if chain_hash(previous_hash, payload) != stored_hash:
            return _("its content or its place in the chain was changed")
        for seal in seals:
            result["seals_checked"] += 1
            if seal["last_hash"] != stored_hash:
                return _(
                    "its hash differs from the seal of %(date)s: the chain was "
                    "rewritten after it was sealed",
                    date=seal.get("sealed_at") or "?",
                )
        return None

    def action_verify_chain(self):
        result = self.verify_chain(self.env.company.id)
        if result["ok"]:
            message = _(
                "The ledger of %(bank)s is intact: %(count)s posted entries checked, "
                "every balance matches its lines.",
                bank=result["bank"],
                count=result["checked"],
            )
        else:
            parts = []
            if result["reason"]:
                parts.append(
                    _(
                        "The chain breaks at %(entry)s: %(reason)s.",
                        entry=result["first_broken"] or "-",
                        reason=result["reason"],
                    )
                )
            for account, kept, computed in result["balance_mismatches"]:
                parts.append(
                    _(
                        "%(account)s shows %(kept)s but its lines add up to "
                        "%(computed)s.",
                        account=account,
                        kept=format_minutes(kept),
                        computed=format_minutes(computed),
                    )
                )
            message = "\n".join(parts)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Ledger verification"),
                "message": message,
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
            },
        }


def check_minutes_value(value, label):
    """Refuse what is not a whole number of minutes within the ledger's bounds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if value in (None, False):
            return
        raise ValidationError(
            _(
                "%(label)s must be a whole number of minutes, not %(value)r.",
                label=label,
                value=value,
            )
        )
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(
            _(
                "%(label)s must be a whole number of minutes: %(value)s has a "
                "fraction of a minute.",
                label=label,
                value=value,
            )
        )
    if abs(value) > MAX_LINE_MINUTES:
        raise ValidationError(
            _(
                "%(label)s: %(value)s minutes is more than one line may move "
                "(%(max)s minutes).",
                label=label,
                value=int(value),
                max=MAX_LINE_MINUTES,
            )
        )


def transfer_defaults(model, given):
    """Defaults of the stored fields not in ``given``, as ``create`` would
    add them (without the context's ``default_*`` of the caller's model)."""
    defaults = model.with_context(
        clean_context(model.env.context)
    )._add_missing_default_values(dict.fromkeys(given, False))
    return {
        name: value
        for name, value in defaults.items()
        if name not in given
        and model._fields[name].store
        and model._fields[name].column_type
    }


def insert_rows(model, vals_list, inverses_set=()):
    """One ``INSERT`` of ``vals_list`` (stored column values, write format)
    and the ORM told as ``_create`` tells it: the new records in cache,
    inverse fields updated, computed fields that depend on them marked,
    constraints checked.

    :param inverses_set: names of many2one fields whose inverse one2many the
        caller puts in cache itself"""
    now = model.env.cr.now()
    uid = model.env.uid
    names = sorted({name for vals in vals_list for name in vals})
    columns = names + ["create_uid", "create_date", "write_uid", "write_date"]
    fields_ = [model._fields[name] for name in names]
    # one array per column, unnested into rows in their order: the statement
    # and its parameters do not grow with every value of every row
    arrays = [
        [
            field.convert_to_column_insert(vals.get(field.name), model, vals)
            for vals in vals_list
        ]
        for field in fields_
    ]
    model.env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT *, %s, %s, %s, %s FROM unnest(%s) RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in columns),
            uid,
            now,
            uid,
            now,
            SQL(", ").join(
                SQL("%s::" + field.column_type[1] + "[]", values)
                for field, values in zip(fields_, arrays, strict=True)
            ),
        )
    )
    records = model.browse([row[0] for row in model.env.cr.fetchall()])
    cache = model.env.cache
    count = len(records)
    magic = {"create_uid": uid, "create_date": now, "write_uid": uid}
    magic["write_date"] = now
    inverses = {}
    for field in model._fields.values():
        if field.type in ("one2many", "many2many"):
            cache.update(records, field, [()] * count)
        elif field.related and not field.column_type:
            continue
        elif field.name in magic:
            value = field.convert_to_cache(magic[field.name], model)
            cache.update(records, field, [value] * count)
        elif field.name in names:
            values = [
                field.convert_to_cache(vals.get(field.name), model)
                for vals in vals_list
            ]
            cache.update(records, field, values)
            if (
                field.type == "many2one"
                and field.name not in inverses_set
                and model.pool.field_inverses[field]
            ):
                for record_id, value in zip(records._ids, values, strict=True):
                    inverses.setdefault((field, value), []).append(record_id)
        elif field.store and field.column_type and not field.compute:
            value = field.convert_to_cache(None, model)
            cache.update(records, field, [value] * count)
    for (field, value), record_ids in inverses.items():
        # only a one2many already read in this transaction is told of its new
        # records (what _update_inverses does, without filtering the records
        # of every other value first)
        if value is None:
            continue
        corecord = model.env[field.comodel_name].browse(value)
        if any(
            cache.contains(corecord, inverse)
            for inverse in model.pool.field_inverses[field]
        ):
            field._update_inverses(model.browse(record_ids), value)
    written = [model._fields[name] for name in names]
    with model.env.protecting(written, records):
        records.modified(model._fields, create=True)
    records._validate_fields(names)
    return records


class TimebankEntryLine(models.Model):
    _name = "timebank.entry.line"
    _description = "Time Bank Entry Line"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "date desc, entry_id desc, id"

    entry_id = fields.Many2one(
        "timebank.entry", required=True, ondelete="cascade", index=True
    )
    account_id = fields.Many2one(
        "timebank.account", required=True, index=True, check_company=True
    )
    name = fields.Char(string="Label")
    debit = fields.Integer(default=0, help="Minutes taken from the account.")
    credit = fields.Integer(default=0, help="Minutes given to the account.")
    company_id = fields.Many2one(
        related="entry_id.company_id", store=True, string="Time Bank", index=True
    )
    journal_id = fields.Many2one(related="entry_id.journal_id", store=True)
    date = fields.Date(related="entry_id.date", store=True)
    parent_state = fields.Selection(
        related="entry_id.state", store=True, string="Status"
    )
    member_id = fields.Many2one(related="account_id.member_id", store=True, index=True)
    amount = fields.Integer(
        compute="_compute_amount",
        store=True,
        string="Net Minutes",
        help="Credit minus debit, in minutes.",
    )

    _sql_constraints = [
        (
            "amounts_valid",
            "CHECK (debit IS NOT NULL AND credit IS NOT NULL AND debit >= 0 "
            "AND credit >= 0 AND (debit = 0) != (credit = 0))",
            "A line takes minutes (debit) or gives minutes (credit), a positive "
            "whole number of minutes, not both.",
        ),
    ]

    def init(self):
        # balances and statements read an account's posted lines by date
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS timebank_entry_line_account_date_idx "
                "ON timebank_entry_line (account_id, date, id)"
            )
        )

    @api.depends("debit", "credit")
    def _compute_amount(self):
        for line in self:
            line.amount = line.credit - line.debit

    @api.constrains("debit", "credit")
    def _check_amounts(self):
        for line in self:
            if (
                line.debit < 0
                or line.credit < 0
                or bool(line.debit) == bool(line.credit)
            ):
                raise ValidationError(
                    _(
                        "A line takes minutes (debit) or gives minutes (credit): a "
                        "positive whole number of minutes on one side only "
                        "(%(account)s).",
                        account=line.account_id.display_name,
                    )
                )

    def _guarded_hint(self):
        return _(
            "They follow the entry and the account; a line only takes or gives "
            "minutes on an account."
        )

    def _check_minutes_vals(self, vals):
        for name in ("debit", "credit"):
            if name in vals:
                check_minutes_value(
                    vals[name], self._fields[name]._description_string(self.env)
                )

    @api.model_create_multi
    def create(self, vals_list):
        entries = self.env["timebank.entry"].browse(
            {vals["entry_id"] for vals in vals_list if vals.get("entry_id")}
        )
        entries._check_draft()
        for vals in vals_list:
            self._check_minutes_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self.entry_id._check_draft()
        if vals.get("entry_id"):
            # a line moves only between drafts: never into a posted entry
            self.env["timebank.entry"].browse(vals["entry_id"])._check_draft()
        self._check_minutes_vals(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        self.entry_id._check_draft()
