from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from .common import TrainingMatchingCase

UNTRAINED = (
    "Untrained Uma has no valid training First aid, which Escort to hospital requires."
)


@tagged("post_install", "-at_install")
class TestTrainedProvider(TrainingMatchingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.untrained_user = cls._portal_user(cls.untrained, login="tm_untrained")
        cls.expired_user = cls._portal_user(cls.expired, login="tm_expired")
        cls.trained_user = cls._portal_user(cls.trained, login="tm_trained")
        cls.elder_user = cls._portal_user(cls.elder, login="tm_elder")

    def _published(self, item=None):
        request = self._request(item=item or self.escort)
        request.action_publish()
        return request

    def test_claim_over_xmlrpc_needs_the_training(self):
        request = self._published()
        with self.assertRaisesRegex(Fault, UNTRAINED):
            xmlrpc_call(
                self, "tm_untrained", "timebank.request", "action_claim", request.ids
            )
        with self.assertRaisesRegex(
            Fault, "Expired Eli has no valid training First aid"
        ):
            xmlrpc_call(
                self, "tm_expired", "timebank.request", "action_claim", request.ids
            )
        self.assertEqual(request.state, "published")
        self.assertFalse(request.provider_id)
        xmlrpc_call(self, "tm_trained", "timebank.request", "action_claim", request.ids)
        self.assertEqual(request.state, "claimed")
        self.assertEqual(request.provider_id, self.trained)

    def test_assign_by_the_broker_needs_the_training(self):
        request = self._published()
        with self.assertRaisesRegex(Fault, UNTRAINED):
            xmlrpc_call(
                self,
                "tb_broker",
                "timebank.request",
                "action_assign",
                request.ids,
                self.untrained.id,
            )
        with self.assertRaisesRegex(UserError, "Lapsing Lou has no valid training"):
            request.with_user(self.broker).action_assign(self.lapsing)
        with self.assertRaisesRegex(UserError, "Other Kind Oma has no valid training"):
            request.with_user(self.broker).action_assign(self.other_kind)
        self.assertFalse(request.provider_id)
        xmlrpc_call(
            self,
            "tb_broker",
            "timebank.request",
            "action_assign",
            request.ids,
            self.soon.id,
        )
        self.assertEqual(request.state, "assigned")
        self.assertEqual(request.provider_id, self.soon)

    def test_every_missing_training_is_named(self):
        self.escort.required_training_kind_ids = self.first_aid | self.dementia
        request = self._published()
        with self.assertRaisesRegex(
            UserError,
            "Trained Tia has no valid training Dementia care, which Escort",
        ):
            request.with_user(self.broker).action_assign(self.trained)
        with self.assertRaisesRegex(
            UserError, "Untrained Uma has no valid training Dementia care, First aid"
        ):
            request.with_user(self.broker).action_assign(self.untrained)

    def test_booking_the_offer_of_an_untrained_volunteer(self):
        offer = self.env["timebank.offer"].create(
            {
                "name": "Escorts on Fridays",
                "member_id": self.untrained.id,
                "item_id": self.escort.id,
                "company_id": self.bank_a.id,
            }
        )
        offer.action_publish()
        request = self._request(item=self.escort)
        with self.assertRaisesRegex(Fault, UNTRAINED):
            xmlrpc_call(
                self,
                "tm_elder",
                "timebank.request",
                "action_book_offer",
                request.ids,
                offer.id,
            )
        self.assertFalse(request.offer_id)

    def test_items_without_requirements_unchanged(self):
        request = self._published(item=self.shopping)
        xmlrpc_call(
            self, "tm_untrained", "timebank.request", "action_claim", request.ids
        )
        self.assertEqual(request.provider_id, self.untrained)
        other = self._published(item=self.shopping)
        other.with_user(self.broker).action_assign(self.expired)
        self.assertEqual(other.provider_id, self.expired)
