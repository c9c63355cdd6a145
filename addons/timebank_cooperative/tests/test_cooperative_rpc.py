"""The cooperative's rules through the external API, as each real user would try
them: every refusal of the buttons holds on plain create, write and unlink, and
every button answers something an XML-RPC client can read."""

from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import CooperativeHttpCase

BROKER, MANAGER, BROKER_B = "tb_broker", "tb_manager", "tb_broker_b"


@tagged("post_install", "-at_install")
class TestCooperativeRpc(CooperativeHttpCase):
    def _open_over_rpc(self, assembly):
        """Open the session over XML-RPC on the day it was convened for."""
        with freeze_time(assembly.date):
            self._rpc(BROKER, "timebank.assembly", "action_open", assembly.ids)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._checked(cls.broker)
        cls.bob_user = cls._portal_user(cls.bob, "rpc_bob")

    def _new_assembly(self, login=BROKER, **vals):
        """An annual assembly with the accounts and a policy change on its
        agenda, created over XML-RPC."""
        return self.env["timebank.assembly"].browse(
            self._rpc(
                login,
                "timebank.assembly",
                "create",
                dict(
                    {
                        "name": "Annual general assembly",
                        "date": fields.Datetime.to_string(
                            datetime.now() + timedelta(days=20)
                        ),
                        "item_ids": [
                            (0, 0, {"name": "Accounts", "kind": "accounts"}),
                            (
                                0,
                                0,
                                {
                                    "name": "Credit limit",
                                    "kind": "policy",
                                    "policy_change_ids": [
                                        (
                                            0,
                                            0,
                                            {
                                                "kind": "credit_limit",
                                                "new_value": 900,
                                                "effective_date": (
                                                    fields.Date.to_string(
                                                        date.today()
                                                        + timedelta(days=90)
                                                    )
                                                ),
                                            },
                                        )
                                    ],
                                },
                            ),
                        ],
                    },
                    **vals,
                ),
            )
        )

    def _attend_over_rpc(self, assembly, members):
        for member in members:
            self._rpc(
                BROKER,
                "timebank.assembly.attendance",
                "create",
                {"assembly_id": assembly.id, "member_id": member.id},
            )

    def _vote_over_rpc(self, items, members, choice="for"):
        for item in items:
            for member in members:
                self._rpc(
                    BROKER,
                    "timebank.assembly.vote",
                    "create",
                    {"item_id": item.id, "member_id": member.id, "choice": choice},
                )

    def _closed_assembly(self):
        assembly = self._in_session()
        voters = self.amy | self.bob | self.carol
        for member in voters:
            self._attend(assembly, member)
        accounts = self._accounts(assembly)
        for member in voters:
            self._vote(accounts, member, "for")
        accounts.with_user(self.broker).action_close_vote()
        assembly.with_user(self.broker).action_close()
        return assembly

    @staticmethod
    def _cooperative_actions(env):
        """(model, method) of every public action_* that this addon defines."""
        actions = set()
        for name in env.registry:
            for cls in type(env[name]).__mro__:
                if not cls.__module__.startswith("odoo.addons.timebank_cooperative."):
                    continue
                actions |= {
                    (name, attr)
                    for attr, value in vars(cls).items()
                    if attr.startswith("action_") and callable(value)
                }
        return actions

    # ------------------------------------------------------------------ answers
    def test_every_public_action_answers_over_xmlrpc(self):
        called = set()

        def act(login, records, method, *args):
            result = self._rpc(login, records._name, method, records.ids, *args)
            self.assertTrue(result, f"{records._name}.{method} answered nothing")
            called.add((records._name, method))
            return result

        # a service verified and posted by the broker, then its disputes
        exchange = self._confirmed(self.amy, self.bob)
        act(BROKER, exchange, "action_verify")
        act(BROKER, exchange, "action_post")
        self.assertEqual(exchange.state, "posted")
        Dispute = self.env["timebank.dispute"]
        about_service = Dispute.browse(
            self._rpc(
                BROKER,
                "timebank.dispute",
                "create",
                {
                    "name": "Late by an hour",
                    "description": "Bob phoned the office.",
                    "category": "no_show",
                    "exchange_id": exchange.id,
                    "partner_id": self.bob.partner_id.id,
                    "raised_as": "broker",
                },
            )
        )
        action = act(BROKER, exchange, "action_view_disputes")
        self.assertEqual(Dispute.search(action["domain"]), about_service)
        for method in ("action_review", "action_mediate", "action_escalate"):
            act(BROKER, about_service, method)
        self._rpc(
            BROKER,
            "timebank.dispute",
            "write",
            about_service.ids,
            {"resolution": "Bob agrees Amy came."},
        )
        act(BROKER, about_service, "action_reject")
        self.assertEqual(about_service.state, "rejected")
        about_member = Dispute.browse(
            self._rpc(
                BROKER,
                "timebank.dispute",
                "create",
                {
                    "name": "Rude on the phone",
                    "description": "Twice this month.",
                    "category": "misconduct",
                    "member_id": self.carol.id,
                    "partner_id": self.bob.partner_id.id,
                    "resolution": "A warning.",
                },
            )
        )
        act(BROKER, about_member, "action_resolve")
        self.assertEqual(about_member.state, "resolved")
        action = act(BROKER, self.carol, "action_view_disputes")
        self.assertEqual(Dispute.search(action["domain"]), about_member)

        # an assembly from its convocation to its minutes
        self._pay(self._system("issuance"), self.amy, 120, date=date(2025, 6, 1))
        assembly = self._new_assembly(year=2025)
        act(BROKER, assembly, "action_convene")
        with freeze_time(assembly.date):  # it opens on the day it was convened for
            act(BROKER, assembly, "action_open")
        voters = self.amy | self.bob | self.carol
        self._attend_over_rpc(assembly, voters)
        self._vote_over_rpc(assembly.item_ids, voters)
        # a late entry of the year: presented again, voted again
        self._pay(self._system("issuance"), self.bob, 30, date=date(2025, 12, 20))
        act(BROKER, assembly, "action_present_accounts")
        accounts = self._accounts(assembly)
        self.assertFalse(accounts.vote_ids)
        self._vote_over_rpc(accounts, voters)
        act(BROKER, assembly.item_ids, "action_close_vote")
        self.assertEqual(set(assembly.item_ids.mapped("result")), {"adopted"})
        self.assertIn("2:30", assembly.accounts_summary)
        report = act(BROKER, assembly, "action_print_minutes")
        self.assertEqual(report["type"], "ir.actions.report")
        act(BROKER, assembly, "action_close")
        self.assertEqual(assembly.state, "closed")
        cancelled = self._new_assembly()
        act(BROKER, cancelled, "action_cancel")
        self.assertEqual(cancelled.state, "cancelled")

        self.assertEqual(called, self._cooperative_actions(self.env))

    # ------------------------------------------------------------------ refusals
    def test_workflow_fields_are_refused_over_xmlrpc(self):
        assembly = self._new_assembly()
        for vals in (
            {"state": "closed"},
            {"convocation_date": "2026-01-01"},
            {"accounts_chain_hash": "0" * 64},
            {"accounts_approved_date": "2026-01-01 10:00:00"},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(Fault, "Convene, Open the Session"):
                    self._rpc(BROKER, "timebank.assembly", "write", assembly.ids, vals)
        with self.assertRaisesRegex(Fault, r"State \(state\) cannot be written"):
            self._new_assembly(state="closed")
        with self.assertRaisesRegex(Fault, "counted by Close the Vote"):
            self._rpc(
                BROKER,
                "timebank.assembly.item",
                "write",
                assembly.item_ids[:1].ids,
                {"result": "adopted"},
            )
        change = assembly.item_ids.policy_change_ids
        with self.assertRaisesRegex(Fault, "approved or rejected by Close the Vote"):
            self._rpc(
                BROKER,
                "timebank.policy.change",
                "write",
                change.ids,
                {"state": "applied", "applied_date": "2026-01-01"},
            )
        self.assertEqual(assembly.state, "draft")
        self.assertEqual(set(assembly.item_ids.mapped("result")), {"pending"})
        self.assertEqual(change.state, "draft")

        dispute = self.env["timebank.dispute"].create(
            {
                "name": "Shopping forgotten",
                "description": "Half the list was missing.",
                "category": "quality",
                "member_id": self.amy.id,
                "partner_id": self.bob.partner_id.id,
                "company_id": self.bank_a.id,
            }
        )
        for login in (BROKER, "rpc_bob"):
            with self.subTest(login=login):
                with self.assertRaisesRegex(Fault, "Review, Mediate, Escalate"):
                    self._rpc(
                        login,
                        "timebank.dispute",
                        "write",
                        dispute.ids,
                        {"state": "resolved"},
                    )
        with self.assertRaisesRegex(Fault, "Review, Mediate, Escalate"):
            self._rpc(
                BROKER,
                "timebank.dispute",
                "create",
                {
                    "name": "Closed from the start",
                    "description": "No.",
                    "category": "quality",
                    "member_id": self.amy.id,
                    "partner_id": self.bob.partner_id.id,
                    "state": "resolved",
                    "number": "DSP/2026/9999",
                },
            )
        self.assertEqual(dispute.state, "new")

        check = self._check(self.amy.partner_id, "background", date.today())
        with self.assertRaisesRegex(Fault, "follow the background check records"):
            self._rpc(
                BROKER,
                "timebank.member",
                "write",
                self.amy.ids,
                {"background_check_expiry": "2099-12-31"},
            )
        with self.assertRaisesRegex(Fault, "daily reminder of the checks"):
            self._rpc(
                MANAGER,
                "timebank.broker.check",
                "write",
                check.ids,
                {"reminder_sent": True},
            )
        self.assertFalse(self.amy.background_check_expiry)
        self.assertFalse(check.reminder_sent)

    def test_closed_assembly_is_frozen_over_xmlrpc(self):
        assembly = self._closed_assembly()
        accounts = self._accounts(assembly)
        line = assembly.attendance_ids[:1]
        vote = accounts.vote_ids[:1]
        frozen = "is Closed: its agenda, attendance, votes and minutes stay"
        for model, vals in (
            ("timebank.assembly.item", {"assembly_id": assembly.id, "name": "Late"}),
            (
                "timebank.assembly.attendance",
                {"assembly_id": assembly.id, "member_id": self.dan.id},
            ),
            (
                "timebank.assembly.vote",
                {"item_id": accounts.id, "member_id": self.dan.id, "choice": "for"},
            ),
        ):
            with self.subTest(create=model), self.assertRaisesRegex(Fault, frozen):
                self._rpc(BROKER, model, "create", vals)
        for records in (accounts, line, vote):
            with self.subTest(unlink=records._name):
                with self.assertRaisesRegex(Fault, frozen):
                    self._rpc(MANAGER, records._name, "unlink", records.ids)
        with self.assertRaisesRegex(Fault, frozen):
            self._rpc(
                BROKER,
                "timebank.assembly.vote",
                "write",
                vote.ids,
                {"choice": "against"},
            )
        with self.assertRaisesRegex(Fault, frozen):
            self._rpc(
                BROKER,
                "timebank.assembly",
                "write",
                assembly.ids,
                {"minutes_note": "<p>Rewritten</p>"},
            )
        with self.assertRaisesRegex(Fault, "it is cancelled, not deleted"):
            self._rpc(MANAGER, "timebank.assembly", "unlink", assembly.ids)
        self.assertEqual(len(assembly.item_ids), 2)
        self.assertEqual(len(assembly.attendance_ids), 3)
        self.assertEqual(accounts.vote_ids.mapped("choice"), ["for"] * 3)
        self.assertFalse(assembly.minutes_note)

    def test_decided_resolution_and_agenda_over_xmlrpc(self):
        assembly = self._new_assembly()
        with self.assertRaisesRegex(Fault, "Convene the assembly before opening"):
            self._open_over_rpc(assembly)
        self._rpc(BROKER, "timebank.assembly", "action_convene", assembly.ids)
        with self.assertRaisesRegex(Fault, "was convened with its agenda"):
            self._rpc(
                BROKER,
                "timebank.assembly.item",
                "create",
                {"assembly_id": assembly.id, "name": "Late item", "kind": "other"},
            )
        with self.assertRaisesRegex(Fault, "quorum, proxies and notice are those"):
            self._rpc(
                BROKER,
                "timebank.assembly",
                "write",
                assembly.ids,
                {"quorum_percent": 1},
            )
        self._open_over_rpc(assembly)
        policy = assembly.item_ids.filtered(lambda i: i.kind == "policy")
        voters = self.amy | self.bob | self.carol
        self._attend_over_rpc(assembly, voters)
        self._vote_over_rpc(policy, voters)
        self._rpc(BROKER, "timebank.assembly.item", "action_close_vote", policy.ids)
        self.assertEqual(policy.policy_change_ids.state, "approved")
        # deleting the adopted item would take its votes and policy change along
        with self.assertRaisesRegex(Fault, "The vote on Credit limit is closed"):
            self._rpc(MANAGER, "timebank.assembly.item", "unlink", policy.ids)
        with self.assertRaisesRegex(Fault, "The vote on Credit limit is closed"):
            self._rpc(MANAGER, "timebank.assembly.vote", "unlink", policy.vote_ids.ids)
        with self.assertRaisesRegex(Fault, "voted policy change cannot be deleted"):
            self._rpc(
                MANAGER,
                "timebank.policy.change",
                "unlink",
                policy.policy_change_ids.ids,
            )
        with self.assertRaisesRegex(Fault, "voted at this assembly"):
            self._rpc(
                MANAGER,
                "timebank.assembly.attendance",
                "unlink",
                assembly.attendance_ids[:1].ids,
            )
        self.assertEqual(policy.votes_for, 3)
        self.assertEqual(policy.policy_change_ids.state, "approved")

    def test_accounts_moved_before_the_vote_over_xmlrpc(self):
        self._pay(self._system("issuance"), self.amy, 120, date=date(2025, 6, 1))
        assembly = self._new_assembly(year=2025)
        self._rpc(BROKER, "timebank.assembly", "action_convene", assembly.ids)
        self._open_over_rpc(assembly)
        # shown before anyone votes
        self.assertIn("2:00", assembly.accounts_summary)
        voters = self.amy | self.bob | self.carol
        self._attend_over_rpc(assembly, voters)
        accounts = self._accounts(assembly)
        self._vote_over_rpc(accounts, voters)
        self._pay(self._system("issuance"), self.bob, 30, date=date(2025, 12, 20))
        with self.assertRaisesRegex(Fault, "moved after the accounts were presented"):
            self._rpc(
                BROKER, "timebank.assembly.item", "action_close_vote", accounts.ids
            )
        self.assertEqual(accounts.result, "pending")
        self.assertFalse(assembly.accounts_approved_date)
        self.assertIn("2:00", assembly.accounts_summary)

    def test_a_dispute_about_nothing_is_refused_over_xmlrpc(self):
        with self.assertRaisesRegex(Fault, "about a service or about a member"):
            self._rpc(
                BROKER,
                "timebank.dispute",
                "create",
                {
                    "name": "Something happened",
                    "description": "Nobody knows what.",
                    "category": "quality",
                    "partner_id": self.bob.partner_id.id,
                },
            )
        self.assertFalse(
            self.env["timebank.dispute"].search([("name", "=", "Something happened")])
        )

    def test_another_bank_cannot_act_over_xmlrpc(self):
        assembly = self._in_session()
        for method, args in (
            ("action_close", ()),
            ("write", ({"minutes_note": "<p>Ours now</p>"},)),
        ):
            with self.subTest(method=method):
                with self.assertRaisesRegex(Fault, "Time Bank General Assembly"):
                    self._rpc(
                        BROKER_B, "timebank.assembly", method, assembly.ids, *args
                    )
        with self.assertRaises(Fault):
            self._rpc(
                BROKER_B,
                "timebank.assembly.attendance",
                "create",
                {"assembly_id": assembly.id, "member_id": self.amy.id},
            )
        self.assertEqual(assembly.state, "in_session")
        self.assertFalse(assembly.attendance_ids)
        self.assertFalse(assembly.minutes_note)

    # ------------------------------------------------------------------ disputes
    def _posted_walk(self, minutes=60, **item_vals):
        """A service of ``minutes`` on an item capped at 2 hours, posted."""
        item = self._service_item(
            "Walk", category="Walks", cap_minutes=120, **item_vals
        )
        exchange = self._confirmed(self.amy, self.bob, item=item, minutes=minutes)
        exchange.with_user(self.broker).action_verify()
        exchange.with_user(self.broker).action_post()
        return exchange

    def _dispute_over_rpc(self, exchange, **vals):
        return self.env["timebank.dispute"].browse(
            self._rpc(
                BROKER,
                "timebank.dispute",
                "create",
                dict(
                    {
                        "name": "The walk lasted longer",
                        "description": "Bob says it lasted all afternoon.",
                        "category": "hours",
                        "exchange_id": exchange.id,
                        "partner_id": self.bob.partner_id.id,
                        "raised_as": "broker",
                        "adjust_credits": True,
                        "resolution": "Both agree.",
                    },
                    **vals,
                ),
            )
        )

    def test_a_correction_is_bounded_by_the_recorded_times_over_xmlrpc(self):
        exchange = self._posted_walk(minutes=60)
        self.assertEqual(self.amy.balance, 60)
        dispute = self._dispute_over_rpc(exchange, corrected_minutes=5000)
        with self.assertRaisesRegex(
            Fault,
            r"cannot be credited 83:20\. Its recorded times earn at most 1:00 "
            r"\(1:00 worked, coefficient 1, cap 2:00\)\. When more time was really "
            r"given, record the service again",
        ):
            self._rpc(BROKER, "timebank.dispute", "action_resolve", dispute.ids)
        self.assertEqual(dispute.state, "new")
        self.assertFalse(dispute.entry_ids)
        self.assertEqual(exchange.entry_id.state, "posted")
        self.assertEqual(self.amy.balance, 60)
        with self.assertRaisesRegex(Fault, "corrected time cannot be negative"):
            self._rpc(
                BROKER,
                "timebank.dispute",
                "write",
                dispute.ids,
                {"corrected_minutes": -30},
            )
        # what the recorded times earn, or less, is corrected
        self._rpc(
            BROKER, "timebank.dispute", "write", dispute.ids, {"corrected_minutes": 45}
        )
        self._rpc(BROKER, "timebank.dispute", "action_resolve", dispute.ids)
        self.assertEqual(dispute.state, "resolved")
        self.assertEqual(self.amy.balance, 45)

    def test_a_handled_dispute_is_not_deleted_over_xmlrpc(self):
        exchange = self._posted_walk()
        resolved = self._dispute_over_rpc(exchange, corrected_minutes=30)
        self._rpc(BROKER, "timebank.dispute", "action_resolve", resolved.ids)
        self.assertEqual(len(resolved.entry_ids), 3)
        in_review = self._dispute_over_rpc(exchange, adjust_credits=False)
        self._rpc(BROKER, "timebank.dispute", "action_review", in_review.ids)
        for dispute in (resolved, in_review):
            with self.subTest(state=dispute.state):
                with self.assertRaisesRegex(
                    Fault, "only a new dispute without ledger entries is"
                ):
                    self._rpc(MANAGER, "timebank.dispute", "unlink", dispute.ids)
        self.assertEqual(resolved.state, "resolved")
        self.assertEqual(resolved.entry_ids.dispute_id, resolved)
        self.assertEqual(len(resolved.entry_ids), 3)
        self.assertTrue(in_review.exists())
        # recorded by mistake and not handled yet: it goes
        mistake = self._dispute_over_rpc(exchange, adjust_credits=False)
        self._rpc(MANAGER, "timebank.dispute", "unlink", mistake.ids)
        self.assertFalse(mistake.exists())

    # ------------------------------------------------------------------ assembly
    def test_attendance_stays_as_a_closed_vote_counted_it_over_xmlrpc(self):
        assembly = self._in_session()
        self._attend_over_rpc(assembly, self.amy | self.bob | self.carol | self.dan)
        accounts = self._accounts(assembly)
        # three of five members vote: the quorum counted Dan too
        self._vote_over_rpc(accounts, self.amy | self.bob | self.carol)
        self._rpc(BROKER, "timebank.assembly.item", "action_close_vote", accounts.ids)
        self.assertEqual(accounts.result, "adopted")
        dan_line = assembly.attendance_ids.filtered(lambda a: a.member_id == self.dan)
        frozen = "The vote on Accounts of the year is closed: the attendance of"
        with self.assertRaisesRegex(Fault, frozen):
            self._rpc(MANAGER, "timebank.assembly.attendance", "unlink", dan_line.ids)
        with self.assertRaisesRegex(Fault, frozen):
            self._rpc(
                BROKER,
                "timebank.assembly.attendance",
                "write",
                dan_line.ids,
                {"mode": "proxy", "proxy_id": self.amy.id},
            )
        with self.assertRaisesRegex(Fault, frozen):
            self._attend_over_rpc(assembly, self.eve)
        self.assertEqual(len(assembly.attendance_ids), 4)
        self.assertEqual(dan_line.mode, "person")
        # the paper register is still signed
        self._rpc(
            BROKER,
            "timebank.assembly.attendance",
            "write",
            dan_line.ids,
            {"signed": True},
        )
        self.assertTrue(dan_line.signed)

    def test_duplicate_an_assembly_with_an_applied_change_over_xmlrpc(self):
        assembly = self._new_assembly()
        change = assembly.item_ids.policy_change_ids
        change.effective_date = date.today()
        self._rpc(BROKER, "timebank.assembly", "action_convene", assembly.ids)
        self._open_over_rpc(assembly)
        voters = self.amy | self.bob | self.carol
        self._attend_over_rpc(assembly, voters)
        self._vote_over_rpc(assembly.item_ids, voters)
        self._rpc(
            BROKER, "timebank.assembly.item", "action_close_vote", assembly.item_ids.ids
        )
        self._rpc(BROKER, "timebank.assembly", "action_close", assembly.ids)
        self.assertEqual(change.state, "applied")
        self.assertTrue(change.applied_date)
        copy = assembly.browse(
            self._rpc(BROKER, "timebank.assembly", "copy", assembly.ids)
        )
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.attendance_ids)
        self.assertEqual(set(copy.item_ids.mapped("result")), {"pending"})
        new_change = copy.item_ids.policy_change_ids
        self.assertEqual(new_change.state, "draft")
        self.assertEqual(new_change.new_value, 900)
        self.assertFalse(new_change.old_value)
        self.assertFalse(new_change.applied_date)
        self.assertEqual(change.state, "applied")
