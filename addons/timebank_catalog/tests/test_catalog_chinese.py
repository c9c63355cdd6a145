"""The catalog of Table 1 in Chinese, in the back end and in the portal (a
real browser), from the translations shipped with the addon."""

from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import post_opening_balance


@tagged("post_install", "-at_install")
class TestCatalogChinese(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_TW")
        cls.env["ir.module.module"]._load_module_terms(
            ["timebank_core", "timebank_catalog"], ["zh_TW"]
        )
        cls.bank = cls.env.ref("base.main_company")
        cls.cleaning = cls.env.ref(
            "timebank_catalog.timebank_service_item_general_cleaning"
        )
        Partner = cls.env["res.partner"]
        cls.elder, cls.volunteer = cls.env["timebank.member"].create(
            [
                {
                    "partner_id": Partner.create(
                        {
                            "name": name,
                            "timebank_privacy_consent": True,
                            "lang": "zh_TW",
                        }
                    ).id,
                    "company_id": cls.bank.id,
                }
                for name in ("林美華", "陳志明")
            ]
        )
        (cls.elder | cls.volunteer).action_activate()
        for login, groups, partner in (
            (
                "zh_elder",
                "base.group_portal,timebank_core.group_timebank_member",
                cls.elder.partner_id,
            ),
            ("zh_broker", "base.group_user,timebank_core.group_timebank_broker", None),
        ):
            new_test_user(
                cls.env,
                login=login,
                groups=groups,
                lang="zh_TW",
                company_id=cls.bank.id,
                company_ids=[cls.bank.id],
                **({"partner_id": partner.id} if partner else {}),
            )

    def test_the_broker_reads_the_catalog_in_chinese(self):
        self.assertEqual(self.cleaning.with_context(lang="zh_TW").name, "普通衛生")
        self.start_tour(
            "/odoo/action-timebank_core.timebank_service_item_action",
            "timebank_catalog_zh_tw_backend",
            login="zh_broker",
        )

    def test_the_member_reads_her_service_in_chinese(self):
        post_opening_balance(self.env, self.elder, 600)
        begin = datetime.now().replace(microsecond=0) - timedelta(days=2)
        service = self.env["timebank.exchange"].create(
            {
                "provider_id": self.volunteer.id,
                "receiver_id": self.elder.id,
                "item_id": self.cleaning.id,
                "company_id": self.bank.id,
                "date_start": begin,
                "date_end": begin + timedelta(hours=1),
            }
        )
        service.action_submit()
        service.action_confirm(channel="phone")
        service.action_verify()
        service.action_post()
        self.start_tour(
            "/my/timebank", "timebank_catalog_zh_tw_portal", login="zh_elder"
        )
