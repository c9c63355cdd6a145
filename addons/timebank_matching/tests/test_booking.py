"""A member books a neighbour's standing offer: a request addressed to that
member, who accepts or declines it."""

from datetime import date, timedelta
from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import csrf_token, xmlrpc_call

from .common import MatchingCase

OFFERS_URL = "/my/timebank/offers"
NEW_URL = "/my/timebank/requests/new"
REQUESTS_URL = "/my/timebank/requests"


@tagged("post_install", "-at_install")
class TestBooking(MatchingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pan = cls._volunteer("Booking Pan", km=1)
        cls.other = cls._volunteer("Booking Other", km=1)
        cls._portal_user(cls.elder, "bk_elder")
        cls._portal_user(cls.pan, "bk_pan")
        cls.pan.partner_id.timebank_contact_channel = "email"
        cls._portal_user(cls.other, "bk_other")
        cls.offer = cls.env["timebank.offer"].create(
            {
                "name": "Weekly shopping on Mondays",
                "member_id": cls.pan.id,
                "company_id": cls.bank_a.id,
                "item_id": cls.shopping.id,
                "slot_ids": [
                    Command.create({"weekday": "0", "hour_from": 9.0, "hour_to": 12.5})
                ],
            }
        )
        cls.offer.action_publish()

    def _book_in_portal(self, offer):
        page = self.url_open(f"{NEW_URL}?offer_id={offer.id}")
        day = date.today() + timedelta(days=3)
        return page, self.url_open(
            NEW_URL,
            data={
                "csrf_token": csrf_token(page.text),
                "offer_id": str(offer.id),
                "item_id": str(self.shopping.id),
                "window_0_date": day.isoformat(),
                "window_0_from": "09:00",
                "window_0_to": "11:00",
                "description": "Rice and vegetables.",
            },
        )

    def _booked(self):
        return self.env["timebank.request"].search(
            [("offer_id", "=", self.offer.id)], limit=1
        )

    def test_book_accept_from_the_portal(self):
        self.authenticate("bk_elder", "bk_elder")
        offers = self.url_open(OFFERS_URL)
        self.assertIn("Weekly shopping on Mondays", offers.text)
        self.assertIn("Booking Pan", offers.text)
        self.assertIn("09:00-12:30", offers.text)
        self.assertIn(f"{NEW_URL}?offer_id={self.offer.id}", offers.text)
        form, sent = self._book_in_portal(self.offer)
        self.assertIn("You are asking", form.text)
        self.assertIn(f'name="offer_id" value="{self.offer.id}"', form.text)
        self.assertIn(
            "is sent to Booking Pan, who will accept or decline it", sent.text
        )
        booked = self._booked()
        self.assertRecordValues(
            booked,
            [
                {
                    "state": "published",
                    "member_id": self.elder.id,
                    "booked_member_id": self.pan.id,
                }
            ],
        )
        told = booked.message_ids.filtered(
            lambda m: self.pan.partner_id in m.partner_ids
        )
        self.assertIn("booked your offer Weekly shopping on Mondays", told.body)
        # the other volunteers neither see nor take it
        self.authenticate("bk_other", "bk_other")
        page = self.url_open(REQUESTS_URL)
        self.assertNotIn(booked.name, page.text)
        self.assertEqual(
            xmlrpc_call(
                self, "bk_other", booked._name, "search", [("id", "=", booked.id)]
            ),
            [],
        )
        with self.assertRaisesRegex(Fault, "is booked with the offer of Booking Pan"):
            xmlrpc_call(self, "bk_other", booked._name, "action_claim", [booked.id])
        # the volunteer accepts from the portal
        self.authenticate("bk_pan", "bk_pan")
        page = self.url_open(REQUESTS_URL)
        self.assertIn("Booked with your offers", page.text)
        self.assertIn("Yes, I will come", page.text)
        page = self.url_open(
            f"{REQUESTS_URL}/{booked.id}/claim",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("the request is yours", page.text)
        self.assertRecordValues(
            booked, [{"state": "claimed", "provider_id": self.pan.id}]
        )

    def test_the_volunteer_declines_with_a_reason(self):
        self.authenticate("bk_elder", "bk_elder")
        self._book_in_portal(self.offer)
        booked = self._booked()
        # a neighbour does not even see it; the elder who asked does not
        # decline for the volunteer
        with self.assertRaisesRegex(Fault, "doesn't have 'read' access"):
            xmlrpc_call(
                self, "bk_other", booked._name, "action_decline_booking", [booked.id]
            )
        with self.assertRaisesRegex(
            Fault, "Only Booking Pan, whose offer was booked, or a broker declines"
        ):
            xmlrpc_call(
                self, "bk_elder", booked._name, "action_decline_booking", [booked.id]
            )
        self.authenticate("bk_pan", "bk_pan")
        page = self.url_open(REQUESTS_URL)
        page = self.url_open(
            f"{REQUESTS_URL}/{booked.id}/decline",
            data={
                "csrf_token": csrf_token(page.text),
                "reason": "I am away that week.",
            },
        )
        self.assertIn("You declined the booking", page.text)
        self.assertRecordValues(booked, [{"state": "draft", "offer_id": False}])
        told = booked.message_ids.filtered(lambda m: "cannot take" in (m.body or ""))
        self.assertIn("Booking Pan cannot take this request", told.body)
        self.assertIn("I am away that week.", told.body)
        self.assertIn(self.elder.partner_id, told.partner_ids)
        # the elder asks every volunteer instead, from her page
        self.authenticate("bk_elder", "bk_elder")
        page = self.url_open(REQUESTS_URL)
        self.assertIn("Ask every volunteer", page.text)
        page = self.url_open(
            f"{REQUESTS_URL}/{booked.id}/publish",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("Your request is sent again", page.text)
        self.assertRecordValues(booked, [{"state": "published", "offer_id": False}])
        with self.assertRaisesRegex(Fault, "is not booked with an offer"):
            xmlrpc_call(
                self, "bk_pan", booked._name, "action_decline_booking", [booked.id]
            )

    def test_a_volunteer_without_e_mail_gets_a_call(self):
        self.pan.partner_id.timebank_contact_channel = "phone"
        request = self._request()
        request.action_book_offer(self.offer.id)
        request.action_publish()
        activity = request.activity_ids
        self.assertEqual(activity.summary, "Call Booking Pan")
        self.assertIn("booked the offer Weekly shopping on Mondays", activity.note)
        self.assertEqual(activity.user_id, self.bank_a._timebank_broker())
        with self.assertRaisesRegex(Exception, "offered to nobody else"):
            request.with_user(self.broker).action_notify_top()

    def test_refusals_of_a_booking(self):
        request = self._request()
        login = "bk_elder"
        call = lambda *args: xmlrpc_call(  # noqa: E731
            self, login, request._name, "action_book_offer", [request.id], *args
        )
        self.offer.action_close()
        with self.assertRaisesRegex(Fault, "Choose one of the published offers of"):
            call(self.offer.id)
        self.offer.action_draft()
        self.offer.action_publish()
        offer_b = self.env["timebank.offer"].create(
            {
                "name": "Offer of B",
                "member_id": self._volunteer("Booking B", bank=self.bank_b).id,
                "company_id": self.bank_b.id,
            }
        )
        offer_b.sudo().action_publish()
        for wrong in (offer_b.id, 0, "x", True):
            with self.assertRaisesRegex(Fault, "Choose one of the published offers"):
                call(wrong)
        own = self.env["timebank.offer"].create(
            {
                "name": "Elder's own",
                "member_id": self.elder.id,
                "company_id": self.bank_a.id,
            }
        )
        own.action_publish()
        with self.assertRaisesRegex(Fault, "cannot provide it to themselves"):
            call(own.id)
        # another member cannot book the elder's request, nor write the booking
        with self.assertRaisesRegex(Fault, "doesn't have 'read' access"):
            xmlrpc_call(
                self,
                "bk_other",
                request._name,
                "action_book_offer",
                [request.id],
                self.offer.id,
            )
        with self.assertRaisesRegex(
            Fault, "Booked Offer \\(offer_id\\) cannot be written"
        ):
            xmlrpc_call(
                self,
                "tb_broker",
                request._name,
                "write",
                [request.id],
                {"offer_id": self.offer.id},
            )
        self.assertFalse(request.offer_id)
        call(self.offer.id)
        self.assertEqual(request.offer_id, self.offer)
        # the broker finds the elder's needs from her form
        elder = self.elder.with_user(self.broker)
        self.assertEqual(elder.request_count, 1)
        self.assertEqual(
            request.search(elder.action_view_requests()["domain"]), request
        )
        request.action_publish()
        with self.assertRaisesRegex(Fault, "Only a draft can be booked"):
            call(self.offer.id)

    def test_a_booking_stays_with_its_bank_its_volunteer_and_its_offer(self):
        request = self._request()
        request.action_book_offer(self.offer.id)
        request.action_publish()
        # another bank's broker neither declines it nor reads it
        with self.assertRaisesRegex(Fault, "doesn't have 'read' access"):
            xmlrpc_call(
                self,
                "tb_broker_b",
                request._name,
                "action_decline_booking",
                [request.id],
            )
        self.assertRecordValues(
            request, [{"state": "published", "offer_id": self.offer.id}]
        )
        # another member reads neither the request nor its preferred times
        self.assertEqual(
            xmlrpc_call(
                self,
                "bk_other",
                "timebank.request.window",
                "search",
                [("request_id", "=", request.id)],
            ),
            [],
        )
        self.assertTrue(
            xmlrpc_call(
                self,
                "bk_pan",
                "timebank.request.window",
                "search",
                [("request_id", "=", request.id)],
            )
        )
        # given by the broker to someone else, it is no longer booked
        request.with_user(self.broker).action_assign(self.other.id)
        self.assertRecordValues(
            request,
            [{"state": "assigned", "provider_id": self.other.id, "offer_id": False}],
        )

    def test_a_booking_is_checked_again_when_published(self):
        request = self._request()
        request.action_book_offer(self.offer.id)
        self.offer.action_close()
        with self.assertRaisesRegex(Exception, "Choose one of the published offers"):
            request.action_publish()
        self.assertEqual(request.state, "draft")
