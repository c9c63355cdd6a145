"""A broker's daily work in a real browser: registering an elder with her
proxy in one save, recording a service Start first through to posting (the
receiver confirms, a second broker verifies and posts)."""

from datetime import date

from odoo.tests import HttpCase, tagged

from .common import TimebankCase, post_opening_balance


@tagged("post_install", "-at_install")
class TestBrokerTours(TimebankCase, HttpCase):
    def test_register_an_elder_with_her_proxy_in_one_save(self):
        Partner = self.env["res.partner"]
        elder = Partner.create({"name": "Tour Tsai A-ma", "company_id": self.bank_a.id})
        son = Partner.create({"name": "Tour Tsai Wei", "company_id": self.bank_a.id})
        self.start_tour(
            "/odoo/action-timebank_core.timebank_member_action/new",
            "timebank_register_elder_with_proxy",
            login="tb_broker",
        )
        member = self.env["timebank.member"].search([("partner_id", "=", elder.id)])
        self.assertEqual(len(member), 1)
        self.assertEqual(elder.timebank_proxy_id, son)
        self.assertEqual(elder.timebank_proxy_consent_date, date(2026, 6, 1))
        self.assertTrue(member.proxy_can_request and member.proxy_can_view)
        self.assertTrue(member.privacy_consent)

    def test_record_a_service_start_first_to_posted(self):
        self._member("Tour Volunteer Amy", active=True)
        elder = self._member("Tour Elder Chen", active=True)
        post_opening_balance(self.env, elder, 600)
        self._service_item("Tour shopping", "Tour errands")
        self.broker.tz = "UTC"
        self.start_tour(
            "/odoo/action-timebank_core.timebank_exchange_action/new",
            "timebank_record_service_start_first",
            login="tb_broker",
        )
        service = self.env["timebank.exchange"].search([("receiver_id", "=", elder.id)])
        self.assertEqual(service.state, "submitted")
        # the elder agreed on the phone; a second broker checks (four eyes)
        service.action_confirm(channel="phone")
        self.start_tour(
            f"/odoo/action-timebank_core.timebank_exchange_action/{service.id}",
            "timebank_verify_and_post",
            login="tb_broker_2",
        )
        self.assertEqual(service.state, "posted")
        self.assertEqual(service.actual_minutes, 90)
        self.assertEqual(service.posted_minutes, service.credit_minutes)
