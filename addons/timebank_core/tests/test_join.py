"""Anyone may apply to join a bank that takes applications online: an
applicant membership and a call for the bank's broker, nothing more."""

import base64
from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path

from .common import TimebankCase, csrf_token, new_user_password, xmlrpc_call


@tagged("post_install", "-at_install")
class TestJoinOnline(TimebankCase, HttpCase):
    def _form_url(self):
        return f"/timebank/{self.bank_a.id}/join"

    def _apply(self, url=None, **fields):
        url = url or self._form_url()
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        data = {
            "csrf_token": csrf_token(page.text),
            "name": "Applicant Huang Mei",
            "phone": "0912 345 678",
            "area": "East District",
            "wish": "need",
            "consent": "on",
        }
        data.update(fields)
        return self.url_open(url, data={k: v for k, v in data.items() if v is not None})

    def _applicants(self):
        return self.env["timebank.member"].search(
            [
                ("company_id", "=", self.bank_a.id),
                ("partner_id.name", "ilike", "Applicant"),
            ]
        )

    def test_closed_by_default(self):
        self.assertEqual(self.url_open("/timebank/join").status_code, 404)
        self.assertEqual(self.url_open(self._form_url()).status_code, 404)
        self.assertNotIn("Apply to join", self.url_open("/web/login").text)
        with self.assertRaisesRegex(UserError, "does not take applications online"):
            self.bank_a._timebank_apply_online({"name": "Someone"})

    def test_an_application_becomes_an_applicant_and_a_call(self):
        self.bank_a.timebank_public_signup = True
        login = self.url_open("/web/login").text
        self.assertIn("Apply to join the time bank", login)
        self.assertIn('href="/timebank/join"', login)
        landing = self.url_open("/timebank/join")
        self.assertTrue(landing.url.endswith(self._form_url()), landing.url)
        thanks = self._apply()
        self.assertIn("A broker of the time bank will call you soon", thanks.text)
        member = self._applicants()
        self.assertEqual(len(member), 1)
        self.assertEqual(member.state, "applicant")
        partner = member.partner_id
        self.assertEqual(partner.phone, "0912 345 678")
        self.assertEqual(partner.timebank_service_area, "East District")
        self.assertTrue(partner.timebank_privacy_consent)
        self.assertTrue(partner.timebank_privacy_consent_date)
        self.assertFalse(partner.user_ids, "no login before a broker has called")
        activity = member.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertIn(activity.user_id, self.bank_a._timebank_broker())
        self.assertIn("would like some help", activity.note)
        self.assertIn("Applied online", member.message_ids[0].body)

    def test_the_application_speaks_the_pages_language(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["timebank_core"], ["zh_TW"])
        self.bank_a.timebank_public_signup = True
        page = self.url_open(f"/zh_TW{self._form_url()}")
        self.assertIn("申請", page.text)
        self._apply(url=f"/zh_TW{self._form_url()}")
        self.assertEqual(self._applicants().partner_id.lang, "zh_TW")

    def test_what_is_missing_is_said_and_nothing_is_kept(self):
        self.bank_a.timebank_public_signup = True
        cases = [
            ({"name": ""}, "Please write your name."),
            ({"phone": ""}, "Please give a phone number or an e-mail address."),
            ({"email": "not-an-address"}, "This e-mail address does not look right."),
            (
                {"consent": None},
                "Please agree that the time bank keeps your details to contact you.",
            ),
        ]
        for fields, message in cases:
            with self.subTest(message=message):
                page = self._apply(**fields)
                self.assertEqual(page.status_code, 200)
                self.assertIn(message, page.text)
                self.assertFalse(self._applicants())
        # what was typed stays in the form
        page = self._apply(name="Applicant Typed Once", consent=None)
        self.assertIn('value="Applicant Typed Once"', page.text)

    def test_robots_and_repeated_sending(self):
        self.bank_a.timebank_public_signup = True
        self._apply(website="http://spam.example.com")
        self.assertFalse(self._applicants(), "the hidden field was filled")
        for n in range(3):
            self._apply(name=f"Applicant Number {n}")
        self.assertEqual(len(self._applicants()), 3)
        page = self._apply(name="Applicant Number 4")
        self.assertIn("You have already applied", page.text)
        self.assertEqual(len(self._applicants()), 3)

    def test_no_application_without_the_forms_token(self):
        self.bank_a.timebank_public_signup = True
        response = self.url_open(
            self._form_url(),
            data={"name": "Applicant Forged", "phone": "1", "consent": "on"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._applicants())

    def test_only_a_manager_opens_applications(self):
        with self.assertRaisesRegex(Fault, "not allowed to modify|access"):
            xmlrpc_call(
                self,
                "tb_broker",
                "res.company",
                "write",
                [self.bank_a.id],
                {"timebank_public_signup": True},
            )
        self.assertFalse(self.bank_a.timebank_public_signup)
        with self.assertRaisesRegex(
            Fault, "Private methods .* cannot be called remotely"
        ):
            xmlrpc_call(
                self,
                "tb_manager",
                "res.company",
                "_timebank_apply_online",
                [self.bank_a.id],
                {"name": "Applicant Over RPC"},
            )
        self.assertFalse(self._applicants())

    def test_the_login_page_names_the_bank_without_a_logo(self):
        bank = self.env.ref("base.main_company")
        bank.logo = False
        page = self.url_open("/web/login").text
        self.assertIn("timebank-login-bank", page)
        self.assertIn(bank.name, page)
        self.assertNotIn("/web/binary/company_logo", page)
        with open(
            file_path("timebank_core/static/img/demo_bank_logo.svg"), "rb"
        ) as logo:
            bank.logo = base64.b64encode(logo.read())
        page = self.url_open("/web/login").text
        self.assertIn("/web/binary/company_logo", page)
        self.assertNotIn("timebank-login-bank", page)

    def test_the_portal_header_names_a_bank_without_a_logo(self):
        member = self._member("Header Reader Kuo", active=True)
        self._portal_user("header_reader", member.partner_id)
        self.authenticate("header_reader", new_user_password("header_reader"))
        self.assertTrue(self.bank_a.uses_default_logo)
        page = self.url_open("/my/timebank").text
        self.assertRegex(page, r'timebank-portal-bank">\s*Bank A')
        self.assertNotIn(f"/logo.png?company={self.bank_a.id}", page)
