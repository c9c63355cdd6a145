from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerPost(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.pool = cls._system("pool")

    def test_ledger_of_a_new_bank(self):
        journals = self.env["timebank.journal"].search(
            [("company_id", "=", self.bank_a.id)]
        )
        self.assertEqual(
            set(journals.mapped("type")),
            {"exchange", "issuance", "donation", "expiry", "adjustment"},
        )
        accounts = self.env["timebank.account"].search(
            [("company_id", "=", self.bank_a.id), ("type", "!=", "member")]
        )
        self.assertEqual(
            set(accounts.mapped("type")), {"pool", "issuance", "expiry", "clearing"}
        )
        self.assertEqual(self.carol.account_id.type, "member")
        self.assertEqual(self.carol.account_id.company_id, self.bank_a)
        self.assertEqual(self.carol.balance, 0)

    def test_balanced_entry_moves_the_balances(self):
        entry = self._pay(self.carol, self.david, 90)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.name, "EXC/000001")
        self.assertEqual(self.carol.balance, -90)
        self.assertEqual(self.david.balance, 90)
        self.assertEqual(self.david.balance_display, "1:30")
        self.assertEqual(
            self.carol.partner_id.with_company(self.bank_a).timebank_balance, -90
        )
        self.assertEqual(entry.total_minutes, 90)
        self.assertTrue(entry.chain_hash)
        self.assertEqual(entry.posted_by_id, self.env.user)

    def test_unbalanced_entry_is_refused(self):
        entry = self._entry(
            [(self.carol.account_id, 60, 0), (self.david.account_id, 0, 50)]
        )
        with self.assertRaisesRegex(
            UserError, "is not balanced: debits 1:00, credits 0:50"
        ):
            entry.action_post()
        self.assertEqual(entry.state, "draft")
        self.assertEqual(self.carol.balance, 0)

    def test_one_error_lists_every_problem_of_the_batch(self):
        withdrawn = self._member("Wang", active=True)
        withdrawn.action_withdraw()
        unbalanced = self._entry(
            [(self.carol.account_id, 10, 0), (self.david.account_id, 0, 20)], ref="U"
        )
        single = self._entry([(self.carol.account_id, 10, 0)], ref="S")
        inactive = self._entry(
            [(withdrawn.account_id, 10, 0), (self.david.account_id, 0, 10)], ref="W"
        )
        with self.assertRaises(UserError) as caught:
            (unbalanced | single | inactive).action_post()
        message = str(caught.exception)
        self.assertIn("U is not balanced", message)
        self.assertIn("S needs at least two lines", message)
        self.assertIn("W: [", message)
        self.assertIn("is not an active member", message)
        self.assertEqual(
            set((unbalanced | single | inactive).mapped("state")), {"draft"}
        )

    def test_account_of_another_bank_is_refused(self):
        other_bank = self._member("Lin in B", bank=self.bank_b, active=True)
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self._entry(
                [(other_bank.account_id, 10, 0), (self.david.account_id, 0, 10)]
            )

    def test_posting_twice_is_refused(self):
        entry = self._pay(self.carol, self.david, 10)
        with self.assertRaisesRegex(UserError, f"{entry.name} is already posted"):
            entry.action_post()

    def test_line_amounts_are_whole_positive_minutes_on_one_side(self):
        entry = self._entry(
            [(self.carol.account_id, 10, 0), (self.david.account_id, 0, 10)]
        )
        for debit, credit in [(-5, 0), (0, 0), (5, 5)]:
            with (
                self.subTest(debit=debit, credit=credit),
                self.assertRaisesRegex(ValidationError, "on one side only"),
            ):
                entry.line_ids[0].write({"debit": debit, "credit": credit})
        with (
            self.assertRaisesRegex(IntegrityError, "amounts_valid"),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE timebank_entry_line SET debit = 5, credit = 5 WHERE id = %s",
                [entry.line_ids[0].id],
            )

    def test_credit_limit_of_the_bank(self):
        self.bank_a.timebank_credit_limit = 120
        self._pay(self.carol, self.david, 100)
        with self.assertRaisesRegex(
            UserError,
            r"Carol cannot pay 0:30: the balance is -1:40 and may not go below -2:00",
        ):
            self._pay(self.carol, self.david, 30)
        self._pay(self.carol, self.david, 20)
        self.assertEqual(self.carol.balance, -120)

    def test_credit_limit_of_a_member(self):
        self.carol.write({"has_own_credit_limit": True, "credit_limit": 0})
        with self.assertRaisesRegex(UserError, "may not go below -0:00"):
            self._pay(self.carol, self.david, 1)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.carol.credit_limit = -10

    def test_community_pool_has_its_own_limit(self):
        with self.assertRaisesRegex(UserError, "Community Pool cannot pay 1:00"):
            self._pay(self.pool, self.david, 60)
        self._pay(self._system("issuance"), self.pool, 600, journal_type="issuance")
        self._pay(self.pool, self.david, 60)
        self.assertEqual(self.pool.balance, 540)
        self.assertEqual(self._system("issuance").balance, -600)

    def test_gapless_numbers_per_journal(self):
        failing = self._entry(
            [(self.carol.account_id, 10, 0), (self.david.account_id, 0, 20)]
        )
        first = self._pay(self.carol, self.david, 10)
        with self.assertRaises(UserError):
            failing.action_post()
        second = self._pay(self.david, self.carol, 10)
        gift = self._pay(self.carol, self.david, 5, journal_type="donation")
        self.assertEqual(
            (first | second | gift).mapped("name"),
            ["EXC/000001", "EXC/000002", "DON/000001"],
        )
        batch = self.env["timebank.entry"].concat(
            *(
                self._entry(
                    [(self.carol.account_id, 1, 0), (self.david.account_id, 0, 1)]
                )
                for _i in range(5)
            )
        )
        batch.action_post()
        self.assertEqual(
            sorted(batch.mapped("name")), [f"EXC/00000{i}" for i in range(3, 8)]
        )

    def test_reversal(self):
        entry = self._pay(self.carol, self.david, 45)
        action = entry.action_reverse()
        reversal = self.env["timebank.entry"].browse(action["res_id"])
        self.assertEqual(entry.state, "reversed")
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.reversed_entry_id, entry)
        self.assertEqual(entry.reversal_entry_ids, reversal)
        self.assertEqual(reversal.ref, f"Reversal of {entry.name}")
        self.assertEqual(self.carol.balance, 0)
        self.assertEqual(self.david.balance, 0)
        lines = {
            (line.account_id, line.debit, line.credit) for line in reversal.line_ids
        }
        self.assertEqual(
            lines, {(self.carol.account_id, 0, 45), (self.david.account_id, 45, 0)}
        )
        with self.assertRaisesRegex(UserError, "Only posted entries can be reversed"):
            entry.action_reverse()

    def test_reversal_passes_even_below_the_limit(self):
        self.bank_a.timebank_credit_limit = 0
        self._pay(self._system("issuance"), self.pool, 100, journal_type="issuance")
        entry = self._pay(self.pool, self.david, 100)
        self._pay(self.david, self.carol, 100)
        entry._reverse()
        self.assertEqual(self.david.balance, -100)

    def test_draft_entries_stay_editable(self):
        entry = self._entry(
            [(self.carol.account_id, 10, 0), (self.david.account_id, 0, 10)]
        )
        entry.write(
            {
                "ref": "Corrected",
                "line_ids": [
                    Command.update(entry.line_ids[0].id, {"debit": 20}),
                    Command.update(entry.line_ids[1].id, {"credit": 20}),
                ],
            }
        )
        entry.action_post()
        self.assertEqual(self.david.balance, 20)

    def test_sum_of_all_balances_in_a_bank_is_zero(self):
        self._pay(self._system("issuance"), self.pool, 300, journal_type="issuance")
        self._pay(self.pool, self.carol, 120)
        self._pay(self.carol, self.david, 45)
        accounts = self.env["timebank.account"].search(
            [("company_id", "=", self.bank_a.id)]
        )
        self.assertEqual(sum(accounts.mapped("balance")), 0)

    def test_journals_are_named_in_each_language(self):
        exchanges = self.env["timebank.journal"]._get(self.bank_a, "exchange")
        donations = self.env["timebank.journal"]._get(self.bank_a, "donation")
        donations.name = "Gifts of the neighbourhood"
        # a language installed after the bank was created
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["timebank_core"], ["zh_TW"])
        self.assertEqual(exchanges.with_context(lang="zh_TW").name, "服務交換")
        self.assertEqual(exchanges.with_context(lang="en_US").name, "Exchanges")
        self.assertEqual(
            donations.with_context(lang="zh_TW").name, "Gifts of the neighbourhood"
        )
        # a bank created when the language is there
        bank = self.env["res.company"].create({"name": "Bank Named In Chinese"})
        issuance = self.env["timebank.journal"]._get(bank, "issuance")
        self.assertEqual(issuance.with_context(lang="zh_TW").name, "發行")
