from datetime import datetime, timedelta

from odoo.tests import HOST, HttpCase, new_test_user, tagged

from .common import TimebankCase, csrf_token, new_user_password, post_opening_balance


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["timebank.service.category"].create({"name": "Errands"})
        item = cls.env["timebank.service.item"].create(
            {"name": "Shopping", "category_id": category.id}
        )
        members = cls.env["timebank.member"].create(
            [
                {
                    "partner_id": cls.env["res.partner"]
                    .create({"name": name, "timebank_privacy_consent": True})
                    .id
                }
                for name in ("Portal Amy", "Portal David", "Portal Lin")
            ]
        )
        members.action_activate()
        cls.amy, cls.david, cls.lin = members
        for member, login in ((cls.amy, "portal_amy"), (cls.david, "portal_david")):
            new_test_user(
                cls.env,
                login=login,
                name=member.partner_id.name,
                groups="base.group_portal,timebank_core.group_timebank_member",
                partner_id=member.partner_id.id,
            )
        start = datetime.now() - timedelta(days=1)

        def service(provider, receiver, hours_ago):
            begin = start - timedelta(hours=hours_ago)
            return cls.env["timebank.exchange"].create(
                {
                    "provider_id": provider.id,
                    "receiver_id": receiver.id,
                    "item_id": item.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(minutes=45),
                }
            )

        cls.amy_for_david = service(cls.amy, cls.david, 1)
        cls.amy_for_david.action_submit()
        cls.lin_for_amy = service(cls.lin, cls.amy, 3)
        post_opening_balance(cls.env, cls.amy, 150)

    def test_member_sees_their_balance_and_services(self):
        self.authenticate("portal_amy", "portal_amy")
        page = self.url_open("/my/timebank")
        self.assertEqual(page.status_code, 200)
        self.assertIn("2:30", page.text)  # the balance
        self.assertIn(self.amy_for_david.name, page.text)
        self.assertIn(self.lin_for_amy.name, page.text)  # Amy receives it
        self.assertIn("Opening balance", page.text)
        home = self.url_open("/my")
        self.assertIn("/my/timebank", home.text)

    def test_receiver_confirms_from_the_portal(self):
        self.authenticate("portal_david", "portal_david")
        page = self.url_open("/my/timebank")
        self.assertIn("Yes, this service took place", page.text)
        self.assertNotIn(self.lin_for_amy.name, page.text)  # not David's business
        token = csrf_token(page.text)
        response = self.url_open(
            f"/my/timebank/service/{self.amy_for_david.id}/confirm",
            data={"csrf_token": token},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("the service is confirmed", response.text)
        self.assertEqual(self.amy_for_david.state, "confirmed")

    def test_provider_cannot_confirm_and_strangers_get_nothing(self):
        self.authenticate("portal_amy", "portal_amy")
        page = self.url_open("/my/timebank")
        self.assertNotIn("Yes, this service took place", page.text)
        token = csrf_token(page.text)
        response = self.url_open(
            f"/my/timebank/service/{self.amy_for_david.id}/confirm",
            data={"csrf_token": token},
        )
        self.assertIn("is your own service", response.text)
        self.assertEqual(self.amy_for_david.state, "submitted")
        self.authenticate("portal_david", "portal_david")
        page = self.url_open("/my/timebank")
        token = csrf_token(page.text)
        response = self.url_open(
            f"/my/timebank/service/{self.lin_for_amy.id}/submit",
            data={"csrf_token": token},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.lin_for_amy.state, "draft")

    def test_statement_of_the_member(self):
        self.authenticate("portal_amy", "portal_amy")
        response = self.url_open("/my/timebank/statement")
        self.assertEqual(response.status_code, 200)
        # in tests the report comes as HTML instead of PDF
        self.assertIn("Portal Amy", response.text)
        self.assertNotIn("Portal David", response.text)


@tagged("post_install", "-at_install")
class TestPortalLanguage(TimebankCase, HttpCase):
    def test_the_portal_speaks_the_members_language_after_login(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["timebank_core"], ["zh_TW"])
        member = self._member("Language Elder Lin", active=True)
        member.partner_id.lang = "zh_TW"
        self._portal_user("lang_elder", member.partner_id)
        # a browser that was shown the portal in English before (the language
        # menu of the footer, an earlier visit) keeps it in a cookie
        self.opener.cookies.set("frontend_lang", "en_US", domain=HOST, path="/")
        page = self.url_open("/web/login")
        self.url_open(
            "/web/login",
            data={
                "login": "lang_elder",
                "password": new_user_password("lang_elder"),
                "csrf_token": csrf_token(page.text),
            },
        )
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "zh_TW")
        page = self.url_open("/my/timebank")
        self.assertIn("我的時間點數", page.text)

    def test_the_statement_speaks_the_pages_language(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["timebank_core"], ["zh_TW"])
        member = self._member("Statement Son Wu", active=True)
        self.assertEqual(member.partner_id.lang, "en_US")
        self._portal_user("statement_son", member.partner_id)
        self.authenticate("statement_son", new_user_password("statement_son"))
        english = self.url_open("/my/timebank/statement?report_type=html").text
        self.assertIn("Time credit statement", english)
        chinese = self.url_open("/zh_TW/my/timebank/statement?report_type=html").text
        self.assertIn("時間點數對帳單", chinese)
        self.assertNotIn("Time credit statement", chinese)
        # printed for the post, it keeps the member's language
        html, _type = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_html("timebank_core.report_statement", member.ids)
        )
        self.assertIn("Time credit statement", html.decode())

    def test_the_movements_name_the_service_in_the_members_language(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.env["ir.module.module"]._load_module_terms(["timebank_core"], ["zh_TW"])
        item = self._service_item("Hospital escort")
        item.with_context(lang="zh_TW").name = "陪同就醫"
        elder = self._member("Movement Elder Chen", active=True)
        elder.partner_id.lang = "zh_TW"
        helper = self._member("Movement Helper Kuo", active=True)
        begin = datetime.now() - timedelta(days=1)
        exchange = (
            self.env["timebank.exchange"]
            .with_company(self.bank_a)
            .create(
                {
                    "company_id": self.bank_a.id,
                    "provider_id": helper.id,
                    "receiver_id": elder.id,
                    "item_id": item.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(minutes=90),
                }
            )
        )
        elder_user = self._portal_user("movement_elder", elder.partner_id)
        exchange.action_submit()
        exchange.with_user(elder_user).with_company(self.bank_a).action_confirm()
        exchange.with_user(self.broker).with_company(self.bank_a).action_verify()
        exchange.with_user(self.broker).with_company(self.bank_a).action_post()
        # the ledger keeps the name the service was posted under
        self.assertIn("Hospital escort", exchange.entry_id.ref)
        self.authenticate("movement_elder", new_user_password("movement_elder"))
        page = self.url_open("/my/timebank").text
        movements = page.split("最近異動", 1)[1]
        self.assertIn(f"{exchange.name} - 陪同就醫 - Movement Helper Kuo", movements)
        self.assertNotIn("Hospital escort", movements)
