from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestLedgerTransferBulk(TimebankCase):
    """``_transfer_many`` writes a batch of entries and lines with one INSERT
    per table: the same checks, balances, numbers and chain as posting drafts,
    and the ORM sees the rows it did not create itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol, cls.david, cls.emma = (
            cls._member(name, active=True) for name in ("Carol", "David", "Emma")
        )
        cls.journal = cls._journal("exchange")

    def _transfers(self, count, minutes=15, **extra):
        return [
            dict(
                {
                    "journal": self.journal,
                    "debit": self.carol.account_id,
                    "credit": self.david.account_id,
                    "minutes": minutes,
                    "ref": f"Errand {index + 1}",
                },
                **extra,
            )
            for index in range(count)
        ]

    def _snapshot(self, entries):
        """What the ORM reads of the entries and their lines."""
        return [
            (
                entry.name,
                entry.state,
                entry.company_id,
                entry.journal_id,
                entry.date,
                entry.ref,
                entry.total_minutes,
                entry.posted_by_id,
                entry.chain_pending,
                entry.create_uid,
                entry.write_uid,
                [
                    (
                        line.account_id,
                        line.name,
                        line.debit,
                        line.credit,
                        line.amount,
                        line.company_id,
                        line.journal_id,
                        line.date,
                        line.parent_state,
                        line.member_id,
                    )
                    for line in entry.line_ids
                ],
            )
            for entry in entries
        ]

    def _count_entries(self):
        return self.env["timebank.entry"].search_count(
            [("company_id", "=", self.bank_a.id)]
        )

    def test_one_bad_transfer_refuses_the_whole_batch_with_every_problem(self):
        withdrawn = self._member("Wang", active=True)
        withdrawn.action_withdraw()
        other_bank = self._member("Lin in B", bank=self.bank_b, active=True)
        tomorrow = fields.Date.context_today(self.env.user) + timedelta(days=1)
        transfers = self._transfers(3)
        transfers += [
            {
                "journal": self.journal,
                "debit": withdrawn.account_id,
                "credit": self.david.account_id,
                "minutes": 10,
                "ref": "Withdrawn",
            },
            {
                "journal": self.journal,
                "debit": other_bank.account_id,
                "credit": self.david.account_id,
                "minutes": 10,
                "ref": "Foreign",
            },
            dict(self._transfers(1)[0], ref="Tomorrow", date=tomorrow),
            dict(self._transfers(1)[0], ref="Nothing", minutes=0),
            dict(self._transfers(1)[0], ref="Fraction", minutes=12.5),
            dict(self._transfers(1)[0], ref="Bad\x00label"),
        ]
        before = self._count_entries()
        with self.assertRaises(UserError) as caught:
            self.env["timebank.entry"]._transfer_many(transfers)
        message = str(caught.exception)
        self.assertIn("Withdrawn: [", message)
        self.assertIn("is not an active member", message)
        self.assertIn("Foreign: account", message)
        self.assertIn("belongs to another time bank", message)
        self.assertIn(f"Tomorrow is dated {tomorrow}, in the future", message)
        self.assertIn("positive whole number of minutes on one side only", message)
        self.assertIn("Fraction: Debit must be a whole number of minutes", message)
        self.assertIn("Description contains a NUL character", message)
        self.assertIn("Label contains a NUL character", message)
        self.assertEqual(len(message.splitlines()), 7)
        self.env.invalidate_all()
        self.assertEqual(self._count_entries(), before)
        self.assertEqual((self.carol.balance, self.david.balance), (0, 0))

    def test_a_long_list_of_problems_is_cut_short(self):
        transfers = [
            dict(transfer, minutes=0) for transfer in self._transfers(25, minutes=0)
        ]
        with self.assertRaisesRegex(UserError, r"\.\.\. and 5 more\.") as caught:
            self.env["timebank.entry"]._transfer_many(transfers)
        self.assertEqual(len(str(caught.exception).splitlines()), 21)

    def test_a_sealed_year_is_refused_in_a_batch(self):
        self.bank_a._timebank_lock_until(
            fields.Date.context_today(self.env.user) - timedelta(days=30)
        )
        day = self.bank_a.timebank_lock_date - timedelta(days=1)
        transfers = self._transfers(2)
        transfers[1]["date"] = day
        with self.assertRaisesRegex(
            UserError,
            rf"Errand 2 is dated {day}, but the ledger of {self.bank_a.name} is "
            "locked until",
        ):
            self.env["timebank.entry"]._transfer_many(transfers)
        self.assertEqual(self.carol.balance, 0)

    def test_the_limit_is_checked_for_the_batch_as_a_whole(self):
        self.bank_a.timebank_credit_limit = 60
        # four transfers of 15 fit, a fifth passes the limit: none is posted
        with self.assertRaisesRegex(
            UserError,
            r"Carol cannot pay 1:15: the balance is 0:00 and may not go below -1:00",
        ):
            self.env["timebank.entry"]._transfer_many(self._transfers(5))
        self.env.invalidate_all()
        self.assertEqual(self.carol.balance, 0)
        entries = self.env["timebank.entry"]._transfer_many(self._transfers(4))
        self.assertEqual(len(entries), 4)
        self.assertEqual(self.carol.balance, -60)

    def test_the_orm_reads_back_what_was_inserted(self):
        account = self.carol.account_id
        # read before, so that the cache holds the account's lines
        self.assertFalse(account.line_ids)
        # pending: what the cache holds is what the insert put there
        Entry = self.env["timebank.entry"].with_context(timebank_sequence_now=False)
        entries = Entry._transfer_many(
            self._transfers(3, debit_label="Paid", credit_label="Earned")
        )
        cached = self._snapshot(entries)
        self.assertEqual(account.line_ids, entries.line_ids.filtered("debit"))
        self.assertEqual(self.carol.balance, -45)
        self.env.invalidate_all()
        stored = self._snapshot(entries)
        self.assertEqual(cached, stored)
        self.assertEqual(stored[0][:2], ("pending", "posted"))
        self.assertEqual(stored[0][6], 15)
        self.assertEqual(stored[0][11][0][1:5], ("Paid", 15, 0, -15))
        self.assertEqual(stored[0][11][1][1:5], ("Earned", 0, 15, 15))
        self.assertEqual(stored[0][11][1][9], self.david)
        self.assertTrue(all(entry.create_date for entry in entries))
        found = self.env["timebank.entry.line"].search(
            [("member_id", "=", self.david.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(found, entries.line_ids.filtered("credit"))
        self.assertEqual(self.david.balance, 45)

    def test_entries_of_a_batch_are_numbered_and_chained(self):
        Entry = self.env["timebank.entry"].with_context(timebank_sequence_now=False)
        first = Entry._transfer_many(self._transfers(40, minutes=5))
        second = Entry._transfer_many(self._transfers(10, minutes=5))
        self.assertEqual(set((first | second).mapped("name")), {"pending"})
        self.assertTrue(all((first | second).mapped("chain_pending")))
        (first | second)._sequence_now()
        self.env.invalidate_all()
        entries = (first | second).sorted("chain_sequence")
        self.assertEqual(entries.mapped("chain_sequence"), list(range(1, 51)))
        self.assertEqual(entries.mapped("name"), [f"EXC/{n:06d}" for n in range(1, 51)])
        self.assertFalse(any(entries.mapped("chain_pending")))
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 50)
        self.assertEqual(result["balance_mismatches"], [])

    def test_a_reversal_of_a_bulk_entry_mirrors_it(self):
        entry = self.env["timebank.entry"]._transfer_many(self._transfers(1))
        reversal = entry._reverse()
        self.assertEqual(entry.state, "reversed")
        self.assertEqual((self.carol.balance, self.david.balance), (0, 0))
        self.assertEqual(
            reversal.line_ids.mapped(lambda line: (line.debit, line.credit)),
            [(0, 15), (15, 0)],
        )
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)


@tagged("post_install", "-at_install")
class TestLedgerTransferBulkRpc(TimebankCase, HttpCase):
    def test_transfer_many_is_not_callable_over_rpc(self):
        carol = self._member("Carol", active=True)
        david = self._member("David", active=True)
        with self.assertRaisesRegex(
            Fault, "Private methods .* cannot be called remotely"
        ):
            xmlrpc_call(
                self,
                "tb_manager",
                "timebank.entry",
                "_transfer_many",
                [
                    {
                        "journal": self._journal("exchange").id,
                        "debit": carol.account_id.id,
                        "credit": david.account_id.id,
                        "minutes": 10,
                        "ref": "From outside",
                    }
                ],
            )
        self.assertEqual(carol.balance, 0)
