from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InterbankCase


@tagged("post_install", "-at_install")
class TestLevel0(InterbankCase):
    def test_transfer_posts_both_sides(self):
        before = self._interbank_sum()
        Transfer = self.env["timebank.interbank.transfer"]
        Transfer._send(self.peer_ab, self.alice, self.bob.number, 90, "Visit")
        self.assertEqual(self.alice.balance, 510)
        self.assertEqual(self.bob.balance, 690)
        self.assertEqual(self.peer_ab.clearing_account_id.balance, 90)
        self.assertEqual(self.peer_ba.clearing_account_id.balance, -90)
        self.assertEqual(self._interbank_sum(), before)
        self.assertLedgersIntact()
        # the transfers of these links (other tests commit banks of their own)
        transfers = Transfer.search(
            [("peer_id", "in", (self.peer_ab | self.peer_ba).ids)]
        )
        self.assertEqual(len(transfers), 2)
        self.assertEqual(set(transfers.mapped("state")), {"committed"})
        self.assertEqual(len(set(transfers.mapped("uuid"))), 1)

    def test_trust_limit_of_payee_bank(self):
        Transfer = self.env["timebank.interbank.transfer"]
        Transfer._send(self.peer_ab, self.alice, self.bob.number, 200)
        before = self._interbank_sum()
        with self.assertRaisesRegex(UserError, "trust limit"):
            Transfer._send(self.peer_ab, self.alice, self.bob.number, 1)
        self.assertEqual(self.alice.balance, 400)
        self.assertEqual(self._interbank_sum(), before)
        self.assertLedgersIntact()

    def test_trust_limit_of_payer_bank(self):
        Transfer = self.env["timebank.interbank.transfer"]
        with self.assertRaisesRegex(UserError, "trust limit"):
            Transfer._send(self.peer_ba, self.bob, self.alice.number, 301)
        self.assertEqual(self.bob.balance, 600)

    def test_credit_limit_of_payer(self):
        self.bank_a.timebank_credit_limit = 0
        self.peer_ab.limit_they_owe = 10_000
        self.peer_ba.limit_we_owe = 10_000
        with self.assertRaisesRegex(UserError, "cannot pay"):
            self.env["timebank.interbank.transfer"]._send(
                self.peer_ab, self.alice, self.bob.number, 601
            )
        self.assertEqual(self.alice.balance, 600)
        self.assertEqual(self.bob.balance, 600)

    def test_unknown_and_inactive_payee(self):
        Transfer = self.env["timebank.interbank.transfer"]
        with self.assertRaisesRegex(UserError, "no member with that number"):
            Transfer._send(self.peer_ab, self.alice, "NOPE-1", 10)
        self.bob.state_reason = "Moved away"
        self.bob.action_suspend()
        with self.assertRaisesRegex(UserError, "not active"):
            Transfer._send(self.peer_ab, self.alice, self.bob.number, 10)
        self.assertEqual(self.alice.balance, 600)

    def test_suspended_link(self):
        self.peer_ba.with_user(self.env.ref("base.user_admin")).action_suspend()
        with self.assertRaisesRegex(UserError, "suspended the link"):
            self.env["timebank.interbank.transfer"]._send(
                self.peer_ab, self.alice, self.bob.number, 10
            )

    def test_guarded_fields(self):
        with self.assertRaisesRegex(UserError, "cannot be written"):
            self.peer_ab.with_user(self.manager).write({"state": "proposed"})
        with self.assertRaisesRegex(UserError, "Suspend the link first"):
            self.peer_ab.with_user(self.manager).write({"rate_ours": 2})
        with self.assertRaisesRegex(UserError, "Only a manager"):
            self.peer_ab.with_user(self.broker).action_suspend()

    def test_member_sends_own_credits_only(self):
        Transfer = self.env["timebank.interbank.transfer"].with_user(self.broker_b)
        with self.assertRaisesRegex(UserError, "only your own credits"):
            Transfer.send(self.peer_ab.id, self.alice.id, self.bob.number, 10)
        transfer_id = (
            self.env["timebank.interbank.transfer"]
            .with_user(self.broker)
            .send(self.peer_ab.id, self.alice.id, self.bob.number, 10)
        )
        self.assertTrue(transfer_id)
        self.assertEqual(self.bob.balance, 610)
