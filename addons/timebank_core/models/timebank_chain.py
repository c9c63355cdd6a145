import json
import logging
from collections import defaultdict

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .timebank_entry import CHAIN_VERSION, chain_hash, ledger_busy

_logger = logging.getLogger(__name__)

# Name of the seal format; a new format gets a new name, never a new meaning.
SEAL_FORMAT = "timebank-chain-seal-1"
# Where a transaction collects the banks whose postings wait for the sequencer.
POSTCOMMIT_KEY = "timebank.chain.pending_companies"


def run_sequencer(registry, company_ids):
    """Number and chain the pending entries of these banks in a transaction of
    its own, in READ COMMITTED, and commit.

    Runs right after a posting commits (and from the cron). Each bank's chain row
    is locked while its entries are sequenced, so runs of a bank follow one
    another; in READ COMMITTED each run sees every posting committed before it
    took the lock, so none is left behind and none waits on a snapshot. A failure
    leaves the entries pending for the next run: they are posted already.
    """
    try:
        with registry.cursor() as cr:
            if not registry.in_test_mode():
                # the first statement of the transaction: no snapshot taken yet
                cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["timebank.chain"]._sequence_pending(company_ids)
    except Exception:
        _logger.exception(
            "Sequencing the ledger of banks %s failed: their posted entries stay "
            "pending for the next run.",
            company_ids,
        )


