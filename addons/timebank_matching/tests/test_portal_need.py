from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import csrf_token

NEW_URL = "/my/timebank/requests/new"


@tagged("post_install", "-at_install")
class TestPortalNeed(HttpCase):
    """Members and proxies register needs in the portal; two banks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a = cls.env.company
        cls.bank_b = cls.env["res.company"].create({"name": "Need Bank B"})
        Category = cls.env["timebank.service.category"]
        Item = cls.env["timebank.service.item"]
        errands = Category.create({"name": "Need errands", "company_id": cls.bank_a.id})
        cls.shopping = Item.create(
            {
                "name": "Need shopping",
                "category_id": errands.id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.item_b = Item.create(
            {
                "name": "Need gardening of B",
                "category_id": Category.create(
                    {"name": "Need garden", "company_id": cls.bank_b.id}
                ).id,
                "company_id": cls.bank_b.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.son = Partner.create({"name": "Need Son", "timebank_privacy_consent": True})
        elder = Partner.create(
            {
                "name": "Need Elder",
                "timebank_privacy_consent": True,
                "street": "12 Lane of Pines",
                "city": "Hsinchu",
                "tz": "Asia/Taipei",
                "partner_latitude": 24.8,
                "partner_longitude": 120.97,
                "timebank_proxy_id": cls.son.id,
                "timebank_proxy_consent_date": date(2025, 1, 1),
            }
        )
        members = cls.env["timebank.member"].create(
            [
                {"partner_id": partner.id}
                for partner in (
                    elder,
                    cls.son,
                    Partner.create(
                        {"name": "Need Stranger", "timebank_privacy_consent": True}
                    ),
                    Partner.create(
                        {
                            "name": "Need Ann",
                            "timebank_privacy_consent": True,
                            "tz": "Asia/Taipei",
                        }
                    ),
                )
            ]
        )
        members.action_activate()
        cls.elder, cls.son_member, cls.stranger, cls.ann = members
        cls.applicant = cls.env["timebank.member"].create(
            {
                "partner_id": Partner.create(
                    {"name": "Need Applicant", "timebank_privacy_consent": True}
                ).id
            }
        )
        for login, partner in (
            ("need_ann", cls.ann.partner_id),
            ("need_son", cls.son),
            ("need_stranger", cls.stranger.partner_id),
            ("need_applicant", cls.applicant.partner_id),
            ("need_guest", False),
        ):
            new_test_user(
                cls.env,
                login=login,
                name=partner.name if partner else "Need Guest",
                groups="base.group_portal,timebank_core.group_timebank_member",
                **({"partner_id": partner.id} if partner else {}),
            )
        cls.broker = new_test_user(
            cls.env,
            login="need_broker",
            groups="base.group_user,timebank_core.group_timebank_broker",
        )
        cls.day = fields.Date.to_string(fields.Date.today() + timedelta(days=2))

    def _form(self, login):
        self.authenticate(login, login)
        page = self.url_open(NEW_URL)
        self.assertEqual(page.status_code, 200)
        return page

    def _send(self, login, **fields_):
        """Post the form as ``login``; the page answered."""
        page = self._form(login)
        data = {
            "csrf_token": csrf_token(page.text),
            "item_id": str(self.shopping.id),
            "window_0_date": self.day,
            "window_0_from": "09:00",
            "window_0_to": "11:00",
            "urgency": "1",
            "description": "Rice, tofu and green tea",
        }
        data.update(fields_)
        return self.url_open(NEW_URL, data=data)

    def _withdraw(self, need, expect_button=True):
        """Cancel ``need`` from the requests page; the page answered."""
        page = self.url_open("/my/timebank/requests")
        self.assertEqual(
            f"/my/timebank/requests/{need.id}/withdraw" in page.text, expect_button
        )
        return self.url_open(
            f"/my/timebank/requests/{need.id}/withdraw",
            data={"csrf_token": csrf_token(page.text)},
        )

    def _requests_of(self, member):
        return self.env["timebank.request"].search([("member_id", "=", member.id)])

    def test_member_registers_a_need_brokers_see_it(self):
        page = self._form("need_ann")
        self.assertIn("Need shopping", page.text)
        self.assertIn("Need errands", page.text)  # grouped by category
        self.assertNotIn("Need gardening of B", page.text)  # another bank's
        self.assertNotIn("Who needs help?", page.text)  # only for herself
        response = self._send(
            "need_ann",
            window_1_date=self.day,
            window_1_from="14:00",
            window_1_to="16:30",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("your request", response.text)
        self.assertIn("Rice, tofu and green tea", response.text)  # my requests
        self.assertIn("Cancel this request", response.text)
        # asked twice before it is cancelled
        self.assertIn("Do you really want to cancel this request?", response.text)
        self.assertIn("Yes, cancel it", response.text)
        need = (
            self.env["timebank.request"]
            .with_user(self.broker)
            .search(
                [("member_id", "=", self.ann.id), ("intake_channel", "=", "portal")]
            )
        )
        self.assertEqual(len(need), 1)
        self.assertEqual(need.state, "published")  # the member publishes her own
        self.assertEqual(need.item_id, self.shopping)
        self.assertEqual(need.urgency, "1")
        self.assertEqual(need.registered_by_id, self.ann.partner_id)
        self.assertEqual(need.company_id, self.bank_a)
        self.assertEqual(len(need.window_ids), 2)
        # typed in her time zone, Taipei (UTC+8)
        self.assertEqual(
            need.date_from,
            datetime.combine(fields.Date.from_string(self.day), datetime.min.time())
            + timedelta(hours=1),
        )
        self.assertEqual(need.date_deadline - need.date_from, timedelta(hours=7.5))

    def test_member_cancels_a_need_not_yet_taken(self):
        self._send("need_ann")
        need = self._requests_of(self.ann)
        response = self._withdraw(need)
        self.assertIn("Your request is cancelled.", response.text)
        self.assertEqual(need.state, "cancelled")

    def test_nobody_else_cancels_the_need(self):
        self._send("need_ann")
        need = self._requests_of(self.ann)
        self.authenticate("need_stranger", "need_stranger")
        response = self._withdraw(need, expect_button=False)
        self.assertIn("Only the member, their proxy or a broker", response.text)
        self.assertEqual(need.state, "published")

    def test_a_taken_need_is_not_cancelled_from_the_portal(self):
        self._send("need_ann")
        need = self._requests_of(self.ann)
        need.with_user(self.broker).action_assign(self.stranger)
        response = self._withdraw(need, expect_button=False)
        self.assertIn("a volunteer is already on the way", response.text)
        self.assertEqual(need.state, "assigned")

    def test_proxy_registers_for_the_elder(self):
        page = self._form("need_son")
        self.assertIn("Who needs help?", page.text)
        self.assertIn("Need Elder", page.text)
        response = self._send(
            "need_son", member_id=str(self.elder.id), place="Day care centre"
        )
        self.assertIn("your request", response.text)
        need = self._requests_of(self.elder)
        self.assertEqual(need.intake_channel, "proxy")
        self.assertEqual(need.registered_by_id, self.son)
        self.assertEqual(need.state, "published")
        self.assertEqual(need.place, "Day care centre")
        self.assertAlmostEqual(need.latitude, 24.8)  # taken from the member
        self.assertEqual(need.tz, "Asia/Taipei")
        # and the proxy may cancel it
        self._withdraw(need)
        self.assertEqual(need.state, "cancelled")

    def test_place_defaults_to_the_home_address(self):
        page = self._form("need_son")
        self.assertIn("home address of the person who needs help", page.text)
        self._send("need_son", member_id=str(self.elder.id))
        need = self._requests_of(self.elder)
        self.assertIn("12 Lane of Pines", need.place)

    def test_proxy_without_the_right_to_request_is_refused(self):
        self.elder.partner_id.timebank_proxy_can_request = False
        page = self._form("need_son")
        self.assertNotIn("Need Elder", page.text)
        response = self._send("need_son", member_id=str(self.elder.id))
        self.assertIn("You can ask for help only for yourself", response.text)
        self.assertFalse(self._requests_of(self.elder))

    def test_who_is_not_the_proxy_is_refused(self):
        page = self._form("need_stranger")
        self.assertNotIn("Need Elder", page.text)
        response = self._send(
            "need_stranger",
            member_id=str(self.elder.id),
            description="Typed by a stranger",
        )
        self.assertIn("You can ask for help only for yourself", response.text)
        self.assertIn("Typed by a stranger", response.text)  # kept
        self.assertFalse(self._requests_of(self.elder))

    def test_member_of_bank_a_cannot_pick_an_item_of_bank_b(self):
        response = self._send("need_ann", item_id=str(self.item_b.id))
        self.assertIn(
            "Need gardening of B is not a service of %s" % self.bank_a.name,
            response.text,
        )
        self.assertFalse(self._requests_of(self.ann))

    def test_bad_times_are_refused_and_the_form_kept(self):
        yesterday = fields.Date.to_string(fields.Date.today() - timedelta(days=1))
        cases = [
            ({"window_0_date": yesterday}, "is already past"),
            ({"window_0_from": "11:00", "window_0_to": "10:00"}, "ends before it"),
            ({"window_0_from": "09:00", "window_0_to": "09:00"}, "ends before it"),
            (
                {"window_0_date": "", "window_0_from": "", "window_0_to": ""},
                "at least one day and time",
            ),
            ({"window_0_to": ""}, "Fill in the day, the time from and the time to"),
            ({"item_id": ""}, "Choose the service you need."),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self._send("need_ann", **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertIn("Rice, tofu and green tea", response.text)  # kept
                self.assertIn('name="window_0_from"', response.text)  # the form
        self.assertFalse(self._requests_of(self.ann))

    def test_inactive_membership_is_refused(self):
        response = self._send("need_applicant")
        self.assertIn("is not active", response.text)
        self.assertFalse(self._requests_of(self.applicant))

    def test_not_a_member_is_told(self):
        page = self._form("need_guest")
        self.assertIn("You are not a member of a time bank yet", page.text)
        self.assertNotIn('name="item_id"', page.text)
        response = self.url_open(
            NEW_URL,
            data={
                "csrf_token": csrf_token(page.text),
                "member_id": str(self.ann.id),
                "item_id": str(self.shopping.id),
            },
        )
        self.assertIn("You are not a member of a time bank yet", response.text)
        self.assertFalse(self._requests_of(self.ann))

    def test_the_form_needs_the_csrf_token(self):
        self.authenticate("need_ann", "need_ann")
        response = self.url_open(
            NEW_URL,
            data={
                "item_id": str(self.shopping.id),
                "window_0_date": self.day,
                "window_0_from": "09:00",
                "window_0_to": "11:00",
            },
        )
        self.assertGreaterEqual(response.status_code, 400)
        self.assertFalse(self._requests_of(self.ann))

    def test_messages_speak_the_member_language(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"].search(
            [("name", "=", "timebank_matching")]
        )._update_translations(["zh_TW"])
        self.ann.partner_id.lang = "zh_TW"
        page = self._form("need_ann")
        self.assertIn("您需要什麼服務？", page.text)
        yesterday = fields.Date.to_string(fields.Date.today() - timedelta(days=1))
        response = self._send("need_ann", window_0_date=yesterday)
        self.assertIn("已經過去了", response.text)
        self.assertFalse(self._requests_of(self.ann))

    def test_ids_that_are_not_numbers_are_asked_again(self):
        # "²" is a digit to str.isdigit but not a number to int()
        for data, message in (
            ({"item_id": "²"}, "Choose the service you need."),
            ({"item_id": "1.5"}, "Choose the service you need."),
        ):
            with self.subTest(data=data):
                response = self._send("need_ann", **data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        response = self._send("need_son", member_id="²")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose who needs help.", response.text)
        self.assertFalse(self._requests_of(self.ann))
