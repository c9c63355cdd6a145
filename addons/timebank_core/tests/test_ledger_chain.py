import base64
import json

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models.timebank_chain import SEAL_FORMAT
from ..models.timebank_entry import CHAIN_VERSION, chain_hash
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


@tagged("post_install", "-at_install")
class TestLedgerChainVersion2(TimebankCase):
    """What version 2 of the chain covers, and the states it checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.entries = cls.env["timebank.entry"].concat(
            *(cls._pay(cls.carol, cls.david, minutes) for minutes in (10, 20, 30, 40))
        )

    def _verify(self, **kwargs):
        return self.env["timebank.entry"].verify_chain(self.bank_a.id, **kwargs)

    def _sql(self, query, *params):
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def test_new_entries_are_chained_under_version_2(self):
        self.assertEqual(set(self.entries.mapped("chain_version")), {CHAIN_VERSION})
        self.assertEqual(CHAIN_VERSION, 2)
        payload = self.env["timebank.entry"]._chain_payloads(self.entries[:1].ids)
        covered = payload[self.entries[0].id]
        self.assertEqual(covered["state"], "posted")
        self.assertEqual(covered["posted_by"], self.env.uid)
        self.assertEqual(
            covered["posted_at"], fields.Datetime.to_string(self.entries[0].posted_at)
        )

    def test_who_and_when_posted_are_covered(self):
        self._sql(
            "UPDATE timebank_entry SET posted_by_id = %s WHERE id = %s",
            self.manager.id,
            self.entries[1].id,
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_broken"], self.entries[1].name)
        self.assertIn("content or its place in the chain was changed", result["reason"])
        self._sql(
            "UPDATE timebank_entry SET posted_by_id = %s, "
            "posted_at = posted_at - interval '1 day' WHERE id = %s",
            self.env.uid,
            self.entries[1].id,
        )
        self.assertEqual(self._verify()["first_broken"], self.entries[1].name)

    def test_a_line_label_is_covered(self):
        self._sql(
            "UPDATE timebank_entry_line SET name = 'forged' WHERE entry_id = %s",
            self.entries[2].id,
        )
        self.assertEqual(self._verify()["first_broken"], self.entries[2].name)

    def test_reversal_keeps_the_hash_and_the_states_agree(self):
        original = self.entries[1]
        kept_hash = original.chain_hash
        reversal = original._reverse()
        self.assertEqual(original.state, "reversed")
        self.assertEqual(original.chain_hash, kept_hash)
        self.assertEqual(reversal.ref, f"Reversal of {original.name}")
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 5)

    def test_reversed_without_a_reversal_breaks_the_chain(self):
        self._sql(
            "UPDATE timebank_entry SET state = 'reversed' WHERE id = %s",
            self.entries[2].id,
        )
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_broken"], self.entries[2].name)
        self.assertIn("no posted reversal points to it", result["reason"])

    def test_reversed_set_back_to_posted_breaks_the_chain(self):
        self.entries[0]._reverse()
        self._sql(
            "UPDATE timebank_entry SET state = 'posted' WHERE id = %s",
            self.entries[0].id,
        )
        result = self._verify()
        self.assertEqual(result["first_broken"], self.entries[0].name)
        self.assertIn("a posted reversal points to it", result["reason"])

    def test_a_draft_in_the_chain_breaks_it(self):
        self._sql(
            "UPDATE timebank_entry SET state = 'draft' WHERE id = %s",
            self.entries[3].id,
        )
        result = self._verify()
        self.assertEqual(result["first_broken"], self.entries[3].name)
        self.assertIn("marked as a draft", result["reason"])

    def test_entries_chained_under_version_1_still_verify(self):
        """A chain hashed before version 2, as the migration marks it."""
        Entry = self.env["timebank.entry"]
        self._sql(
            "UPDATE timebank_entry SET chain_version = 1 WHERE company_id = %s",
            self.bank_a.id,
        )
        payloads = Entry._chain_payloads(self.entries.ids)
        self.assertNotIn("state", payloads[self.entries[0].id])
        previous = None
        for entry in self.entries:
            previous = chain_hash(previous, payloads[entry.id])
            self._sql(
                "UPDATE timebank_entry SET chain_hash = %s WHERE id = %s",
                previous,
                entry.id,
            )
        self._sql(
            "UPDATE timebank_chain SET last_hash = %s WHERE company_id = %s",
            previous,
            self.bank_a.id,
        )
        self.assertTrue(self._verify()["ok"])
        # the entries posted afterwards chain on under version 2
        later = self._pay(self.carol, self.david, 5)
        self.assertEqual(later.chain_version, 2)
        self.assertEqual(later.chain_sequence, 5)
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 5)
        # version 1 still catches a changed amount, not who posted
        self._sql(
            "UPDATE timebank_entry SET posted_by_id = %s WHERE id = %s",
            self.manager.id,
            self.entries[0].id,
        )
        self.assertTrue(self._verify()["ok"])
        self._sql(
            "UPDATE timebank_entry SET chain_version = 7 WHERE id = %s",
            self.entries[0].id,
        )
        self.assertIn("no known version", self._verify()["reason"])


@tagged("post_install", "-at_install")
class TestLedgerSeal(TimebankCase):
    """The head of the chain kept outside the database catches a chain that was
    rewritten and recomputed after it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.entries = cls.env["timebank.entry"].concat(
            *(cls._pay(cls.carol, cls.david, minutes) for minutes in (10, 20, 30, 40))
        )
        cls.Chain = cls.env["timebank.chain"]

    def _verify(self, **kwargs):
        return self.env["timebank.entry"].verify_chain(self.bank_a.id, **kwargs)

    def _rewrite_history(self):
        """What someone with write access to the database can do: change the
        amount of the second entry, then recompute every hash, the head and the
        balances, so that the ledger is consistent again."""
        cr = self.env.cr
        self.env.flush_all()
        for column in ("debit", "credit"):
            cr.execute(
                f"UPDATE timebank_entry_line SET {column} = 200 "
                f"WHERE entry_id = %s AND {column} = 20",
                [self.entries[1].id],
            )
        Entry = self.env["timebank.entry"]
        chained = Entry.search(
            [("company_id", "=", self.bank_a.id), ("chain_sequence", "!=", False)],
            order="chain_sequence",
        )
        payloads = Entry._chain_payloads(chained.ids)
        previous = None
        for entry in chained:
            previous = chain_hash(previous, payloads[entry.id])
            cr.execute(
                "UPDATE timebank_entry SET chain_hash = %s WHERE id = %s",
                [previous, entry.id],
            )
        cr.execute(
            "UPDATE timebank_chain SET last_hash = %s WHERE company_id = %s",
            [previous, self.bank_a.id],
        )
        cr.execute(
            "UPDATE timebank_account a SET balance = COALESCE((SELECT "
            "SUM(l.credit - l.debit) FROM timebank_entry_line l "
            "WHERE l.account_id = a.id), 0) WHERE a.company_id = %s",
            [self.bank_a.id],
        )
        self.env.invalidate_all()

    def test_seal_holds_the_head(self):
        seal = self.Chain._seal(self.bank_a)
        self.assertEqual(seal["format"], SEAL_FORMAT)
        self.assertEqual(seal["bank_id"], self.bank_a.id)
        self.assertEqual(seal["bank"], "Bank A")
        self.assertEqual(seal["entry_count"], 4)
        self.assertEqual(seal["last_hash"], self.entries[3].chain_hash)
        text = self.Chain._seal_text(seal)
        self.assertEqual(json.loads(text), seal)
        self.assertEqual(text, self.Chain._seal_text(json.loads(text)))
        self.assertTrue(text.endswith("}\n"))
        self.assertLess(text.index('"bank"'), text.index('"entry_count"'))
        result = self._verify(seals=[text])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["seals_checked"], 1)

    def test_recomputed_chain_is_caught_by_an_earlier_seal(self):
        seal = self.Chain._seal(self.bank_a)
        self._pay(self.carol, self.david, 50)
        self._rewrite_history()
        # internally consistent: without the seal nothing shows
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 5)
        # the seal taken before is no longer matched where it was taken
        result = self._verify(seals=[seal])
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_broken"], self.entries[3].name)
        self.assertIn("differs from the seal of", result["reason"])
        self.assertIn("rewritten after it was sealed", result["reason"])

    def test_seal_beyond_the_chain_is_noticed(self):
        seal = self.Chain._seal(self.bank_a)
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM timebank_entry WHERE id = %s", [self.entries[3].id]
        )
        self.env.cr.execute(
            "UPDATE timebank_chain SET entry_count = 3, last_hash = %s "
            "WHERE company_id = %s",
            [self.entries[2].chain_hash, self.bank_a.id],
        )
        self.env.invalidate_all()
        result = self._verify(seals=[seal])
        self.assertFalse(result["ok"])
        self.assertIn("covers 4 entries, the chain holds 3", result["reason"])

    def test_seals_of_other_banks_are_left_aside(self):
        lin = self._member("Lin", bank=self.bank_b, active=True)
        wang = self._member("Wang", bank=self.bank_b, active=True)
        self._pay(lin, wang, 15, bank=self.bank_b)
        seal_b = self.Chain._seal(self.bank_b)
        result = self._verify(seals=[seal_b])
        self.assertTrue(result["ok"])
        self.assertEqual(result["seals_checked"], 0)

    def test_not_a_seal_is_refused(self):
        for seal in ("not json", {"bank_id": self.bank_a.id}, [1, 2]):
            with self.assertRaisesRegex(UserError, "not a seal of the ledger"):
                self._verify(seals=[seal])

    def test_the_seal_form_shows_the_head_as_it_opens(self):
        """The form opened as the web client opens it (an onchange without the
        bank when the database has a single one) showed 0 entries."""
        Wizard = (
            self.env["timebank.seal.wizard"]
            .with_user(self.manager)
            .with_company(self.bank_a)
        )
        answer = Wizard.onchange({}, [], {"entry_count": {}, "last_hash": {}})
        self.assertEqual(answer["value"]["entry_count"], 4)
        self.assertEqual(answer["value"]["last_hash"], self.entries[3].chain_hash)

    def test_manager_downloads_the_seal(self):
        wizard = (
            self.env["timebank.seal.wizard"]
            .with_user(self.manager)
            .with_company(self.bank_a)
            .create({})
        )
        self.assertEqual(wizard.entry_count, 4)
        self.assertEqual(wizard.last_hash, self.entries[3].chain_hash)
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/web/content/timebank.seal.wizard/{wizard.id}/", action["url"])
        seal = json.loads(base64.b64decode(wizard.seal_file))
        self.assertEqual(seal["entry_count"], 4)
        self.assertEqual(wizard.seal_filename, "chain-seal-Bank-A-4.json")
        # the same wizard checks the ledger against the file
        action = wizard.action_verify()
        self.assertEqual(action["params"]["type"], "success")
        self._rewrite_history()
        action = wizard.action_verify()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(
            f"The chain breaks at {self.entries[3].name}", action["params"]["message"]
        )

    def test_only_managers_of_the_bank_seal(self):
        with self.assertRaises(AccessError):
            self.env["timebank.seal.wizard"].with_user(self.broker).create({})
        manager_b = new_test_user(
            self.env,
            login="tb_manager_b",
            groups="base.group_user,timebank_core.group_timebank_manager",
            company_id=self.bank_b.id,
            company_ids=[self.bank_b.id],
        )
        wizard = (
            self.env["timebank.seal.wizard"]
            .with_user(manager_b)
            .create({"company_id": self.bank_b.id})
        )
        wizard.sudo().company_id = self.bank_a
        with self.assertRaisesRegex(AccessError, "your own time banks"):
            wizard.action_export()
