from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CooperativeCase, CooperativeHttpCase


class TrainingMixin:
    @classmethod
    def _training_item(cls):
        cls.first_aid = cls.env["timebank.training.kind"].create(
            {"name": "First aid", "company_id": cls.bank_a.id}
        )
        cls.escort = cls._service_item(
            "Escort to hospital", required_training_kind_ids=[(6, 0, cls.first_aid.ids)]
        )

    @classmethod
    def _trained(cls, member, expiry=None, kind=None):
        today = date.today()
        return cls.env["timebank.broker.check"].create(
            {
                "name": "First aid course",
                "kind": "training",
                "training_kind_id": (kind or cls.first_aid).id,
                "partner_id": member.partner_id.id,
                "company_id": cls.bank_a.id,
                "date": today - timedelta(days=30),
                "expiry_date": expiry,
                "issuer": "Red Cross",
            }
        )


@tagged("post_install", "-at_install")
class TestTrainingRequirement(TrainingMixin, CooperativeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._training_item()

    def _draft(self, item):
        start = datetime.now().replace(microsecond=0) - timedelta(days=2)
        return self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "receiver_id": self.bob.id,
                "item_id": item.id,
                "company_id": self.bank_a.id,
                "date_start": start,
                "date_end": start + timedelta(hours=1),
            }
        )

    def test_volunteer_without_the_training_is_refused(self):
        exchange = self._draft(self.escort)
        with self.assertRaisesRegex(
            UserError,
            "Escort to hospital needs the training First aid, which .*Amy Lin has not",
        ):
            exchange.action_submit()
        self.assertEqual(exchange.state, "draft")

    def test_expired_or_other_training_does_not_count(self):
        other = self.env["timebank.training.kind"].create(
            {"name": "Dementia care", "company_id": self.bank_a.id}
        )
        self._trained(self.amy, kind=other)
        self._trained(self.amy, expiry=date.today() - timedelta(days=1))
        exchange = self._draft(self.escort)
        with self.assertRaisesRegex(UserError, "needs the training First aid"):
            exchange.action_submit()

    def test_valid_training_lets_the_service_go_on(self):
        self._trained(self.amy, expiry=date.today() + timedelta(days=300))
        exchange = self._draft(self.escort)
        exchange.action_submit()
        exchange.action_confirm("phone")
        self.assertEqual(exchange.state, "confirmed")

    def test_training_expired_before_verification_is_refused(self):
        training = self._trained(self.amy, expiry=date.today() + timedelta(days=300))
        exchange = self._draft(self.escort)
        exchange.action_submit()
        training.expiry_date = date.today() - timedelta(days=1)
        exchange.action_confirm("phone")
        self._checked(self.broker)
        with self.assertRaisesRegex(UserError, "needs the training First aid"):
            exchange.with_user(self.broker).with_company(self.bank_a).action_verify()
        self.assertEqual(exchange.state, "confirmed")

    def test_items_without_requirement_unchanged(self):
        exchange = self._draft(self.item)
        exchange.action_submit()
        self.assertEqual(exchange.state, "submitted")


@tagged("post_install", "-at_install")
class TestTrainingRequirementRpc(TrainingMixin, CooperativeHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._training_item()
        cls._checked(cls.broker)

    def test_broker_submitting_over_xmlrpc_is_refused(self):
        start = datetime.now().replace(microsecond=0) - timedelta(days=2)
        exchange = self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "receiver_id": self.bob.id,
                "item_id": self.escort.id,
                "company_id": self.bank_a.id,
                "date_start": fields.Datetime.to_string(start),
                "date_end": fields.Datetime.to_string(start + timedelta(hours=1)),
            }
        )
        with self.assertRaisesRegex(Fault, "needs the training First aid"):
            self._rpc("tb_broker", "timebank.exchange", "action_submit", [exchange.id])
        self.assertEqual(exchange.state, "draft")
