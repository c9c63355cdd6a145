"""States and what the actions set move only through the actions."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MatchingCase

REQUEST_HINT = "A request moves with its buttons \\(Publish, Claim, Assign"
OFFER_HINT = "An offer moves with its buttons \\(Publish, Close, Back to Draft\\)"
PLAN_HINT = "A care plan moves with its buttons \\(Start, Stop\\)"
CANDIDATE_HINT = "Candidates are ranked by Find Candidates"


@tagged("post_install", "-at_install")
class TestGuarded(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.volunteer = cls._volunteer("Guarded Gu")
        cls.published = cls._request()
        cls.published.action_publish()
        cls.exchange = cls.env["timebank.exchange"].create(
            {
                "provider_id": cls.volunteer.id,
                "receiver_id": cls.elder.id,
                "item_id": cls.shopping.id,
                "company_id": cls.bank_a.id,
                "date_start": fields.Datetime.now() - timedelta(hours=3),
                "date_end": fields.Datetime.now() - timedelta(hours=2),
            }
        )
        cls.plan = cls.env["timebank.care.plan"].create(
            {
                "name": "Guarded visit",
                "company_id": cls.bank_a.id,
                "member_id": cls.elder.id,
                "item_id": cls.shopping.id,
                "date_start": date(2026, 1, 1),
            }
        )
        cls.offer = cls.env["timebank.offer"].create(
            {
                "name": "Guarded errands",
                "member_id": cls.volunteer.id,
                "company_id": cls.bank_a.id,
            }
        )

    def _request_vals(self):
        return {
            "member_id": self.elder.id,
            "item_id": self.shopping.id,
            "company_id": self.bank_a.id,
        }

    def test_request_fields_set_by_actions_are_refused(self):
        values = {
            "name": "REQ/FAKE",
            "state": "assigned",
            "provider_id": self.volunteer.id,
            "date_assigned": fields.Datetime.now(),
            "exchange_id": self.exchange.id,
            "care_plan_id": self.plan.id,
            "visit_date": date(2026, 3, 5),
            "check_in": fields.Datetime.now(),
            "check_out": fields.Datetime.now(),
            "missed": True,
        }
        for user in (self.broker, self.manager):
            Request = self.env["timebank.request"].with_user(user)
            request = Request.browse(self.published.id)
            for name, value in values.items():
                label = Request._fields[name]._description_string(self.env)
                message = f"Time Bank Request: {label} \\({name}\\) cannot be written"
                with self.subTest(user=user.login, field=name):
                    with self.assertRaisesRegex(UserError, message):
                        request.write({name: value})
                    with self.assertRaisesRegex(UserError, REQUEST_HINT):
                        Request.create(dict(self._request_vals(), **{name: value}))
        self.assertEqual(self.published.state, "published")
        self.assertFalse(self.published.provider_id)
        self.assertTrue(self.published.name.startswith("REQ/"))

    def test_a_default_in_the_context_is_refused_too(self):
        Request = self.env["timebank.request"].with_user(self.broker)
        with self.assertRaisesRegex(UserError, "State \\(state\\) cannot be written"):
            Request.with_context(default_state="done").create(self._request_vals())

    def test_care_plan_visits_cannot_be_added_by_hand(self):
        plan = self.plan.with_user(self.broker)
        with self.assertRaisesRegex(UserError, "Care Plan \\(care_plan_id\\)"):
            plan.write({"request_ids": [Command.create(self._request_vals())]})
        with self.assertRaisesRegex(UserError, "Care Plan \\(care_plan_id\\)"):
            plan.write({"request_ids": [Command.link(self.published.id)]})
        self.assertFalse(self.plan.request_ids)

    def test_offer_state_is_refused(self):
        Offer = self.env["timebank.offer"].with_user(self.broker)
        with self.assertRaisesRegex(UserError, OFFER_HINT):
            Offer.browse(self.offer.id).write({"state": "published"})
        with self.assertRaisesRegex(UserError, "Standing Offer: State \\(state\\)"):
            Offer.create(
                {
                    "name": "Published at once",
                    "member_id": self.volunteer.id,
                    "company_id": self.bank_a.id,
                    "state": "published",
                }
            )
        self.assertEqual(self.offer.state, "draft")

    def test_care_plan_state_is_refused(self):
        Plan = self.env["timebank.care.plan"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, PLAN_HINT):
            Plan.browse(self.plan.id).write({"state": "running"})
        with self.assertRaisesRegex(UserError, "Recurring Care Plan: State"):
            Plan.create(
                {
                    "name": "Running at once",
                    "member_id": self.elder.id,
                    "item_id": self.shopping.id,
                    "company_id": self.bank_a.id,
                    "state": "running",
                }
            )
        self.assertEqual(self.plan.state, "draft")
        self.assertFalse(self.plan.request_ids)

    def test_candidates_are_the_engines(self):
        self._volunteer("Candidate Cao")
        request = self.published.with_user(self.broker)
        request.action_find_candidates()
        candidate = request.candidate_ids[:1]
        for name, value in (
            ("score", 99.0),
            ("rank", 1),
            ("notified", True),
            ("member_id", self.volunteer.id),
        ):
            with self.subTest(field=name):
                with self.assertRaisesRegex(UserError, CANDIDATE_HINT):
                    candidate.write({name: value})
        with self.assertRaisesRegex(UserError, "Ranked Candidate of a Request"):
            self.env["timebank.request.candidate"].with_user(self.broker).create(
                {
                    "request_id": self.published.id,
                    "member_id": self.volunteer.id,
                    "rank": 1,
                    "score": 100,
                }
            )
        # nor slipped in with a new request
        with self.assertRaisesRegex(UserError, CANDIDATE_HINT):
            self.env["timebank.request"].with_user(self.broker).create(
                dict(
                    self._request_vals(),
                    candidate_ids=[
                        Command.create(
                            {"member_id": self.volunteer.id, "rank": 1, "score": 100}
                        )
                    ],
                )
            )
        # the broker may still drop a candidate from the list
        candidate.unlink()

    # ------------------------------------------------------------------ actions
    def test_offer_actions_check_the_state(self):
        offer = self.offer.with_user(self.broker)
        with self.assertRaisesRegex(
            UserError, "Only a published offer can be closed: .* is Draft"
        ):
            offer.action_close()
        with self.assertRaisesRegex(
            UserError, "Only a closed offer returns to draft: .* is Draft"
        ):
            offer.action_draft()
        offer.action_publish()
        with self.assertRaisesRegex(
            UserError, "Only a draft offer can be published: .* is Published"
        ):
            offer.action_publish()
        offer.action_close()
        self.assertEqual(offer.state, "closed")
        offer.action_draft()
        self.assertEqual(offer.state, "draft")

    def test_care_plan_actions_check_the_state(self):
        plan = self.plan.with_user(self.broker)
        with self.assertRaisesRegex(
            UserError, "Only a running care plan can be stopped: .* is Draft"
        ):
            plan.action_stop()
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
            with self.assertRaisesRegex(
                UserError, "Care plan Guarded visit is already running"
            ):
                plan.action_start()
        self.assertTrue(plan.request_ids)
        self.assertEqual(set(plan.request_ids.mapped("care_plan_id")), {plan})

    def test_members_neither_start_nor_publish(self):
        portal = self._portal_user(self.volunteer)
        with self.assertRaisesRegex(AccessError, "Recurring Care Plan"):
            self.plan.with_user(portal).action_start()
        self.offer.action_publish()
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            self.offer.with_user(portal).action_close()
        self.assertEqual(self.offer.state, "published")

    def test_release_clears_the_times_of_the_volunteer_who_left(self):
        request = self._request()
        request.action_publish()
        request.with_user(self.broker).action_assign(self.volunteer)
        request.with_user(self.broker).action_check_in()
        request.with_user(self.broker).action_release()
        self.assertEqual(request.state, "published")
        self.assertFalse(request.provider_id)
        self.assertFalse(request.check_in)
        self.assertFalse(request.date_assigned)

    def test_a_copy_starts_as_a_new_draft(self):
        self.published.with_user(self.broker).action_assign(self.volunteer)
        copy = self.published.with_user(self.broker).copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.provider_id)
        self.assertNotEqual(copy.name, self.published.name)
        self.assertEqual(copy.date_from, self.published.date_from)

    def test_assign_takes_a_membership_id(self):
        request = self.published.with_user(self.broker)
        request.action_assign(self.volunteer.id)
        self.assertEqual(request.provider_id, self.volunteer)
        self.assertEqual(request.state, "assigned")
