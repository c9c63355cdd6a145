from datetime import datetime
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestOneOffService(TimebankCase, HttpCase):
    """A service outside the catalog, rated by a broker, without a new item."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls._service_item("Something else", rated_case_by_case=True)
        cls.shopping = cls._service_item("Shopping", category="Errands")
        cls.amy = cls._member("Amy", active=True)
        cls.david = cls._member("David", active=True)
        cls.amy_user = cls._portal_user("tb_amy_oneoff", cls.amy.partner_id)
        cls.bank_a.timebank_credit_limit = 1000

    def _service(self, item, day=2):
        service = self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "receiver_id": self.david.id,
                "item_id": item.id,
                "company_id": self.bank_a.id,
                "date_start": datetime(2026, 3, day, 9, 0),
                "date_end": datetime(2026, 3, day, 10, 0),
                "description": "Moved a wardrobe up two floors",
            }
        )
        service.action_submit()
        return service

    def test_a_broker_rates_it_then_it_goes_through(self):
        service = self._service(self.other)
        as_broker = service.with_user(self.broker)
        with self.assertRaisesRegex(UserError, "rated by a broker .Rate This Service"):
            as_broker.action_confirm("phone")
        with self.assertRaisesRegex(UserError, "Write why the service is rated so"):
            as_broker.action_rate_case(2.0, " ")
        with self.assertRaisesRegex(UserError, "at most 5.0"):
            as_broker.action_rate_case(7.0, "Very heavy")
        wizard = (
            self.env["timebank.exchange.rate.wizard"]
            .with_user(self.broker)
            .create(
                {
                    "exchange_id": service.id,
                    "coefficient": 2.0,
                    "reason": "Heavy lifting, two flights of stairs",
                }
            )
        )
        wizard.action_rate()
        self.assertEqual(service.case_rated_by_id, self.broker)
        self.assertEqual(service.credit_minutes, 120)
        as_broker.action_confirm("phone")
        service.with_user(self.broker_2).action_verify()
        service.with_user(self.broker_2).action_post()
        self.assertEqual(self.amy.balance, 120)
        self.assertEqual(service.coefficient, 2.0)
        # decided: no new rate once confirmed, no new catalog item either
        with self.assertRaisesRegex(UserError, "only a service not yet confirmed"):
            as_broker.action_rate_case(1.0, "Second thoughts")
        self.assertEqual(
            self.env["timebank.service.item"].search_count(
                [("company_id", "=", self.bank_a.id)]
            ),
            2,
        )

    def test_only_one_off_items_are_rated_and_only_by_brokers(self):
        catalog = self._service(self.shopping)
        with self.assertRaisesRegex(UserError, "its own coefficient in the catalog"):
            catalog.with_user(self.broker).action_rate_case(2.0, "Why not")
        service = self._service(self.other, day=3)
        with self.assertRaisesRegex(AccessError, "Only a broker rates"):
            service.with_user(self.amy_user).action_rate_case(3.0, "I worked hard")

    def test_the_rate_is_not_written_by_hand_over_rpc(self):
        service = self._service(self.other)
        for login in (self.amy_user.login, self.broker.login, self.manager.login):
            with self.subTest(login=login):
                with self.assertRaisesRegex(Fault, r"\(case_coefficient\)"):
                    xmlrpc_call(
                        self,
                        login,
                        "timebank.exchange",
                        "write",
                        service.ids,
                        {"case_coefficient": 4.0, "case_rate_reason": "Because"},
                    )
        with self.assertRaisesRegex(Fault, "Only a broker rates"):
            xmlrpc_call(
                self,
                self.amy_user.login,
                "timebank.exchange",
                "action_rate_case",
                service.ids,
                4.0,
                "I say so",
            )
        self.assertFalse(service.case_coefficient)
