from psycopg2 import errors

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.timebank_chain import POSTCOMMIT_KEY
from ..models.timebank_entry import LedgerBusyError
from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerSequencer(TimebankCase):
    """Postings as a client makes them: numbered and chained after the commit.

    A test never commits, so the entries stay pending until the test sequences
    them the way code that needs the numbers at once does.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.env = cls.env(context=dict(cls.env.context, timebank_sequence_now=False))

    def _post(self, minutes, journal_type="exchange", **vals):
        entry = self._entry(
            [(self.carol.account_id, minutes, 0), (self.david.account_id, 0, minutes)],
            journal_type,
            **vals,
        )
        entry.action_post()
        return entry

    def test_posting_leaves_number_and_hash_pending(self):
        entry = self._post(30)
        self.assertEqual(entry.state, "posted")
        self.assertTrue(entry.chain_pending)
        self.assertEqual(entry.name, "pending")
        self.assertFalse(entry.chain_sequence)
        self.assertFalse(entry.chain_hash)
        self.assertTrue(entry.posted_at)
        # the credits moved at once
        self.assertEqual(self.carol.balance, -30)
        self.assertEqual(self.david.balance, 30)
        # the sequencer runs once the transaction has committed
        self.assertIn(self.bank_a.id, self.env.cr.postcommit.data[POSTCOMMIT_KEY])
        entry._sequence_now()
        self.assertFalse(entry.chain_pending)
        self.assertEqual(entry.name, "EXC/000001")
        self.assertEqual(entry.chain_sequence, 1)
        self.assertEqual(entry.chain_version, 2)
        self.assertTrue(entry.chain_hash)

    def test_numbers_follow_the_posting_order_per_journal(self):
        first = self._post(10)
        gift = self._post(5, "donation")
        second = self._post(20)
        # a second batch of the same bank, sequenced with the first
        self.env["timebank.chain"]._sequence_pending([self.bank_a.id])
        self.assertEqual(
            (first | gift | second).mapped("name"),
            ["EXC/000001", "DON/000001", "EXC/000002"],
        )
        self.assertEqual((first | gift | second).mapped("chain_sequence"), [1, 2, 3])
        self.assertEqual(self._journal("exchange").next_number, 3)
        third = self._post(5)
        self.assertEqual(third.name, "pending")
        third._sequence_now()
        self.assertEqual(third.name, "EXC/000003")

    def test_verify_chains_what_was_left_pending(self):
        self._post(10)
        self._post(20)
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["sequenced"], 2)
        self.assertEqual(result["checked"], 2)
        self.assertFalse(
            self.env["timebank.entry"].search_count([("chain_pending", "=", True)])
        )

    def test_reversal_of_a_pending_entry_names_it(self):
        entry = self._post(45)
        reversal = entry._reverse()
        self.assertEqual(entry.name, "EXC/000001")
        self.assertEqual(reversal.ref, "Reversal of EXC/000001")
        self.assertEqual(entry.state, "reversed")
        self.assertTrue(reversal.chain_pending)
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 2)

    def test_statement_shows_pending_and_the_head(self):
        self._post(60)
        self._post(15)._sequence_now()
        self._post(30)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("timebank_core.report_statement", self.carol.ids)[0]
            .decode()
        )
        # the period is the previous month: nothing of today, but the head shows
        self.assertIn("Hash chain of the ledger when this statement was printed", html)
        self.assertRegex(html, r"<span>2</span>\s*<span>entries, the last one with")
        head = self.env["timebank.chain"].search([("company_id", "=", self.bank_a.id)])
        self.assertIn(head.last_hash, html)
        self.assertRegex(html, r"<span>1</span>\s*<span>more entries were waiting")
        today = self.env["timebank.entry"].search([], limit=1).date
        values = self.env["report.timebank_core.report_statement"]._get_report_values(
            self.carol.ids,
            {
                "timebank_statement_from": str(today),
                "timebank_statement_to": str(today),
            },
        )
        numbers = [
            move["number"] for move in values["statements"][self.carol.id]["movements"]
        ]
        self.assertEqual(sorted(numbers), ["EXC/000001", "EXC/000002", "pending"])

    def test_busy_is_a_retryable_error_with_a_message(self):
        error = LedgerBusyError("The ledger is busy")
        # Odoo retries it as any serialization failure; after the last retry the
        # client gets the message, as for any UserError
        self.assertIsInstance(error, errors.SerializationFailure)
        self.assertIsInstance(error, UserError)
        self.assertEqual(error.pgcode, "40001")
        self.assertEqual(str(error), "The ledger is busy")
