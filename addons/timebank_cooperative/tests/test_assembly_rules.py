"""What an assembly decided stays decided: the agenda is that of the convocation,
a closed assembly is frozen, its workflow fields move only with its buttons, and
the accounts voted on are those presented and sealed."""

from datetime import date, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import AssemblyCase


@tagged("post_install", "-at_install")
class TestAssemblyRules(AssemblyCase):
    def _policy_item(self):
        return (
            0,
            0,
            {
                "name": "Raise the credit limit",
                "kind": "policy",
                "policy_change_ids": [
                    (
                        0,
                        0,
                        {
                            "kind": "credit_limit",
                            "new_value": 900,
                            "effective_date": date.today() + timedelta(days=200),
                        },
                    )
                ],
            },
        )

    def _closed(self):
        """A closed assembly: accounts and a policy change adopted."""
        assembly = self._assembly(
            item_ids=[
                (0, 0, {"name": "Accounts of the year", "kind": "accounts"}),
                self._policy_item(),
            ]
        )
        assembly.action_convene()
        self._open(assembly)
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
            for item in assembly.item_ids:
                self._vote(item, member, "for")
        assembly.item_ids.action_close_vote()
        assembly.action_close()
        return assembly

    # ------------------------------------------------------------------ closed
    def test_closed_assembly_agenda_is_frozen(self):
        assembly = self._closed()
        policy = assembly.item_ids.filtered(lambda i: i.kind == "policy")
        change = policy.policy_change_ids
        self.assertEqual(change.state, "approved")
        Item = self.env["timebank.assembly.item"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            Item.create({"assembly_id": assembly.id, "name": "Late item"})
        # deleting an adopted item used to take its votes and policy change along
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            policy.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            policy.with_user(self.manager).write({"name": "Something else"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            change.with_user(self.manager).unlink()
        self.assertTrue(policy.exists())
        self.assertEqual(len(policy.vote_ids), 3)
        self.assertEqual(change.exists().state, "approved")
        self.assertEqual(len(assembly.item_ids), 2)

    def test_closed_assembly_attendance_is_frozen(self):
        assembly = self._closed()
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            self._attend(assembly, self.dan)
        line = assembly.attendance_ids[:1]
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            line.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            line.with_user(self.broker).write({"signed": True})
        self.assertEqual(len(assembly.attendance_ids), 3)
        self.assertFalse(line.signed)

    def test_closed_assembly_votes_are_frozen(self):
        assembly = self._closed()
        accounts = self._accounts(assembly)
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            self._vote(accounts, self.dan, "against")
        vote = accounts.vote_ids[:1]
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            vote.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            vote.with_user(self.broker).write({"choice": "against"})
        self.assertEqual(accounts.vote_ids.mapped("choice"), ["for"] * 3)
        self.assertEqual(accounts.votes_for, 3)

    def test_closed_assembly_minutes_are_frozen(self):
        assembly = self._closed()
        summary = assembly.accounts_summary
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            assembly.with_user(self.broker).minutes_note = "<p>Rewritten</p>"
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            assembly.with_user(self.broker).write(
                {"item_ids": [(2, assembly.item_ids[0].id)]}
            )
        with self.assertRaisesRegex(UserError, "it is cancelled, not deleted"):
            assembly.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "is Closed: its agenda, attendance"):
            assembly.with_user(self.manager).accounts_summary = "<p>0:00</p>"
        self.assertEqual(assembly.accounts_summary, summary)
        self.assertEqual(len(assembly.item_ids), 2)
        # the chatter stays open
        assembly.with_user(self.broker).message_post(body="Minutes sent to members.")

    # ------------------------------------------------------------------ in session
    def test_decided_resolution_stays_in_session(self):
        assembly = self._assembly(
            item_ids=[
                (0, 0, {"name": "Accounts of the year", "kind": "accounts"}),
                self._policy_item(),
            ]
        )
        assembly.action_convene()
        self._open(assembly)
        policy = assembly.item_ids.filtered(lambda i: i.kind == "policy")
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
            self._vote(policy, member, "for")
        policy.action_close_vote()
        self.assertEqual(policy.result, "adopted")
        with self.assertRaisesRegex(UserError, "The vote on Raise the credit limit"):
            policy.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "The vote on Raise the credit limit"):
            policy.vote_ids[:1].with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "The vote on Raise the credit limit"):
            policy.vote_ids[:1].with_user(self.broker).choice = "against"
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            policy.policy_change_ids.with_user(self.manager).unlink()
        # who voted stays on the register
        with self.assertRaisesRegex(UserError, "Amy Lin voted at this assembly"):
            assembly.attendance_ids.filtered(
                lambda a: a.member_id == self.amy
            ).with_user(self.manager).unlink()
        self.assertEqual(policy.votes_for, 3)
        self.assertEqual(policy.policy_change_ids.state, "approved")
        # a vote still open is corrected or withdrawn during the session
        accounts = self._accounts(assembly)
        vote = self._vote(accounts, self.amy, "for")
        vote.with_user(self.broker).choice = "against"
        vote.with_user(self.manager).unlink()
        self.assertFalse(accounts.vote_ids)

    def test_agenda_is_that_of_the_convocation(self):
        assembly = self._assembly(item_ids=[self._policy_item()])
        item = assembly.item_ids
        # a draft is prepared freely
        item.name = "Raise the default credit limit"
        item.policy_change_ids.new_value = 960
        assembly.quorum_percent = 40
        assembly.action_convene()
        as_broker = assembly.with_user(self.broker)
        Item = self.env["timebank.assembly.item"].with_user(self.broker)
        with self.assertRaisesRegex(UserError, "was convened with its agenda"):
            Item.create({"assembly_id": assembly.id, "name": "Late item"})
        with self.assertRaisesRegex(UserError, "was convened with its agenda"):
            item.with_user(self.broker).name = "Lower the limit"
        with self.assertRaisesRegex(UserError, "was convened with its agenda"):
            item.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "was convened with its agenda"):
            item.policy_change_ids.with_user(self.broker).new_value = 1200
        with self.assertRaisesRegex(UserError, "quorum, proxies and notice are those"):
            as_broker.quorum_percent = 10
        with self.assertRaisesRegex(UserError, "quorum, proxies and notice are those"):
            as_broker.date = datetime.now() + timedelta(days=2)
        with self.assertRaisesRegex(UserError, "it is cancelled, not deleted"):
            assembly.with_user(self.manager).unlink()
        # what the members read is explained further, and the meeting place told
        item.with_user(self.broker).description = "Fifteen hours instead of ten."
        as_broker.place = "Community centre"
        self.assertEqual(item.policy_change_ids.new_value, 960)
        self.assertEqual(assembly.quorum_percent, 40)

    # ------------------------------------------------------------------ guarded
    def test_workflow_fields_move_with_the_buttons(self):
        assembly = self._assembly()
        as_broker = assembly.with_user(self.broker)
        for vals in (
            {"state": "closed"},
            {"convocation_date": date.today()},
            {"session_start": datetime.now()},
            {"eligible_count": 1},
            {"accounts_approved_date": datetime.now()},
            {"accounts_summary": "<p>0:00</p>"},
            {"accounts_chain_hash": "0" * 64},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, r"Convene, Open the Session"):
                    as_broker.write(vals)
        self.assertEqual(assembly.state, "draft")
        with self.assertRaisesRegex(UserError, r"State \(state\) cannot be written"):
            self._assembly(state="in_session")
        item = assembly.item_ids[:1]
        with self.assertRaisesRegex(UserError, "counted by Close the Vote"):
            item.with_user(self.manager).result = "adopted"
        with self.assertRaisesRegex(UserError, "counted by Close the Vote"):
            self.env["timebank.assembly.item"].with_user(self.broker).create(
                {"assembly_id": assembly.id, "name": "Done", "result": "adopted"}
            )
        self.assertEqual(item.result, "pending")

    def test_policy_change_moves_with_the_vote(self):
        assembly = self._assembly(item_ids=[self._policy_item()])
        change = assembly.item_ids.policy_change_ids
        for vals in (
            {"state": "approved"},
            {"applied_date": date.today()},
            {"old_value": 600},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "approved or rejected by Close"):
                    change.with_user(self.manager).write(vals)
        with self.assertRaisesRegex(UserError, "approved or rejected by Close"):
            self.env["timebank.policy.change"].with_user(self.broker).create(
                {
                    "item_id": assembly.item_ids.id,
                    "kind": "expiry_years",
                    "new_value": 3,
                    "effective_date": date.today(),
                    "state": "applied",
                }
            )
        self.assertEqual(change.state, "draft")

    # ------------------------------------------------------------------ accounts
    def _accounts_in_session(self):
        with freeze_time("2025-06-01"):
            self._pay(self._system("issuance"), self.amy, 120, ref="Welcome credits")
        assembly = self._in_session(year=2025)
        for member in (self.amy, self.bob, self.carol):
            self._attend(assembly, member)
        return assembly

    def test_accounts_are_shown_before_the_vote(self):
        assembly = self._accounts_in_session()
        chain = self.env["timebank.chain"].search([("company_id", "=", self.bank_a.id)])
        # presented when the session opened, before anyone voted
        self.assertFalse(self._accounts(assembly).vote_ids)
        self.assertTrue(assembly.accounts_presented_date)
        self.assertIn("2:00", assembly.accounts_summary)
        self.assertEqual(assembly.accounts_chain_hash, chain.last_hash)
        self.assertFalse(assembly.accounts_approved_date)
        self.assertFalse(assembly.accounts_moved)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "timebank_cooperative.report_assembly_minutes", assembly.ids
            )[0]
            .decode()
        )
        self.assertIn("put to the vote", html)
        # an entry of another year moves the chain, not the accounts voted on
        presented_head = chain.last_hash
        self._pay(self._system("issuance"), self.bob, 15)
        self.assertNotEqual(chain.last_hash, presented_head)
        assembly.invalidate_recordset(["accounts_moved"])
        self.assertFalse(assembly.accounts_moved)
        accounts = self._accounts(assembly)
        for member in (self.amy, self.bob):
            self._vote(accounts, member, "for")
        accounts.action_close_vote()
        self.assertEqual(accounts.result, "adopted")
        self.assertTrue(assembly.accounts_approved_date)
        # sealed as presented: the head of the chain the figures were read from
        self.assertEqual(assembly.accounts_chain_hash, presented_head)
        self.assertIn("2:00", assembly.accounts_summary)

    def test_ledger_moved_after_presenting_refuses_the_vote(self):
        assembly = self._accounts_in_session()
        accounts = self._accounts(assembly)
        for member in (self.amy, self.bob, self.carol):
            self._vote(accounts, member, "for")
        presented = assembly.accounts_summary
        # a service of the accounts year posted late, during the session
        self._pay(self._system("issuance"), self.bob, 30, date=date(2025, 12, 20))
        assembly.invalidate_recordset(["accounts_moved"])
        self.assertTrue(assembly.accounts_moved)
        with self.assertRaisesRegex(
            UserError, "ledger of 2025 moved after the accounts were presented"
        ):
            accounts.with_user(self.broker).action_close_vote()
        self.assertEqual(accounts.result, "pending")
        self.assertEqual(assembly.accounts_summary, presented)
        # presented again: the votes cast on the old figures are withdrawn
        assembly.with_user(self.broker).action_present_accounts()
        self.assertFalse(accounts.vote_ids)
        self.assertIn("2:30", assembly.accounts_summary)
        self.assertFalse(assembly.accounts_moved)
        for member in (self.amy, self.bob):
            self._vote(accounts, member, "for")
        accounts.with_user(self.broker).action_close_vote()
        chain = self.env["timebank.chain"].search([("company_id", "=", self.bank_a.id)])
        self.assertEqual(accounts.result, "adopted")
        self.assertEqual(assembly.accounts_chain_hash, chain.last_hash)
        self.assertIn("2:30", assembly.accounts_summary)
        with self.assertRaisesRegex(UserError, "were voted on"):
            assembly.with_user(self.broker).action_present_accounts()
