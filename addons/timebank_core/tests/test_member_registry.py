from datetime import date
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestMemberRegistry(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-10"):
            cls.amy = cls._member("Amy", active=True)
        cls.amy_user = cls._portal_user("tb_amy_reg", cls.amy.partner_id)

    def test_a_broker_checks_the_identity(self):
        amy = self.amy.with_user(self.broker)
        with self.assertRaisesRegex(UserError, "Choose the document you saw for"):
            amy.action_verify_identity()
        amy.identity_document = "health_card"
        with freeze_time("2026-02-03"):
            amy.action_verify_identity()
        self.assertEqual(self.amy.identity_verified_by_id, self.broker)
        self.assertEqual(self.amy.identity_verified_on, date(2026, 2, 3))
        self.assertIn("Health insurance card", self.amy.message_ids[:1].body)

    def test_nobody_writes_who_checked_by_hand(self):
        for login in (self.manager.login, self.broker.login):
            with self.subTest(login=login):
                with self.assertRaisesRegex(Fault, r"\(identity_verified_by_id\)"):
                    xmlrpc_call(
                        self,
                        login,
                        "timebank.member",
                        "write",
                        self.amy.ids,
                        {
                            "identity_verified_by_id": self.manager.id,
                            "identity_verified_on": "2026-01-01",
                        },
                    )
        # a member cannot mark her own identity checked
        self.amy.identity_document = "id_card"
        with self.assertRaisesRegex(Fault, "Only a broker checks a member's identity"):
            xmlrpc_call(
                self,
                self.amy_user.login,
                "timebank.member",
                "action_verify_identity",
                self.amy.ids,
            )
        self.assertFalse(self.amy.identity_verified_on)

    def test_the_yearly_review_is_scheduled_and_done(self):
        self.assertEqual(self.amy.registry_review_due, date(2027, 1, 10))
        cron = self.env.ref("timebank_core.ir_cron_timebank_registry_review")
        activity_type = self.env.ref("timebank_core.mail_activity_registry_review")
        self.env.invalidate_all()
        with freeze_time("2027-01-09"):
            cron.method_direct_trigger()
        self.assertFalse(self.amy.activity_ids)
        with freeze_time("2027-01-10"):
            cron.method_direct_trigger()
            cron.method_direct_trigger()  # once, not every day
        todo = self.amy.activity_ids
        self.assertEqual(todo.activity_type_id, activity_type)
        self.assertEqual(len(todo), 1)
        self.assertIn(todo.user_id, self.broker | self.broker_2 | self.manager)
        with freeze_time("2027-01-20"):
            self.amy.with_user(self.broker).action_registry_reviewed()
        self.assertFalse(self.amy.activity_ids)
        self.assertEqual(self.amy.registry_reviewed_by_id, self.broker)
        self.assertEqual(self.amy.registry_review_due, date(2028, 1, 20))
        with self.assertRaises(AccessError):
            self.amy.with_user(self.amy_user).action_registry_reviewed()

    def test_abilities_and_preferences(self):
        item = self._service_item("Shopping")
        self.amy.with_user(self.broker).write(
            {
                "ability_assessment": "No heavy loads; does not drive.",
                "preferred_item_ids": [(6, 0, item.ids)],
                "exchange_preferences": "Mornings, within 2 km.",
            }
        )
        self.assertEqual(self.amy.preferred_item_ids, item)
