from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CooperativeCase


@tagged("post_install", "-at_install")
class TestDisputeSecurity(CooperativeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.timebank_broker_check_required = False
        cls.carol = cls._member("Carol Wu", active=True)
        cls.bob_user = cls._portal_user(cls.bob, "coop_sec_bob")
        cls.carol_user = cls._portal_user(cls.carol, "coop_sec_carol")
        cls.amy_user = cls._portal_user(cls.amy, "coop_sec_amy")
        exchange = cls._confirmed(cls.amy, cls.bob)
        Dispute = cls.env["timebank.dispute"]
        cls.bob_dispute = Dispute.create(
            {
                "name": "Shopping forgotten",
                "description": "Half the list was missing.",
                "category": "quality",
                "exchange_id": exchange.id,
                "partner_id": cls.bob.partner_id.id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.carol_dispute = Dispute.create(
            {
                "name": "Unsafe ladder",
                "description": "Amy climbed a broken ladder.",
                "category": "safety",
                "member_id": cls.amy.id,
                "partner_id": cls.carol.partner_id.id,
                "company_id": cls.bank_a.id,
            }
        )
        dan = cls._member("Dan Ho", bank=cls.bank_b, active=True)
        cls.bank_b_dispute = Dispute.create(
            {
                "name": "Did not come",
                "description": "Nobody came on Tuesday.",
                "category": "no_show",
                "member_id": dan.id,
                "partner_id": dan.partner_id.id,
                "company_id": cls.bank_b.id,
            }
        )
        cls.all_disputes = cls.bob_dispute | cls.carol_dispute | cls.bank_b_dispute

    def _visible(self, user, company=None):
        Dispute = self.env["timebank.dispute"].with_user(user)
        if company:
            Dispute = Dispute.with_company(company)
        return Dispute.search([("id", "in", self.all_disputes.ids)])

    def test_member_reads_only_their_own_dispute(self):
        self.assertEqual(self._visible(self.bob_user), self.bob_dispute)
        self.assertEqual(self._visible(self.carol_user), self.carol_dispute)
        with self.assertRaisesRegex(AccessError, "Time Bank Dispute"):
            self.carol_dispute.with_user(self.bob_user).read(["description"])

    def test_the_member_concerned_does_not_read_the_complaint(self):
        self.assertFalse(self._visible(self.amy_user))
        with self.assertRaises(AccessError):
            self.carol_dispute.with_user(self.amy_user).read(["description"])

    def test_member_cannot_change_a_dispute(self):
        with self.assertRaises(AccessError):
            self.bob_dispute.with_user(self.bob_user).write({"description": "Changed"})
        with self.assertRaisesRegex(UserError, r"State \(state\) cannot be written"):
            self.bob_dispute.with_user(self.bob_user).write({"state": "resolved"})
        self.assertEqual(self.bob_dispute.state, "new")

    def test_proxy_reads_the_dispute_of_the_elder(self):
        neighbour = self._person("Neighbour Lee")
        proxy_user = new_test_user(
            self.env,
            login="coop_sec_proxy",
            name="Neighbour Lee",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=neighbour.id,
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        self.bob.partner_id.write(
            {
                "timebank_proxy_id": neighbour.id,
                "timebank_proxy_consent_date": "2026-01-05",
            }
        )
        self.assertEqual(self._visible(proxy_user), self.bob_dispute)

    def test_broker_reads_only_the_disputes_of_their_bank(self):
        self.assertEqual(
            self._visible(self.broker, self.bank_a),
            self.bob_dispute | self.carol_dispute,
        )
        self.assertEqual(self._visible(self.broker_b, self.bank_b), self.bank_b_dispute)
        with self.assertRaisesRegex(AccessError, "Time Bank Dispute"):
            self.bank_b_dispute.with_user(self.broker).read(["description"])
        with self.assertRaises(AccessError):
            self.bob_dispute.with_user(self.broker_b).read(["description"])
