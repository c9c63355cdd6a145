from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerDonation(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.pool = cls._system("pool")
        cls._pay(cls._system("issuance"), cls.pool, 600, journal_type="issuance")
        cls._pay(cls.pool, cls.carol, 180)

    def _wizard(self, **values):
        wizard = Form(
            self.env["timebank.donation.wizard"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .with_context(active_model="timebank.member", active_id=self.carol.id)
        )
        for key, value in values.items():
            setattr(wizard, key, value)
        return wizard.save()

    def test_gift_to_another_member(self):
        wizard = self._wizard(recipient="member", recipient_id=self.david, hours=1.5)
        self.assertEqual(wizard.donor_id, self.carol)
        self.assertEqual(wizard.donor_balance, "3:00")
        wizard.action_give()
        self.assertEqual(self.carol.balance, 90)
        self.assertEqual(self.david.balance, 90)
        entry = self.env["timebank.entry"].search(
            [("journal_id.type", "=", "donation"), ("company_id", "=", self.bank_a.id)]
        )
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.name, "DON/000001")

    def test_gift_to_the_community_pool(self):
        self._wizard(recipient="pool", hours=0.5, note="For the elders").action_give()
        self.assertEqual(self.carol.balance, 150)
        self.assertEqual(self.pool.balance, 450)

    def test_refusals(self):
        cases = [
            ({"recipient": "pool", "hours": 0}, "at least one minute"),
            ({"recipient": "pool", "hours": 4}, "has 3:00 and cannot give 4:00"),
        ]
        for values, message in cases:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(UserError, message),
            ):
                self._wizard(**values).action_give()
        wizard = self._wizard(recipient="member", recipient_id=self.david, hours=1)
        wizard.recipient_id = self.carol
        with self.assertRaisesRegex(UserError, "cannot give credits to themselves"):
            wizard.action_give()
        self.assertEqual(self.carol.balance, 180)
