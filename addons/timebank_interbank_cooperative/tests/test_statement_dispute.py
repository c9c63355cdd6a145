from odoo.tests import tagged

from odoo.addons.timebank_core.tests.common import TimebankCase
from odoo.addons.timebank_interbank.models import protocol


@tagged("post_install", "-at_install")
class TestStatementDispute(TimebankCase):
    """Banks A and B of one database linked as if on two servers: the statement
    bank A signs goes straight to bank B's receiving code (no HTTP)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Key = cls.env["timebank.interbank.key"]
        Peer = cls.env["timebank.peer"]
        peers = []
        for own, other in ((cls.bank_a, cls.bank_b), (cls.bank_b, cls.bank_a)):
            key = Key._current(other)
            peers.append(
                Peer.create(
                    {
                        "name": f"Partner of {own.name}",
                        "company_id": own.id,
                        "url": "http://127.0.0.1:9",
                        "peer_code": other.timebank_bank_code,
                        "peer_key_id": key.key_id,
                        "peer_public_key": key.public_key,
                    }
                )
            )
        cls.peer_ab, cls.peer_ba = peers
        (cls.peer_ab | cls.peer_ba).with_user(cls.manager).sudo().action_accept()

    def _deliver_statement(self, **changes):
        payload = self.peer_ab._statement_payload()
        payload["out"] = dict(payload["out"], **changes)
        body = self.env["timebank.interbank.key"]._current(self.bank_a)._seal(payload)
        status, answer = self.env["timebank.interbank.transfer"]._receive(
            body, "statement"
        )
        self.assertEqual(status, 200)
        return protocol.open_envelope(answer)[1]

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
