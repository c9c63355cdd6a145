from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CooperativeCase


@tagged("post_install", "-at_install")
class TestDispute(CooperativeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._checked(cls.broker)
        cls.exchange = cls._confirmed(cls.amy, cls.bob, minutes=90)
        as_broker = cls.exchange.with_user(cls.broker).with_company(cls.bank_a)
        as_broker.action_verify()
        as_broker.action_post()

    def _dispute(self, **vals):
        return (
            self.env["timebank.dispute"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .create(
                dict(
                    {
                        "name": "The walk lasted one hour",
                        "description": "It ended at half past seven.",
                        "category": "hours",
                        "exchange_id": self.exchange.id,
                        "partner_id": self.bob.partner_id.id,
                    },
                    **vals,
                )
            )
        )

    def test_number_member_and_deadline(self):
        dispute = self._dispute(priority="3")
        self.assertRegex(dispute.number, r"^DSP/\d{4}/\d{4}$")
        self.assertEqual(dispute.member_id, self.amy, "the provider by default")
        self.assertEqual(dispute.company_id, self.bank_a)
        self.assertTrue(dispute.deadline)
        self.assertEqual(dispute.state, "new")

    def test_a_dispute_names_a_service_or_a_member(self):
        with self.assertRaisesRegex(ValidationError, "about a service or about a"):
            self._dispute(exchange_id=False)
        # neither given at all: the constraint alone would not run
        Dispute = self.env["timebank.dispute"].with_user(self.broker)
        with self.assertRaisesRegex(ValidationError, "about a service or about a"):
            Dispute.with_company(self.bank_a).create(
                {
                    "name": "Something happened",
                    "description": "Nobody knows what.",
                    "category": "quality",
                    "partner_id": self.bob.partner_id.id,
                }
            )
        self.assertFalse(Dispute.search([("name", "=", "Something happened")]))
        # and a dispute cannot lose its subject afterwards
        dispute = self._dispute(member_id=self.amy.id)
        with self.assertRaisesRegex(ValidationError, "about a service or about a"):
            dispute.write({"exchange_id": False, "member_id": False})

    def test_workflow_fields_move_with_the_buttons(self):
        dispute = self._dispute()
        for vals in (
            {"state": "resolved"},
            {"closed_date": "2026-01-01 10:00:00"},
            {"number": "DSP/0000/0001"},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, r"buttons \(Review, Mediate"):
                    dispute.write(vals)
        with self.assertRaisesRegex(UserError, r"State \(state\) cannot be written"):
            self._dispute(state="resolved")
        self.assertEqual(dispute.state, "new")
        self.assertRegex(dispute.number, r"^DSP/")

    def test_what_was_decided_stays(self):
        dispute = self._dispute(resolution="Both agree on one hour and a half.")
        dispute.action_resolve()
        for vals in (
            {"resolution": "Both agree on two hours."},
            {"adjust_credits": True, "corrected_minutes": 120},
            {"suspend_member": True},
            {"member_id": self.bob.id},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "what its resolution decided"):
                    dispute.write(vals)
        self.assertEqual(dispute.resolution, "Both agree on one hour and a half.")
        # the broker in charge and the deadline are still for the office to keep
        dispute.write({"priority": "0"})
        # the broker finds it from the member's form
        member = dispute.member_id.with_user(self.broker)
        self.assertEqual(member.dispute_count, 1)
        self.assertEqual(
            dispute.search(member.action_view_disputes()["domain"]), dispute
        )

    def test_workflow(self):
        dispute = self._dispute()
        dispute.action_review()
        self.assertEqual(dispute.user_id, self.broker)
        self.assertEqual(dispute.activity_ids.user_id, self.broker)
        self.assertEqual(dispute.activity_ids.date_deadline, dispute.deadline)
        dispute.action_mediate()
        self.assertEqual(dispute.state, "mediation")
        with self.assertRaisesRegex(UserError, "Write the resolution first"):
            dispute.action_resolve()
        dispute.action_escalate()
        self.assertEqual(dispute.state, "escalated")
        dispute.resolution = "The committee found no fault."
        dispute.action_reject()
        self.assertEqual(dispute.state, "rejected")
        self.assertTrue(dispute.closed_date)
        with self.assertRaisesRegex(UserError, "this step is not possible"):
            dispute.action_review()

    def test_only_a_broker_handles_it(self):
        member_user = self._portal_user(self.bob, "coop_bob")
        dispute = self._dispute()
        with self.assertRaisesRegex(AccessError, "Only a broker handles a dispute"):
            dispute.with_user(member_user).sudo(False).action_mediate()

    def test_correction_message_names_the_entries_by_number(self):
        """In a real request the entries are numbered after the commit: the
        message of the correction still names them by their numbers."""
        dispute = self._dispute(
            adjust_credits=True, corrected_minutes=45, resolution="45 minutes."
        )
        dispute.action_review()
        dispute.with_context(timebank_sequence_now=False).action_resolve()
        body = dispute.message_ids[:1].body
        for entry in dispute.entry_ids:
            self.assertRegex(entry.name, r"^[A-Z]{3}/\d{6}$")
            self.assertIn(entry.name, body)

    def test_adjust_credits_through_the_ledger(self):
        original = self.exchange.entry_id
        self.assertEqual(self.amy.balance, 90)
        dispute = self._dispute(
            adjust_credits=True,
            corrected_minutes=60,
            resolution="Both agree on one hour.",
        )
        dispute.action_review()
        dispute.action_resolve()
        self.assertEqual(dispute.state, "resolved")
        self.assertEqual(original.state, "reversed")
        reversal = original.reversal_entry_ids
        corrected = dispute.entry_ids - original - reversal
        self.assertEqual(len(reversal), 1)
        self.assertEqual(len(corrected), 1)
        self.assertEqual(dispute.entry_ids, original | reversal | corrected)
        self.assertEqual(reversal.dispute_id, dispute)
        self.assertEqual(corrected.dispute_id, dispute)
        self.assertEqual(corrected.state, "posted")
        self.assertEqual(corrected.exchange_id, self.exchange)
        self.assertEqual(corrected.total_minutes, 60)
        self.assertEqual(self.amy.balance, 60)
        self.assertEqual(self.bob.balance, -60)
        for entry in original | reversal | corrected:
            self.assertEqual(
                sum(entry.line_ids.mapped("debit")),
                sum(entry.line_ids.mapped("credit")),
            )
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["checked"], 3)
        # a second correction reverses the corrected entry, not the original
        second = self._dispute(
            adjust_credits=True, corrected_minutes=75, resolution="Finally 1:15."
        )
        second.action_resolve()
        self.assertEqual(corrected.state, "reversed")
        self.assertEqual(self.amy.balance, 75)
        self.assertTrue(self.env["timebank.entry"].verify_chain(self.bank_a.id)["ok"])

    def test_adjust_to_nothing(self):
        dispute = self._dispute(
            category="no_show",
            adjust_credits=True,
            corrected_minutes=0,
            resolution="The service did not take place.",
        )
        dispute.action_resolve()
        self.assertEqual(len(dispute.entry_ids), 2)
        self.assertEqual(self.amy.balance, 0)
        self.assertEqual(self.bob.balance, 0)

    def test_entries_are_linked_by_the_ledger_only(self):
        dispute = self._dispute()
        with self.assertRaisesRegex(UserError, "Only the resolution of a dispute"):
            self.exchange.entry_id.write({"dispute_id": dispute.id})

    def test_adjust_refused_on_a_service_not_posted(self):
        pending = self._confirmed(self.amy, self.bob, days_ago=5)
        dispute = self._dispute(
            exchange_id=pending.id,
            adjust_credits=True,
            corrected_minutes=30,
            resolution="Half an hour.",
        )
        with self.assertRaisesRegex(UserError, "is not posted"):
            dispute.action_resolve()

    def test_suspension(self):
        dispute = self._dispute(
            category="misconduct",
            suspend_member=True,
            resolution="Rude to an elder twice.",
        )
        dispute.action_resolve()
        self.assertEqual(self.amy.state, "suspended")
        self.assertIn(dispute.number, self.amy.state_reason)

    def test_correction_follows_the_coefficient_the_service_was_confirmed_with(self):
        item = self._service_item("Heavy moving", category="Moving", coefficient=1.5)
        exchange = self._confirmed(self.amy, self.bob, item=item, days_ago=5)
        as_broker = exchange.with_user(self.broker).with_company(self.bank_a)
        as_broker.action_verify()
        as_broker.action_post()
        # the catalog changes afterwards: the service keeps its coefficient
        item.coefficient = 3.0
        too_much = self._dispute(
            exchange_id=exchange.id,
            adjust_credits=True,
            corrected_minutes=91,
            resolution="An hour and a half and a minute.",
        )
        with self.assertRaisesRegex(
            UserError, r"earn at most 1:30 \(1:00 worked, coefficient 1.5, cap none\)"
        ):
            too_much.action_resolve()
        self.assertEqual(too_much.state, "new")
        dispute = self._dispute(
            exchange_id=exchange.id,
            adjust_credits=True,
            corrected_minutes=90,
            resolution="An hour and a half, as it was worth.",
        )
        dispute.action_resolve()
        self.assertEqual(dispute.state, "resolved")