class TimebankChain(models.Model):
    """Head of the hash chain of a bank's posted entries.

    One row per bank. Posting does not touch it: the sequencer (below) numbers
    and chains posted entries right after their transaction commits, in posting
    order, with this row locked, so two runs of a bank never chain onto the same
    entry and postings of a bank never wait on each other's transactions.
    """

    _name = "timebank.chain"
    _description = "Time Bank Hash Chain"
    _inherit = ["timebank.guarded.mixin"]
    _guarded_fields = ("company_id", "last_hash", "entry_count")

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    last_hash = fields.Char(readonly=True, copy=False)
    entry_count = fields.Integer(readonly=True, copy=False, default=0)

    _sql_constraints = [
        ("company_uniq", "unique (company_id)", "A time bank has one hash chain."),
    ]

    def _create_for_companies(self, companies):
        existing = self.search([("company_id", "in", companies.ids)]).company_id
        return self._guarded_create(
            [{"company_id": c.id} for c in companies - existing]
        )

    # ------------------------------------------------------------------ sequencer
    @api.model
    def _sequence_after_commit(self, company_ids):
        """Sequence the pending entries of these banks once this transaction
        has committed (nothing happens if it rolls back)."""
        cr = self.env.cr
        pending = cr.postcommit.data.setdefault(POSTCOMMIT_KEY, set())
        if not pending:
            registry = self.env.registry
            cr.postcommit.add(lambda: run_sequencer(registry, sorted(pending)))
        pending.update(company_ids)

    @api.model
    def _sequence_pending(self, company_ids=None):
        """Number and chain, in this transaction, the posted entries still
        pending of these banks (of every bank by default), in posting order.

        Numbers stay gapless per journal and the chain gapless per bank: only
        entries of committed postings (or of this transaction) are sequenced, with
        the bank's chain row locked. In a REPEATABLE READ transaction that
        started before another run committed, the lock raises the ledger's busy
        error, which Odoo retries.

        :return: the entries sequenced
        """
        Entry = self.env["timebank.entry"]
        self.env.flush_all()
        cr = self.env.cr
        if company_ids is None:
            cr.execute(
                SQL(
                    "SELECT DISTINCT company_id FROM timebank_entry WHERE chain_pending"
                )
            )
            company_ids = [row[0] for row in cr.fetchall()]
        sequenced = []
        with ledger_busy(self.env):
            for company_id in sorted(set(company_ids)):
                sequenced += self._sequence_bank(company_id)
        return Entry.browse(sequenced)

    def _lock_head(self, company_id):
        """(chain id, last hash, entry count) of a bank, its row locked."""
        query = SQL(
            "SELECT id, last_hash, entry_count FROM timebank_chain "
            "WHERE company_id = %s FOR UPDATE",
            company_id,
        )
        self.env.cr.execute(query)
        head = self.env.cr.fetchone()
        if head is None:
            self.env["res.company"].browse(company_id).sudo()._timebank_create_ledger()
            self.env.flush_all()
            self.env.cr.execute(query)
            head = self.env.cr.fetchone()
        return head

    def _sequence_bank(self, company_id):
        cr = self.env.cr
        # most runs find their entries sequenced by the run before: they neither
        # lock nor write anything
        cr.execute(
            SQL(
                "SELECT 1 FROM timebank_entry "
                "WHERE company_id = %s AND chain_pending LIMIT 1",
                company_id,
            )
        )
        if not cr.fetchone():
            return []
        chain_id, last_hash, count = self._lock_head(company_id)
        cr.execute(
            SQL(
                "SELECT id, journal_id FROM timebank_entry "
                "WHERE company_id = %s AND chain_pending "
                "ORDER BY posted_at, date, id",
                company_id,
            )
        )
        rows = cr.fetchall()
        if not rows:
            return []
        entry_ids = [entry_id for entry_id, _journal in rows]
        by_journal = defaultdict(list)
        for entry_id, journal_id in rows:
            by_journal[journal_id].append(entry_id)
        Entry = self.env["timebank.entry"].sudo()
        names = {}
        for journal in self.env["timebank.journal"].sudo().browse(sorted(by_journal)):
            ids = by_journal[journal.id]
            names.update(zip(ids, journal._reserve_numbers(len(ids)), strict=True))
        # the hash covers the new numbers (a reversal's, the number it
        # reverses): numbers, sequence and hash in one UPDATE of the entries
        payloads = Entry._chain_payloads(entry_ids, CHAIN_VERSION, names)
        count = count or 0
        first = count + 1
        hashes = []
        for entry_id in entry_ids:
            last_hash = chain_hash(last_hash, payloads[entry_id])
            hashes.append(last_hash)
        count += len(entry_ids)
        cr.execute(
            SQL(
                "UPDATE timebank_entry AS e SET name = v.name, "
                "chain_sequence = v.sequence, chain_hash = v.hash, "
                "chain_version = %s, chain_pending = FALSE "
                "FROM unnest(%s::int4[], %s::varchar[], %s::int4[], %s::varchar[]) "
                "AS v(id, name, sequence, hash) WHERE e.id = v.id",
                CHAIN_VERSION,
                entry_ids,
                [names[entry_id] for entry_id in entry_ids],
                list(range(first, count + 1)),
                hashes,
            )
        )
        cr.execute(
            SQL(
                "UPDATE timebank_chain SET last_hash = %s, entry_count = %s "
                "WHERE id = %s",
                last_hash,
                count,
                chain_id,
            )
        )
        Entry.browse(entry_ids).invalidate_recordset(
            ["name", "chain_sequence", "chain_hash", "chain_version", "chain_pending"]
        )
        self.browse(chain_id).invalidate_recordset(["last_hash", "entry_count"])
        return entry_ids

    @api.model
    def _cron_sequence_pending(self):
        """Sequence what a crash between a posting's commit and its sequencer
        left pending."""
        self.env.cr.execute(
            SQL("SELECT DISTINCT company_id FROM timebank_entry WHERE chain_pending")
        )
        company_ids = [row[0] for row in self.env.cr.fetchall()]
        if company_ids:
            run_sequencer(self.env.registry, company_ids)
        return True

    # ------------------------------------------------------------------ seals
    @api.model
    def _head(self, company):
        """The head of a bank's chain as it stands, and what still waits for it.

        :return: dict with ``entry_count``, ``last_hash`` and ``pending`` (posted
                 entries not numbered and chained yet)
        """
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT entry_count, last_hash FROM timebank_chain "
                "WHERE company_id = %s",
                company.id,
            )
        )
        count, last_hash = cr.fetchone() or (0, None)
        cr.execute(
            SQL(
                "SELECT count(*) FROM timebank_entry "
                "WHERE company_id = %s AND chain_pending",
                company.id,
            )
        )
        return {
            "entry_count": count or 0,
            "last_hash": last_hash or "",
            "pending": cr.fetchone()[0],
        }

    @api.model
    def _seal(self, company):
        """The seal of a bank's chain: what an auditor keeps outside the database.

        A later rewrite of the chain up to the sealed entry, even one that
        recomputes every hash, no longer matches the sealed hash.
        """
        head = self._head(company)
        return {
            "format": SEAL_FORMAT,
            "database": self.env["ir.config_parameter"]
            .sudo()
            .get_param("database.uuid", ""),
            "bank": company.name,
            "bank_id": company.id,
            "entry_count": head["entry_count"],
            "last_hash": head["last_hash"],
            "sealed_at": fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @api.model
    def _seal_text(self, seal):
        """The seal as a file: indented JSON with sorted keys, UTF-8, one final
        newline; the same seal always gives the same bytes, so the file can be
        signed as it is."""
        return json.dumps(seal, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @api.model
    def _parse_seals(self, seals):
        """Seals given as dicts, JSON text or bytes, checked for their fields.

        :return: list of dicts with ``bank_id``, ``entry_count``, ``last_hash``,
                 ``sealed_at`` and ``database``
        """
        parsed = []
        for seal in seals or []:
            if isinstance(seal, bytes):
                seal = seal.decode("utf-8", "replace")
            if isinstance(seal, str):
                try:
                    seal = json.loads(seal)
                except ValueError:
                    seal = None
            valid = (
                isinstance(seal, dict)
                and seal.get("format") == SEAL_FORMAT
                and isinstance(seal.get("bank_id"), int)
                and isinstance(seal.get("entry_count"), int)
                and seal["entry_count"] >= 0
                and isinstance(seal.get("last_hash"), str)
                and (bool(seal["last_hash"]) == bool(seal["entry_count"]))
            )
            if not valid:
                raise UserError(
                    _(
                        "This is not a seal of the ledger: a seal is the JSON file "
                        "exported from Chain Seal (format %(format)s).",
                        format=SEAL_FORMAT,
                    )
                )
            parsed.append(seal)
        return parsed
