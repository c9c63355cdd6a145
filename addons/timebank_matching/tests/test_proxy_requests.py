"""A proxy asks for services, and sees the needs, as far as the person let them."""

from datetime import date, timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestProxyRequests(MatchingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.son = cls._person("Proxy Son Sun")
        cls.elder.partner_id.write(
            {
                "timebank_proxy_id": cls.son.id,
                "timebank_proxy_consent_date": date(2026, 1, 2),
                "timebank_proxy_can_view": False,
                "timebank_proxy_can_request": False,
                "timebank_proxy_can_confirm": False,
            }
        )
        cls.son_user = new_test_user(
            cls.env,
            login="proxy_son_sun",
            name=cls.son.name,
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.son.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.draft = cls._request(description="Draft need of the elder")
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        cls.windows = [(start, start + timedelta(hours=2))]

    def _rights(self, **rights):
        self.elder.partner_id.write(
            {f"timebank_proxy_can_{right}": value for right, value in rights.items()}
        )

    def _call(self, model, method, *args, **kwargs):
        login = self.son_user.login
        return xmlrpc_call(self, login, model, method, *args, **kwargs)

    def _register(self):
        Request = self.env["timebank.request"].with_user(self.son_user)
        return Request._register_need(
            Request.env["timebank.member"].browse(self.elder.id),
            self.shopping,
            self.windows,
            tz="UTC",
        )

    def test_without_the_request_right_no_need_is_registered(self):
        with self.assertRaisesRegex(AccessError, "You can ask for help only for"):
            self._register()
        self._rights(request=True)
        need = self._register()
        self.assertEqual(need.state, "published")
        self.assertEqual(need.intake_channel, "proxy")
        self.assertEqual(need.registered_by_id, self.son)

    def test_the_elders_needs_are_seen_with_a_right_only(self):
        Request = self.env["timebank.request"].with_user(self.son_user)
        self.assertNotIn(self.draft, Request.search([]))
        with self.assertRaisesRegex(AccessError, "Time Bank Request"):
            self.draft.with_user(self.son_user).read(["description"])
        for right in ("view", "request"):
            with self.subTest(right=right):
                self._rights(**{"view": False, "request": False, right: True})
                self.assertIn(self.draft, Request.search([]))

    def test_seeing_is_not_managing(self):
        self._rights(view=True)
        with self.assertRaisesRegex(
            AccessError, "Only the member, their proxy or a broker manages"
        ):
            self.draft.with_user(self.son_user).action_withdraw()
        self._rights(request=True)
        self.draft.with_user(self.son_user).action_withdraw()
        self.assertEqual(self.draft.state, "cancelled")

    def test_over_the_api(self):
        with self.assertRaisesRegex(Fault, "Time Bank Request"):
            self._call("timebank.request", "read", [self.draft.id], ["description"])
        self._rights(view=True)
        [row] = self._call("timebank.request", "read", [self.draft.id], ["description"])
        self.assertEqual(row["description"], "Draft need of the elder")
        with self.assertRaisesRegex(
            Fault, "Only the member, their proxy or a broker manages"
        ):
            self._call("timebank.request", "action_withdraw", [self.draft.id])
        self.assertEqual(self.draft.state, "draft")

    def test_the_portal_offers_only_whom_the_proxy_may_request_for(self):
        self.authenticate("proxy_son_sun", "proxy_son_sun")
        page = self.url_open("/my/timebank/requests/new")
        self.assertIn("You are not a member of a time bank yet", page.text)
        self._rights(request=True)
        page = self.url_open("/my/timebank/requests/new")
        self.assertIn("timebank-need-form", page.text)
        self.assertIn(f'value="{self.elder.id}"', page.text)

    # ------------------------------------------------------------------ portal
    def test_the_portal_shows_the_elders_needs_with_a_right_only(self):
        self.authenticate(self.son_user.login, self.son_user.login)
        page = self.url_open("/my/timebank/requests")
        self.assertNotIn("timebank-my-request", page.text)
        self._rights(view=True)
        page = self.url_open("/my/timebank/requests")
        self.assertEqual(page.status_code, 200)
        self.assertIn("timebank-my-request", page.text)
        self.assertIn("Draft need of the elder", page.text)
