from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerChain(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.entries = cls.env["timebank.entry"].concat(
            *(cls._pay(cls.carol, cls.david, minutes) for minutes in (10, 20, 30, 40))
        )

    def _verify(self):
        return self.env["timebank.entry"].verify_chain(self.bank_a.id)

    def test_intact_chain_passes(self):
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 4)
        self.assertEqual(self.entries.mapped("chain_sequence"), [1, 2, 3, 4])
        self.assertEqual(len(set(self.entries.mapped("chain_hash"))), 4)

    def test_reversal_extends_the_chain(self):
        self.entries[0]._reverse()
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 5)

    def test_changed_amount_breaks_the_chain_at_that_entry(self):
        third = self.entries[2]
        # someone with database access turns 0:30 into 5:00, both sides
        for column in ("debit", "credit"):
            self.env.cr.execute(
                f"UPDATE timebank_entry_line SET {column} = 300 "
                f"WHERE entry_id = %s AND {column} = 30",
                [third.id],
            )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_broken"], third.name)
        self.assertEqual(result["checked"], 2)
        self.assertIn("content or its place in the chain was changed", result["reason"])
        # the kept balances no longer match the tampered lines
        mismatched = {name for name, _kept, _computed in result["balance_mismatches"]}
        self.assertEqual(
            mismatched,
            {self.carol.account_id.display_name, self.david.account_id.display_name},
        )

    def test_changed_description_or_date_breaks_the_chain(self):
        self.env.cr.execute(
            "UPDATE timebank_entry SET date = date - 1 WHERE id = %s",
            [self.entries[1].id],
        )
        result = self._verify()
        self.assertEqual(result["first_broken"], self.entries[1].name)
        self.assertEqual(result["balance_mismatches"], [])

    def test_deleted_entry_breaks_the_chain(self):
        self.env.cr.execute(
            "DELETE FROM timebank_entry WHERE id = %s", [self.entries[1].id]
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_broken"], self.entries[2].name)
        self.assertIn("entry number 2 of the chain is missing", result["reason"])

    def test_deleted_last_entry_is_noticed(self):
        self.env.cr.execute(
            "DELETE FROM timebank_entry WHERE id = %s", [self.entries[3].id]
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn("should hold 4 entries, 3 were found", result["reason"])

    def test_banks_have_separate_chains(self):
        lin = self._member("Lin", bank=self.bank_b, active=True)
        wang = self._member("Wang", bank=self.bank_b, active=True)
        entry_b = self._pay(lin, wang, 15, bank=self.bank_b)
        self.assertEqual(entry_b.chain_sequence, 1)
        self.assertTrue(self.env["timebank.entry"].verify_chain(self.bank_b.id)["ok"])
        self.assertEqual(self._verify()["checked"], 4)

    def test_only_own_banks_can_be_verified(self):
        Entry = self.env["timebank.entry"].with_user(self.broker_b)
        self.assertTrue(Entry.verify_chain(self.bank_b.id)["ok"])
        with self.assertRaisesRegex(AccessError, "your own time banks"):
            Entry.verify_chain(self.bank_a.id)
        public = self.env.ref("base.public_user")
        with self.assertRaises(AccessError):
            self.env["timebank.entry"].with_user(public).verify_chain(self.bank_a.id)

    def test_manager_button_reports_the_result(self):
        entries = (
            self.env["timebank.entry"].with_user(self.manager).with_company(self.bank_a)
        )
        action = entries.action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("4 posted entries checked", action["params"]["message"])
        self.env.cr.execute(
            "UPDATE timebank_entry SET ref = 'forged' WHERE id = %s",
            [self.entries[0].id],
        )
        action = entries.action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(
            f"The chain breaks at {self.entries[0].name}", action["params"]["message"]
        )
