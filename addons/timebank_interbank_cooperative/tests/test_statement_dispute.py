from odoo.tests import tagged

from .common import LinkedBanksCase


@tagged("post_install", "-at_install")
class TestStatementDispute(LinkedBanksCase):
    def test_statements_that_agree_open_nothing(self):
        answer = self._deliver_statement()
        self.assertTrue(answer["agree"])
        self.assertEqual(self.peer_ba.state, "accepted")
        self.assertFalse(
            self.env["timebank.dispute"].search([("peer_id", "=", self.peer_ba.id)])
        )

    def test_mismatch_suspends_and_opens_one_dispute(self):
        answer = self._deliver_statement(last_seq=3, last_hash="f" * 64)
        self.assertFalse(answer["agree"])
        self.assertEqual(self.peer_ba.state, "suspended")
        dispute = self.env["timebank.dispute"].search(
            [("peer_id", "=", self.peer_ba.id)]
        )
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.category, "interbank")
        self.assertEqual(dispute.company_id, self.bank_b)
        self.assertEqual(dispute.state, "new")
        self.assertIn("does not agree", dispute.description)
        self.assertIn("the sender is at message 3", dispute.description)
        self.assertEqual(dispute.partner_id, self.bank_b.partner_id)
        # a second mismatch while it is open: said on the same dispute
        self.peer_ba.with_user(self.manager).sudo().action_accept()
        self._deliver_statement(last_seq=4, last_hash="e" * 64)
        self.assertEqual(self.peer_ba.state, "suspended")
        self.assertEqual(
            self.env["timebank.dispute"].search_count(
                [("peer_id", "=", self.peer_ba.id)]
            ),
            1,
        )
        self.assertIn(
            "the sender is at message 4",
            "\n".join(dispute.message_ids.mapped("body")),
        )
