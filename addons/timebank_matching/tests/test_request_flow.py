from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestRequestFlow(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_amy = cls._volunteer("Mail Amy", km=1, email="amy@example.com")
        cls.mail_amy.contact_channel = "email"
        cls.phone_bo = cls._volunteer("Phone Bo", km=2, phone="0912 345 678")
        cls.third = cls._volunteer("Third Tao", km=3, email="tao@example.com")
        cls.third.contact_channel = "email"
        cls.amy_user = new_test_user(
            cls.env,
            login="mail_amy",
            name="Mail Amy",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.mail_amy.partner_id.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.bank_a.timebank_notify_count = 2

    def test_publish_needs_a_future_time(self):
        request = self.env["timebank.request"].create(
            {
                "member_id": self.elder.id,
                "item_id": self.shopping.id,
                "company_id": self.bank_a.id,
            }
        )
        with self.assertRaisesRegex(UserError, "add at least one preferred time"):
            request.with_user(self.broker).action_publish()
        past = self._request(start=fields.Datetime.now() - timedelta(days=2))
        with self.assertRaisesRegex(UserError, "every preferred time is already past"):
            past.with_user(self.broker).action_publish()
        request = self._request()
        request.with_user(self.broker).action_publish()
        self.assertEqual(request.state, "published")
        self.assertTrue(request.name.startswith("REQ/"))

    def test_notify_the_top_candidates(self):
        request = self._request().with_user(self.broker)
        request.action_publish()
        toast = request.action_notify_top()
        # the broker is told at once what happened
        self.assertEqual(toast["tag"], "display_notification")
        self.assertIn("to call", toast["params"]["message"])
        ranked = request.candidate_ids.sorted("rank")
        self.assertEqual(
            ranked.member_id[:3], self.mail_amy | self.phone_bo | self.third
        )
        self.assertEqual(ranked.mapped("notified"), [True, True, False])
        message = request.message_ids.filtered(
            lambda m: "A neighbour needs help" in (m.body or "")
        )
        self.assertEqual(message.partner_ids, self.mail_amy.partner_id)
        call = request.activity_ids
        self.assertEqual(len(call), 1)
        self.assertEqual(
            call.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(call.user_id, self.broker)
        self.assertIn("0912 345 678", str(call.note))

    def test_broker_assigns_from_the_candidates(self):
        request = self._request().with_user(self.broker)
        request.action_find_candidates()
        request.candidate_ids.filtered(
            lambda c: c.member_id == self.third
        ).action_assign()
        self.assertEqual(request.state, "assigned")
        self.assertEqual(request.provider_id, self.third)
        request.action_release()
        self.assertEqual(request.state, "published")
        self.assertFalse(request.provider_id)

    def test_members_do_not_run_the_engine(self):
        request = self._request()
        request.action_publish()
        with self.assertRaisesRegex(AccessError, "Only a broker"):
            request.with_user(self.amy_user).action_find_candidates()

    def test_done_records_the_service_for_confirmation(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)
        request = self._request(start=start)
        request.action_publish()
        as_amy = request.with_user(self.amy_user)
        as_amy.action_claim()
        self.assertEqual(request.state, "claimed")
        self.assertEqual(request.provider_id, self.mail_amy)
        with self.assertRaisesRegex(UserError, "Check in first"):
            as_amy.action_check_out()
        with self.assertRaisesRegex(UserError, "check in and out"):
            as_amy.action_done()
        with freeze_time(start):
            as_amy.action_check_in()
        with freeze_time(start + timedelta(minutes=90)):
            as_amy.action_check_out()
        with freeze_time(start + timedelta(hours=2)):
            as_amy.action_done()
            self.assertEqual(request.state, "done")
            exchange = request.exchange_id
            self.assertEqual(exchange.state, "submitted")
            self.assertEqual(exchange.provider_id, self.mail_amy)
            self.assertEqual(exchange.receiver_id, self.elder)
            self.assertEqual(exchange.actual_minutes, 90)
            self.assertEqual(exchange.intake_channel, "phone")
            # the receiver's side and the broker still confirm, verify and post
            exchange.with_user(self.broker).action_confirm("phone")
            exchange.sudo().action_verify()
        self.assertEqual(exchange.state, "verified")

    def test_only_the_volunteer_or_a_broker_closes(self):
        request = self._request()
        request.action_publish()
        request.with_user(self.broker).action_assign(self.phone_bo)
        with self.assertRaisesRegex(AccessError, "Only the volunteer or a broker"):
            request.with_user(self.amy_user).action_check_in()

    def test_cancel_and_back_to_draft(self):
        request = self._request().with_user(self.broker)
        request.action_publish()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            request.action_cancel()
        request.action_draft()
        self.assertEqual(request.state, "draft")

    def test_claimed_request_cannot_be_claimed_again(self):
        request = self._request()
        request.action_publish()
        request.with_user(self.broker).action_assign(self.phone_bo)
        with self.assertRaisesRegex(
            UserError, "another volunteer has already taken it"
        ):
            request.with_user(self.amy_user).action_claim()
        self.assertEqual(request.provider_id, self.phone_bo)

    def test_weights_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.bank_a.timebank_weight_distance = -1

    def test_only_active_members_publish_and_only_members_claim(self):
        applicant = self._volunteer("Applicant Ai", active=False)
        request = self._request(member=applicant)
        with self.assertRaisesRegex(UserError, "Applicant Ai is not an active member"):
            request.with_user(self.broker).action_publish()
        outsider = new_test_user(
            self.env,
            login="outsider",
            groups="base.group_portal,timebank_core.group_timebank_member",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        open_request = self._request()
        open_request.action_publish()
        with self.assertRaisesRegex(UserError, "You are not a member of Bank A"):
            open_request.with_user(outsider).action_claim()
        elder_user = new_test_user(
            self.env,
            login="elder_lin",
            name="Elder Lin",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=self.elder.partner_id.id,
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        with self.assertRaisesRegex(UserError, "cannot provide it to themselves"):
            open_request.with_user(elder_user).action_claim()
        self.assertEqual(open_request.state, "published")

    def test_standing_offers(self):
        Offer = self.env["timebank.offer"].with_user(self.broker)
        applicant = self._volunteer("Offer Applicant", active=False)
        offer = Offer.create(
            {"name": "Errands", "member_id": applicant.id, "company_id": self.bank_a.id}
        )
        with self.assertRaisesRegex(UserError, "is not an active member"):
            offer.action_publish()
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            offer.travel_radius_km = -1
        offer.member_id = self.third
        offer.action_publish()
        self.assertEqual(offer.state, "published")
        with self.assertRaisesRegex(UserError, "Only a draft offer"):
            offer.action_publish()
        with self.assertRaisesRegex(ValidationError, "start time must come before"):
            offer.write({"slot_ids": [Command.create({"hour_from": 12, "hour_to": 9})]})


@tagged("post_install", "-at_install")
class TestRequestPlace(MatchingCase):
    def test_place_and_time_zone_come_from_the_person_in_need(self):
        self.elder.partner_id.write(
            {
                "street": "No. 88, Beida Road",
                "city": "Hsinchu",
                "zip": "300",
                "tz": "Asia/Taipei",
            }
        )
        request = self.env["timebank.request"].create(
            {
                "member_id": self.elder.id,
                "item_id": self.shopping.id,
                "company_id": self.bank_a.id,
            }
        )
        self.assertNotIn("\n", request.place)
        self.assertIn("No. 88, Beida Road, ", request.place)
        self.assertEqual(request.tz, "Asia/Taipei")
        self.assertEqual(request.latitude, self.elder.partner_id.partner_latitude)
