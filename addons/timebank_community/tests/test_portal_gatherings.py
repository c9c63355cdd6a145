"""Members answer in the portal whether they come to a gathering."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import csrf_token, xmlrpc_call

from .common import CommunityCase

REFUSED = "not allowed to (create|access|modify) .Event Registration"


@tagged("post_install", "-at_install")
class TestPortalGatherings(CommunityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("tbc_amy", cls.amy.partner_id)
        cls.gathering = cls._gathering()
        cls.hidden = cls._gathering(name="Brokers' planning", timebank_published=False)
        cls.other_bank = cls._gathering(bank=cls.bank_b, name="Bank B picnic")
        # Bo, an elder, lets his daughter ask for services for him
        cls.daughter = cls._person("Daughter Mei", email="mei@example.com")
        cls._name_proxy(cls.bo, cls.daughter, request=True)
        new_test_user(
            cls.env,
            login="tbc_mei",
            name="Daughter Mei",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.daughter.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )

    def _page(self):
        response = self.url_open("/my/timebank/gatherings")
        self.assertEqual(response.status_code, 200)
        return response.text

    def _answer(self, page, event, answer, member):
        return self.url_open(
            f"/my/timebank/gatherings/{event.id}/{answer}",
            data={"csrf_token": csrf_token(page), "member_id": str(member.id)},
        ).text

    def test_the_member_signs_up_and_cancels(self):
        self.authenticate("tbc_amy", "tbc_amy")
        home = self.url_open("/my/timebank").text
        self.assertIn("/my/timebank/gatherings", home)
        page = self._page()
        self.assertIn("Spring tea afternoon", page)
        self.assertIn("I will come", page)
        self.assertNotIn("Brokers&#39; planning", page)
        self.assertNotIn("Bank B picnic", page)
        page = self._answer(page, self.gathering, "come", self.amy)
        self.assertIn("Amy Chen is registered for Spring tea afternoon", page)
        registration = self._registrations(self.gathering, self.amy)
        self.assertEqual(
            (registration.state, registration.name, registration.email),
            ("open", "Amy Chen", self.amy.partner_id.email),
        )
        self.assertIn("I cannot come", page)
        page = self._answer(page, self.gathering, "cancel", self.amy)
        self.assertIn("Amy Chen will not come to Spring tea afternoon", page)
        self.assertEqual(registration.state, "cancel")
        # she changes her mind: the same registration is confirmed again
        page = self._answer(page, self.gathering, "come", self.amy)
        self.assertEqual(self._registrations(self.gathering, self.amy), registration)
        self.assertEqual(registration.state, "open")

    def test_only_the_bank_s_published_gatherings_and_own_member(self):
        self.authenticate("tbc_amy", "tbc_amy")
        page = self._page()
        for event in (self.hidden, self.other_bank):
            page = self._answer(page, event, "come", self.amy)
            self.assertIn("open to its members", page)
            self.assertFalse(self._registrations(event, self.amy))
        # not for someone else
        page = self._answer(page, self.gathering, "come", self.bo)
        self.assertIn("You act only for yourself", page)
        self.assertFalse(self._registrations(self.gathering, self.bo))

    def test_the_proxy_signs_up_the_elder(self):
        self.authenticate("tbc_mei", "tbc_mei")
        page = self._page()
        self.assertIn("Bo Lin", page)
        page = self._answer(page, self.gathering, "come", self.bo)
        self.assertIn("Bo Lin is registered", page)
        registration = self._registrations(self.gathering, self.bo)
        self.assertEqual(registration.state, "open")
        self.assertIn("Daughter Mei", registration.message_ids[:1].body)
        # without the right to ask for him, she cannot
        self.bo.partner_id.timebank_proxy_can_request = False
        page = self._page()
        self.assertNotIn("Bo Lin", page)
        page = self._answer(page, self.gathering, "cancel", self.bo)
        self.assertIn("You act only for yourself", page)
        self.assertEqual(registration.state, "open")

    def test_portal_users_write_no_registration_over_xmlrpc(self):
        registration = self.env["event.registration"].create(
            {"event_id": self.gathering.id, "partner_id": self.amy.partner_id.id}
        )
        with self.assertRaisesRegex(Fault, REFUSED):
            xmlrpc_call(
                self,
                "tbc_amy",
                "event.registration",
                "create",
                {"event_id": self.gathering.id, "partner_id": self.amy.partner_id.id},
            )
        with self.assertRaisesRegex(Fault, REFUSED):
            xmlrpc_call(
                self,
                "tbc_amy",
                "event.registration",
                "write",
                [registration.id],
                {"state": "cancel"},
            )
        with self.assertRaisesRegex(Fault, "not allowed to access .Event"):
            xmlrpc_call(self, "tbc_amy", "event.event", "read", [self.gathering.id])
        self.assertEqual(registration.state, "open")
