from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.timebank_core.tests.common import csrf_token


@tagged("post_install", "-at_install")
class TestDisputePortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.bank = cls.env["res.company"].create({"name": "Portal Bank"})
        category = cls.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": cls.bank.id}
        )
        item = cls.env["timebank.service.item"].create(
            {"name": "Shopping", "category_id": category.id, "company_id": cls.bank.id}
        )
        members = cls.env["timebank.member"].create(
            [
                {
                    "company_id": cls.bank.id,
                    "partner_id": cls.env["res.partner"]
                    .create({"name": name, "timebank_privacy_consent": True})
                    .id,
                }
                for name in ("Dispute Amy", "Dispute David", "Dispute Lin")
            ]
        )
        members.action_activate()
        cls.amy, cls.david, cls.lin = members
        for member, login in ((cls.amy, "dsp_amy"), (cls.david, "dsp_david")):
            new_test_user(
                cls.env,
                login=login,
                name=member.partner_id.name,
                groups="base.group_portal,timebank_core.group_timebank_member",
                partner_id=member.partner_id.id,
                company_id=cls.bank.id,
                company_ids=[cls.bank.id],
            )
        begin = datetime.now().replace(microsecond=0) - timedelta(days=1)
        Exchange = cls.env["timebank.exchange"]
        cls.lin_for_amy, cls.lin_for_david = Exchange.create(
            [
                {
                    "company_id": cls.bank.id,
                    "provider_id": cls.lin.id,
                    "receiver_id": receiver.id,
                    "item_id": item.id,
                    "date_start": begin - timedelta(hours=hours),
                    "date_end": begin - timedelta(hours=hours) + timedelta(minutes=45),
                }
                for receiver, hours in ((cls.amy, 1), (cls.david, 3))
            ]
        )

    def test_member_opens_a_dispute_on_their_service_and_follows_it(self):
        self.authenticate("dsp_amy", "dsp_amy")
        page = self.url_open("/my/timebank")
        self.assertIn(f"/my/disputes/new?exchange_id={self.lin_for_amy.id}", page.text)
        form = self.url_open(f"/my/disputes/new?exchange_id={self.lin_for_amy.id}")
        self.assertEqual(form.status_code, 200)
        self.assertIn("Report a problem", form.text)
        response = self.url_open(
            "/my/disputes/new",
            data={
                "csrf_token": csrf_token(form.text),
                "exchange_id": self.lin_for_amy.id,
                "name": "Lin came an hour late",
                "category": "no_show",
                "description": "I waited from nine to ten.",
            },
        )
        self.assertEqual(response.status_code, 200)
        dispute = self.env["timebank.dispute"].search(
            [("exchange_id", "=", self.lin_for_amy.id)]
        )
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.partner_id, self.amy.partner_id)
        self.assertEqual(dispute.member_id, self.lin)
        self.assertEqual(dispute.company_id, self.bank)
        self.assertEqual(dispute.state, "new")
        self.assertIn(dispute.number, response.text)
        self.assertIn("o_portal_chatter", response.text)
        self.assertIn(self.amy.partner_id, dispute.message_partner_ids)
        listing = self.url_open("/my/disputes")
        self.assertIn(dispute.number, listing.text)
        self.assertIn("/my/disputes", self.url_open("/my").text)

    def test_no_dispute_on_someone_elses_service(self):
        self.authenticate("dsp_amy", "dsp_amy")
        form = self.url_open(f"/my/disputes/new?exchange_id={self.lin_for_david.id}")
        self.assertEqual(form.status_code, 404)
        page = self.url_open(f"/my/disputes/new?exchange_id={self.lin_for_amy.id}")
        response = self.url_open(
            "/my/disputes/new",
            data={
                "csrf_token": csrf_token(page.text),
                "exchange_id": self.lin_for_david.id,
                "name": "Not mine",
                "category": "quality",
                "description": "Trying.",
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["timebank.dispute"].search(
                [("exchange_id", "=", self.lin_for_david.id)]
            )
        )

    def test_member_cannot_open_another_members_dispute(self):
        dispute = self.env["timebank.dispute"].create(
            {
                "name": "Shopping was wrong",
                "description": "The wrong bread.",
                "category": "quality",
                "exchange_id": self.lin_for_david.id,
                "partner_id": self.david.partner_id.id,
                "company_id": self.bank.id,
            }
        )
        self.authenticate("dsp_david", "dsp_david")
        self.assertIn(
            "The wrong bread", self.url_open(f"/my/disputes/{dispute.id}").text
        )
        self.authenticate("dsp_amy", "dsp_amy")
        response = self.url_open(f"/my/disputes/{dispute.id}")
        self.assertNotIn("The wrong bread", response.text)
        self.assertNotIn(dispute.number, self.url_open("/my/disputes").text)

    def test_missing_fields_ask_again(self):
        self.authenticate("dsp_amy", "dsp_amy")
        form = self.url_open(f"/my/disputes/new?exchange_id={self.lin_for_amy.id}")
        response = self.url_open(
            "/my/disputes/new",
            data={
                "csrf_token": csrf_token(form.text),
                "exchange_id": self.lin_for_amy.id,
                "name": "",
                "category": "quality",
                "description": "",
            },
        )
        self.assertIn("Say what happened", response.text)
        self.assertFalse(
            self.env["timebank.dispute"].search(
                [("exchange_id", "=", self.lin_for_amy.id)]
            )
        )

    def test_a_service_that_is_not_a_number_is_not_found(self):
        self.authenticate("dsp_amy", "dsp_amy")
        for value in ("abc", "1.5", "-3", "²", "99999999999999999999", ""):
            with self.subTest(exchange_id=value):
                form = self.url_open(f"/my/disputes/new?exchange_id={value}")
                self.assertEqual(form.status_code, 404)
        page = self.url_open(f"/my/disputes/new?exchange_id={self.lin_for_amy.id}")
        response = self.url_open(
            "/my/disputes/new",
            data={
                "csrf_token": csrf_token(page.text),
                "exchange_id": f"{self.lin_for_amy.id}x",
                "name": "Lin came late",
                "category": "no_show",
                "description": "Half an hour.",
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["timebank.dispute"].search([("name", "=", "Lin came late")])
        )
        for page_value in ("abc", "²"):
            with self.subTest(page=page_value):
                listing = self.url_open(f"/my/disputes?page={page_value}")
                self.assertEqual(listing.status_code, 200)
