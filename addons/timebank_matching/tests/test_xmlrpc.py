"""Needs, offers and care plans through XML-RPC, as another program uses them."""

import inspect
from datetime import date, timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestXmlRpc(MatchingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.volunteer = cls._volunteer("Rpc Volunteer Ren", email="ren@example.com")
        cls.volunteer.contact_channel = "email"
        cls.volunteer_user = cls._portal_user(cls.volunteer, login="rpc_volunteer")
        cls.elder_user = cls._portal_user(cls.elder, login="rpc_elder_lin")
        cls.phone_helper = cls._volunteer("Rpc Phone Helper", km=2, phone="0912")

    def _call(self, user, model, method, *args, **kwargs):
        return xmlrpc_call(self, user.login, model, method, *args, **kwargs)

    def _published(self, **vals):
        request = self._request(**vals)
        request.action_publish()
        return request

    # ------------------------------------------------------------------ refusals
    def test_a_broker_cannot_write_what_the_buttons_set(self):
        request = self._published()
        for name, value in (
            ("state", "done"),
            ("provider_id", self.volunteer.id),
            ("check_in", fields.Datetime.to_string(fields.Datetime.now())),
            ("missed", True),
        ):
            with self.subTest(field=name):
                with self.assertRaisesRegex(
                    Fault, f"\\({name}\\) cannot be written. A request moves"
                ):
                    self._call(
                        self.broker,
                        "timebank.request",
                        "write",
                        [request.id],
                        {name: value},
                    )
        with self.assertRaisesRegex(Fault, "State \\(state\\) cannot be written"):
            self._call(
                self.broker,
                "timebank.request",
                "create",
                {
                    "member_id": self.elder.id,
                    "item_id": self.shopping.id,
                    "state": "published",
                },
            )
        self.assertEqual(request.state, "published")
        self.assertFalse(request.provider_id)

    def test_offer_and_care_plan_states_over_rpc(self):
        offer_id = self._call(
            self.broker,
            "timebank.offer",
            "create",
            {"name": "Rpc errands", "member_id": self.volunteer.id},
        )
        with self.assertRaisesRegex(Fault, "An offer moves with its buttons"):
            self._call(
                self.broker, "timebank.offer", "write", [offer_id], {"state": "closed"}
            )
        with self.assertRaisesRegex(Fault, "Only a published offer can be closed"):
            self._call(self.broker, "timebank.offer", "action_close", [offer_id])
        with self.assertRaisesRegex(Fault, "Only a closed offer returns to draft"):
            self._call(self.broker, "timebank.offer", "action_draft", [offer_id])
        self._call(self.broker, "timebank.offer", "action_publish", [offer_id])
        with self.assertRaisesRegex(Fault, "Only a draft offer can be published"):
            self._call(self.broker, "timebank.offer", "action_publish", [offer_id])
        plan_id = self._call(
            self.broker,
            "timebank.care.plan",
            "create",
            {
                "name": "Rpc visit",
                "member_id": self.elder.id,
                "item_id": self.shopping.id,
            },
        )
        with self.assertRaisesRegex(Fault, "A care plan moves with its buttons"):
            self._call(
                self.manager,
                "timebank.care.plan",
                "write",
                [plan_id],
                {"state": "running"},
            )
        with self.assertRaisesRegex(Fault, "Only a running care plan can be stopped"):
            self._call(self.broker, "timebank.care.plan", "action_stop", [plan_id])
        self._call(self.broker, "timebank.care.plan", "action_start", [plan_id])
        with self.assertRaisesRegex(Fault, "Care plan Rpc visit is already running"):
            self._call(self.broker, "timebank.care.plan", "action_start", [plan_id])
        # a member neither starts nor stops a care plan
        with self.assertRaisesRegex(Fault, "Recurring Care Plan"):
            self._call(
                self.volunteer_user, "timebank.care.plan", "action_stop", [plan_id]
            )

    def test_candidates_are_the_engines_over_rpc(self):
        request = self._published()
        request.action_find_candidates()
        candidate = request.candidate_ids[:1]
        with self.assertRaisesRegex(Fault, "Candidates are ranked by Find Candidates"):
            self._call(
                self.broker,
                "timebank.request.candidate",
                "write",
                candidate.ids,
                {"score": 100.0, "rank": 1},
            )
        with self.assertRaisesRegex(Fault, "Ranked Candidate of a Request"):
            self._call(
                self.manager,
                "timebank.request.candidate",
                "create",
                {"request_id": request.id, "member_id": self.volunteer.id, "rank": 1},
            )

    def test_a_member_cannot_claim_for_someone_else_over_rpc(self):
        request = self._published()
        with self.assertRaisesRegex(Fault, "not allowed to modify"):
            self._call(
                self.volunteer_user,
                "timebank.request",
                "write",
                [request.id],
                {"description": "mine"},
            )
        with self.assertRaisesRegex(Fault, "Only a broker does this"):
            self._call(
                self.volunteer_user,
                "timebank.request",
                "action_assign",
                [request.id],
                self.volunteer.id,
            )
        request.with_user(self.broker).action_assign(self.phone_helper)
        # taken, the request is no longer for the other volunteers to see
        with self.assertRaisesRegex(Fault, "Time Bank Request"):
            self._call(
                self.volunteer_user, "timebank.request", "read", [request.id], ["state"]
            )
        # the person in need sees it but does not check in for the volunteer
        with self.assertRaisesRegex(Fault, "Only the volunteer or a broker checks"):
            self._call(
                self.elder_user, "timebank.request", "action_check_in", [request.id]
            )
        self.assertFalse(request.check_in)

    # ------------------------------------------------------------------ actions
    def _matching_actions(self):
        """(model, method) of every public action_* that timebank_matching
        defines or overrides."""
        found = set()
        for name in self.env.registry:
            cls = type(self.env[name])
            for attr, _function in inspect.getmembers(cls, inspect.isfunction):
                if attr.startswith("action_") and any(
                    klass.__module__.startswith("odoo.addons.timebank_matching.")
                    and attr in klass.__dict__
                    for klass in cls.__mro__
                ):
                    found.add((name, attr))
        return found

    def test_every_public_action_answers_over_rpc(self):
        """Each action of the matching models, on a record in the state its
        button needs, gives XML-RPC something it can carry."""
        answers = {}

        def call(user, model, method, ids, *args):
            answer = self._call(user, model, method, ids, *args)
            self.assertIsInstance(answer, (bool, dict), f"{model}.{method}")
            answers.setdefault((model, method), answer)
            return answer

        Request = "timebank.request"
        # a need from publication to the service record
        need = self._request()
        call(self.broker, Request, "action_publish", need.ids)
        call(self.broker, Request, "action_find_candidates", need.ids)
        call(self.broker, Request, "action_find_candidates_background", need.ids)
        call(self.broker, Request, "action_notify_top", need.ids)
        call(self.volunteer_user, Request, "action_claim", need.ids)
        call(self.volunteer_user, Request, "action_check_in", need.ids)
        # the visit lasted an hour
        need._guarded_write({"check_in": fields.Datetime.now() - timedelta(hours=1)})
        call(self.volunteer_user, Request, "action_check_out", need.ids)
        call(self.volunteer_user, Request, "action_done", need.ids)
        self.assertEqual(need.state, "done")
        action = call(self.broker, Request, "action_view_exchange", need.ids)
        self.assertEqual(action["res_id"], need.exchange_id.id)
        # the receiver still confirms the service the request recorded
        self.assertEqual(need.exchange_id.state, "submitted")
        self._call(
            self.elder_user, "timebank.exchange", "action_confirm", need.exchange_id.ids
        )
        self.assertEqual(need.exchange_id.confirmation_channel, "receiver")

        # assigned by the broker, released, cancelled, back to draft
        other = self._request()
        call(self.broker, Request, "action_assign", other.ids, self.phone_helper.id)
        call(self.broker, Request, "action_release", other.ids)
        call(self.broker, Request, "action_cancel", other.ids)
        call(self.broker, Request, "action_draft", other.ids)
        self.assertEqual(other.state, "draft")
        # withdrawn by the member who needs it
        mine = self._published()
        call(self.elder_user, Request, "action_withdraw", mine.ids)
        self.assertEqual(mine.state, "cancelled")
        # assigned from the ranked candidates
        ranked = self._published()
        ranked.action_find_candidates()
        call(
            self.broker,
            "timebank.request.candidate",
            "action_assign",
            ranked.candidate_ids[:1].ids,
        )
        self.assertEqual(ranked.state, "assigned")

        Offer = "timebank.offer"
        offer = self.env[Offer].create(
            {
                "name": "Rpc offer",
                "member_id": self.volunteer.id,
                "company_id": self.bank_a.id,
            }
        )
        call(self.broker, Offer, "action_publish", offer.ids)
        # booked by the elder, declined by the volunteer
        booking = self._request()
        call(self.elder_user, Request, "action_book_offer", booking.ids, offer.id)
        call(self.elder_user, Request, "action_publish", booking.ids)
        call(self.volunteer_user, Request, "action_decline_booking", booking.ids)
        self.assertEqual((booking.state, booking.offer_id), ("draft", offer.browse()))
        action = call(
            self.broker, "timebank.member", "action_view_requests", self.elder.ids
        )
        self.assertIn(booking, self.env[Request].search(action["domain"]))
        # the elder's address is on the map already: nothing to look up
        action = call(
            self.broker, "timebank.member", "action_geolocalize", self.elder.ids
        )
        self.assertIn("already on the map", action["params"]["message"])
        call(self.broker, Offer, "action_close", offer.ids)
        call(self.broker, Offer, "action_draft", offer.ids)

        Plan = "timebank.care.plan"
        plan = self.env[Plan].create(
            {
                "name": "Rpc weekly visit",
                "member_id": self.elder.id,
                "item_id": self.shopping.id,
                "provider_id": self.volunteer.id,
                "company_id": self.bank_a.id,
                "date_start": date.today(),
            }
        )
        call(self.broker, Plan, "action_start", plan.ids)
        self.assertTrue(plan.request_ids)
        action = call(self.broker, Plan, "action_view_requests", plan.ids)
        self.assertEqual(action["domain"], [["care_plan_id", "=", plan.id]])
        call(self.broker, Plan, "action_stop", plan.ids)
        self.assertEqual(plan.state, "stopped")

        self.assertEqual(set(answers), self._matching_actions())

    # ------------------------------------------------------------------ review
    def test_a_member_does_not_cancel_a_taken_need_over_rpc(self):
        for take in ("claim", "assign"):
            with self.subTest(take=take):
                request = self._published()
                if take == "claim":
                    request.with_user(self.volunteer_user).action_claim()
                else:
                    request.with_user(self.broker).action_assign(self.volunteer)
                with self.assertRaisesRegex(
                    Fault, "a volunteer is already on the way. Please call your"
                ):
                    self._call(
                        self.elder_user,
                        "timebank.request",
                        "action_cancel",
                        request.ids,
                    )
                self.assertIn(request.state, ("claimed", "assigned"))
                # the broker, whom the member calls, cancels it
                self._call(
                    self.broker, "timebank.request", "action_cancel", request.ids
                )
                self.assertEqual(request.state, "cancelled")
        # a need nobody took yet the member cancels
        mine = self._published()
        self._call(self.elder_user, "timebank.request", "action_cancel", mine.ids)
        self.assertEqual(mine.state, "cancelled")

    def test_assign_refuses_what_is_not_a_membership_over_rpc(self):
        request = self._published()
        other_bank = self._volunteer("Rpc Bank B Volunteer", bank=self.bank_b)
        for value in (
            "abc",
            str(self.volunteer.id),
            1.5,
            True,
            [self.volunteer.id],
            {},
            0,
            -4,
        ):
            with self.subTest(member=value):
                with self.assertRaisesRegex(
                    Fault, "Assign the request to one member: give the id of their"
                ):
                    self._call(
                        self.broker,
                        "timebank.request",
                        "action_assign",
                        request.ids,
                        value,
                    )
        for value in (other_bank.id, 2_000_000_000):
            with self.subTest(member=value):
                with self.assertRaisesRegex(
                    Fault, f"{value} is not the id of a membership of Bank A"
                ) as refusal:
                    self._call(
                        self.broker,
                        "timebank.request",
                        "action_assign",
                        request.ids,
                        value,
                    )
                self.assertNotIn("Rpc Bank B Volunteer", str(refusal.exception))
        self.assertEqual(request.state, "published")
        self.assertFalse(request.provider_id)
        self._call(
            self.broker,
            "timebank.request",
            "action_assign",
            request.ids,
            self.volunteer.id,
        )
        self.assertEqual(request.provider_id, self.volunteer)

    def test_duplicate_works_over_rpc(self):
        """Duplicate gives a draft of what the buttons moved on."""
        done = self._request(description="Weekly shopping").with_user(self.broker)
        done.action_assign(self.volunteer)
        done._guarded_write(
            {
                "check_in": fields.Datetime.now() - timedelta(hours=1),
                "check_out": fields.Datetime.now(),
            }
        )
        done.action_done()
        offer = self.env["timebank.offer"].create(
            {
                "name": "Rpc errands",
                "member_id": self.volunteer.id,
                "company_id": self.bank_a.id,
            }
        )
        offer.action_publish()
        plan = self.env["timebank.care.plan"].create(
            {
                "name": "Rpc weekly visit",
                "member_id": self.elder.id,
                "item_id": self.shopping.id,
                "provider_id": self.volunteer.id,
                "company_id": self.bank_a.id,
                "date_start": date.today(),
            }
        )
        plan.action_start()
        for record in (done, offer, plan):
            with self.subTest(model=record._name):
                copy = record.browse(
                    self._call(self.broker, record._name, "copy", record.ids)
                )
                self.assertNotEqual(copy, record)
                self.assertEqual(copy.state, "draft")
        copies = self.env["timebank.request"].search(
            [("description", "=", "Weekly shopping"), ("id", "!=", done.id)]
        )
        self.assertEqual(len(copies), 1)
        self.assertFalse(copies.provider_id or copies.exchange_id or copies.check_in)
        self.assertNotEqual(copies.name, done.name)
        self.assertEqual(done.state, "done")
