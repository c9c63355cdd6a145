from urllib.parse import urlparse

from odoo.tests import HttpCase, new_test_user, tagged

from .common import TimebankCase

VIEW_TYPES = [(False, "kanban"), (False, "list"), (False, "form"), (False, "search")]


@tagged("post_install", "-at_install")
class TestViews(TimebankCase):
    def test_every_view_opens_for_brokers_and_managers(self):
        for user in (self.broker, self.manager):
            for model, views in [
                ("timebank.member", VIEW_TYPES),
                ("timebank.service.item", VIEW_TYPES[1:]),
                ("timebank.service.category", VIEW_TYPES[1:3]),
                ("res.partner", [(False, "form")]),
            ]:
                with self.subTest(user=user.login, model=model):
                    result = self.env[model].with_user(user).get_views(views)
                    self.assertEqual(
                        set(result["views"]), {view_type for _id, view_type in views}
                    )

    def test_partner_form_hides_the_time_bank_page_from_other_employees(self):
        clerk = new_test_user(
            self.env,
            login="tb_clerk",
            groups="base.group_user,base.group_partner_manager",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        arch = self.env["res.partner"].with_user(clerk).get_views([(False, "form")])
        self.assertNotIn("timebank_care_needs", arch["views"]["form"]["arch"])
        arch = (
            self.env["res.partner"].with_user(self.broker).get_views([(False, "form")])
        )
        self.assertIn("birthdate_date", arch["views"]["form"]["arch"])

    def test_settings_show_the_generation_ages_to_administrators(self):
        self.manager.groups_id += self.env.ref("base.group_system")
        arch = (
            self.env["res.config.settings"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("timebank_elder_age", arch)


@tagged("post_install", "-at_install")
class TestWebClient(HttpCase):
    def test_broker_opens_the_members_in_the_web_client(self):
        new_test_user(
            self.env,
            login="tb_web_broker",
            groups="base.group_user,timebank_core.group_timebank_broker",
        )
        self.authenticate("tb_web_broker", "tb_web_broker")
        response = self.url_open("/odoo/action-timebank_core.timebank_member_action")
        self.assertEqual(response.status_code, 200)
        self.assertIn("odoo.__session_info__", response.text)

    def test_portal_member_lands_on_the_portal(self):
        new_test_user(
            self.env,
            login="tb_web_member",
            groups="base.group_portal,timebank_core.group_timebank_member",
        )
        self.authenticate("tb_web_member", "tb_web_member")
        response = self.url_open("/odoo/action-timebank_core.timebank_member_action")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(urlparse(response.url).path, "/my")
