import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import csrf_token, post_opening_balance


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["timebank.service.category"].create({"name": "Errands"})
        Item = cls.env["timebank.service.item"]
        cls.shopping = Item.create(
            {"name": "Portal shopping", "category_id": category.id}
        )
        cls.repairs = Item.create(
            {"name": "Portal repairs", "category_id": category.id, "coefficient": 1.5}
        )
        cls.pool_care = Item.create(
            {"name": "Portal care", "category_id": category.id, "funding": "community"}
        )
        members = cls.env["timebank.member"].create(
            [
                {
                    "partner_id": cls.env["res.partner"]
                    .create({"name": name, "timebank_privacy_consent": True})
                    .id
                }
                for name in ("Portal Elder", "Portal Vic", "Portal Wen")
            ]
        )
        members.action_activate()
        cls.elder, cls.vic, cls.wen = members
        for member, login in ((cls.vic, "portal_vic"), (cls.wen, "portal_wen")):
            new_test_user(
                cls.env,
                login=login,
                name=member.partner_id.name,
                groups="base.group_portal,timebank_core.group_timebank_member",
                partner_id=member.partner_id.id,
            )
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        cls.request = cls.env["timebank.request"].create(
            {
                "member_id": cls.elder.id,
                "item_id": cls.shopping.id,
                "description": "Rice and tofu from the market",
                "window_ids": [
                    Command.create(
                        {"date_from": start, "date_to": start + timedelta(hours=2)}
                    )
                ],
            }
        )
        cls.request.action_publish()
        post_opening_balance(cls.env, cls.vic, 180)

    def test_member_claims_and_the_next_one_is_told(self):
        self.authenticate("portal_vic", "portal_vic")
        page = self.url_open("/my/timebank/requests")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Rice and tofu from the market", page.text)
        self.assertIn("I will help", page.text)
        response = self.url_open(
            f"/my/timebank/requests/{self.request.id}/claim",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("the request is yours", response.text)
        self.assertIn("I have arrived (check in)", response.text)
        self.assertEqual(self.request.state, "claimed")
        self.assertEqual(self.request.provider_id, self.vic)

        self.authenticate("portal_wen", "portal_wen")
        page = self.url_open("/my/timebank/requests")
        self.assertNotIn("Rice and tofu from the market", page.text)
        response = self.url_open(
            f"/my/timebank/requests/{self.request.id}/claim",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("another volunteer has already taken it", response.text)
        self.assertEqual(self.request.provider_id, self.vic)

    def test_the_times_of_a_request_are_to_the_minute(self):
        self.authenticate("portal_vic", "portal_vic")
        text = self.url_open("/my/timebank/requests").text
        self.assertIn("Rice and tofu from the market", text)
        # "12/05/2026 09:00", not "12/05/2026 09:00:00" (in zh_TW "09時00分00秒")
        self.assertRegex(text, r"\d\d/\d\d/\d{4} \d\d:\d\d(?!:)")
        self.assertIsNone(re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", text))

    def test_claim_needs_the_csrf_token(self):
        self.authenticate("portal_wen", "portal_wen")
        response = self.url_open(
            f"/my/timebank/requests/{self.request.id}/claim", data={}
        )
        self.assertGreaterEqual(response.status_code, 400)
        self.assertEqual(self.request.state, "published")

    def test_what_my_balance_can_buy(self):
        self.authenticate("portal_vic", "portal_vic")
        page = self.url_open("/my/timebank/can-buy")
        self.assertEqual(page.status_code, 200)
        self.assertIn("3:00", page.text)  # balance, and 3 hours of shopping
        self.assertRegex(page.text, r"Portal repairs</td>\s*<td>\s*2:00")
        self.assertRegex(page.text, r"Portal care</td>\s*<td>\s*Free for you")
        home = self.url_open("/my")
        self.assertIn("/my/timebank/requests", home.text)
