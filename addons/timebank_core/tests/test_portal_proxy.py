"""The family proxy's portal: acting for the elder, within the rights given."""

from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from .common import TimebankCase, csrf_token, post_opening_balance


@tagged("post_install", "-at_install")
class TestPortalProxy(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder = cls._member("Elder Grandma Lee", active=True)
        cls.amy = cls._member("Helper Amy Wu", active=True)
        # in bank B, someone else who named the same daughter, without any right
        cls.elder_b = cls._member("Elder Uncle Bo", bank=cls.bank_b, active=True)
        cls.daughter = cls._person("Daughter Mei")
        cls._name_proxy(cls.elder | cls.elder_b, cls.daughter)
        new_test_user(
            cls.env,
            login="pp_daughter",
            name="Daughter Mei",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.daughter.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id, cls.bank_b.id],
        )
        item = cls._service_item("Grocery run", "Proxy portal errands")
        begin = datetime.now().replace(microsecond=0) - timedelta(days=2)
        cls.service = cls.env["timebank.exchange"].create(
            {
                "provider_id": cls.amy.id,
                "receiver_id": cls.elder.id,
                "item_id": item.id,
                "company_id": cls.bank_a.id,
                "date_start": begin,
                "date_end": begin + timedelta(minutes=45),
            }
        )
        cls.service.with_user(cls.broker).action_submit()
        post_opening_balance(cls.env, cls.elder, 125)
        post_opening_balance(cls.env, cls.elder_b, 175)

    def _rights(self, **rights):
        self.elder.partner_id.write(
            {f"timebank_proxy_can_{right}": value for right, value in rights.items()}
        )

    def _open(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_with_the_right_the_proxy_sees_the_elder(self):
        self._rights(view=True)
        self.authenticate("pp_daughter", "pp_daughter")
        own = self._open("/my/timebank")
        # the selector names the elder who allowed it, not the one who did not
        self.assertIn(f"/my/timebank?member={self.elder.id}", own)
        self.assertIn("Elder Grandma Lee", own)
        self.assertNotIn("Elder Uncle Bo", own)
        self.assertNotIn("2:05", own)
        page = self._open(f"/my/timebank?member={self.elder.id}")
        self.assertIn("You act for", page)
        self.assertIn("2:05", page)  # the elder's balance
        self.assertIn(self.service.name, page)
        self.assertIn("Opening balance", page)
        self.assertNotIn("2:55", page)  # bank B's elder
        self.assertIn(f"/my/timebank/statement?member={self.elder.id}", page)
        # the statement, as PDF (HTML in tests) and on screen
        for url in (
            f"/my/timebank/statement?member={self.elder.id}",
            f"/my/timebank/statement?report_type=html&member={self.elder.id}",
        ):
            statement = self._open(url)
            self.assertIn("Elder Grandma Lee", statement)
            self.assertNotIn("Elder Uncle Bo", statement)

    def test_without_the_right_nothing_of_the_elder_is_shown(self):
        self._rights(view=False, request=True, confirm=False)
        self.authenticate("pp_daughter", "pp_daughter")
        for member in (self.elder, self.elder_b):
            page = self._open(f"/my/timebank?member={member.id}")
            self.assertIn("You cannot see this person&#39;s time bank", page)
            self.assertNotIn(member.partner_id.name, page)
            self.assertNotIn("You act for", page)
            self.assertNotIn("2:05", page)
            self.assertNotIn("2:55", page)
            self.assertNotIn(self.service.name, page)
            statement = self._open(f"/my/timebank/statement?member={member.id}")
            self.assertIn("You cannot see this person&#39;s time bank", statement)
            self.assertNotIn(member.partner_id.name, statement)
        # a made-up parameter is refused the same way, and never shown
        page = self._open("/my/timebank?member=%3Cb%3Ehello%3C%2Fb%3E")
        self.assertIn("You cannot see this person&#39;s time bank", page)
        self.assertNotIn("hello", page)

    def test_the_page_shows_no_text_from_the_url(self):
        self.authenticate("pp_daughter", "pp_daughter")
        page = self._open("/my/timebank?message=Send+money+to+42&error=Call+0800")
        self.assertNotIn("Send money", page)
        self.assertNotIn("Call 0800", page)

    def _confirm_for_the_elder(self, shows_button):
        """Press "Yes, this service took place" on the elder's page (or send
        it when the page shows no such button); the page it comes back to."""
        url = f"/my/timebank?member={self.elder.id}"
        page = self._open(url)
        self.assertEqual("Yes, this service took place" in page, shows_button)
        response = self.url_open(
            f"/my/timebank/service/{self.service.id}/confirm",
            data={"csrf_token": csrf_token(page), "member": str(self.elder.id)},
        )
        self.assertTrue(response.url.endswith(url))
        return response.text

    def test_the_proxy_acts_only_within_the_rights_given(self):
        self._rights(view=True, confirm=False)
        self.authenticate("pp_daughter", "pp_daughter")
        page = self._confirm_for_the_elder(shows_button=False)
        self.assertIn("Only the receiver, the receiver&#39;s proxy", page)
        self.assertEqual(self.service.state, "submitted")
        # the elder lets the daughter confirm: she does, as the elder's proxy
        self._rights(confirm=True)
        page = self._confirm_for_the_elder(shows_button=True)
        self.assertIn("the service is confirmed", page)
        self.assertEqual(self.service.state, "confirmed")
        self.assertEqual(self.service.confirmation_channel, "proxy")
