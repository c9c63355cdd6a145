from odoo.tests import Form, tagged

from .common import CooperativeCase

LIST_FORM_SEARCH = [(False, "list"), (False, "form"), (False, "search")]


@tagged("post_install", "-at_install")
class TestViews(CooperativeCase):
    def test_every_view_opens_for_brokers_and_managers(self):
        for user in (self.broker, self.manager):
            for model, views in [
                ("timebank.dispute", [*LIST_FORM_SEARCH, (False, "kanban")]),
                ("timebank.assembly", LIST_FORM_SEARCH),
                ("timebank.broker.check", LIST_FORM_SEARCH),
                ("timebank.policy.change", LIST_FORM_SEARCH[:2]),
                ("timebank.exchange", [(False, "form")]),
                ("timebank.entry", [(False, "form")]),
            ]:
                with self.subTest(user=user.login, model=model):
                    result = self.env[model].with_user(user).get_views(views)
                    self.assertEqual(
                        set(result["views"]), {view_type for _id, view_type in views}
                    )

    def test_broker_records_a_dispute_in_the_form(self):
        self.bank_a.timebank_broker_check_required = False
        exchange = self._confirmed(self.amy, self.bob)
        Dispute = self.env["timebank.dispute"].with_user(self.broker)
        with Form(Dispute.with_company(self.bank_a)) as form:
            form.name = "Late by an hour"
            form.description = "Bob phoned the office."
            form.category = "no_show"
            form.partner_id = self.bob.partner_id
            form.raised_as = "broker"
            form.exchange_id = exchange
            self.assertEqual(form.member_id, self.amy)
        dispute = form.record
        self.assertEqual(dispute.member_id, self.amy)
        self.assertEqual(exchange.dispute_count, 1)
        action = exchange.action_view_disputes()
        self.assertEqual(self.env["timebank.dispute"].search(action["domain"]), dispute)

    def test_settings_show_the_cooperative_block(self):
        self.manager.groups_id += self.env.ref("base.group_system")
        arch = (
            self.env["res.config.settings"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("timebank_broker_check_required", arch)
        self.assertIn("timebank_assembly_max_proxies", arch)
