import time

from odoo.tests import tagged

from odoo.addons.timebank_core.tests.common import post_opening_balance
from odoo.addons.timebank_interbank.models import protocol

from .common import LinkedBanksCase


@tagged("post_install", "-at_install")
class TestChainDispute(LinkedBanksCase):
    """A message out of sequence or off the chain of the link, received (bank
    B) or answered (bank A), opens a dispute about the link as a statement that
    disagrees does."""

    def _deliver_prepare(self, seq_step=1, prev_hash=None):
        """A PREPARE signed by bank A with a sequence ``seq_step`` past the
        last one of its link, or another previous hash, straight to bank B's
        receiving code."""
        link = self.peer_ab._link("out")
        payload = self.peer_ab._base_payload(protocol.PREPARE)
        payload.update(
            uuid=f"chain-test-{time.monotonic_ns()}",
            link={
                "from": self.bank_a.timebank_bank_code,
                "to": self.bank_b.timebank_bank_code,
                "seq": link.last_seq + seq_step,
                "prev_hash": link.last_hash or "" if prev_hash is None else prev_hash,
            },
            payer={"bank": self.bank_a.timebank_bank_code, "member": "X"},
            payee={"bank": self.bank_b.timebank_bank_code, "member": "Y"},
            minutes=5,
            expires=int(time.time()) + 600,
        )
        body = self.env["timebank.interbank.key"]._current(self.bank_a)._seal(payload)
        status, answer = self.env["timebank.interbank.transfer"]._receive(body)
        self.assertEqual(status, 409)
        return protocol.open_envelope(answer)[1]

    def _disputes(self, peer):
        return self.env["timebank.dispute"].search([("peer_id", "=", peer.id)])

    def test_a_sequence_gap_received_opens_a_dispute(self):
        answer = self._deliver_prepare(seq_step=2)
        self.assertEqual(answer["code"], protocol.SEQ_GAP)
        self.assertEqual(self.peer_ba.state, "suspended")
        dispute = self._disputes(self.peer_ba)
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.name, f"Link chains disagree with {self.peer_ba.name}")
        self.assertEqual(dispute.category, "interbank")
        self.assertEqual(dispute.company_id, self.bank_b)
        self.assertEqual(dispute.partner_id, self.bank_b.partner_id)
        self.assertEqual(dispute.state, "new")
        self.assertIn("SEQ_GAP", dispute.description)
        self.assertIn("The link is suspended", dispute.description)
        # a chain mismatch while it is open: said on the same dispute
        self.peer_ba.with_user(self.manager).sudo().action_accept()
        answer = self._deliver_prepare(prev_hash="a" * 64)
        self.assertEqual(answer["code"], protocol.CHAIN_MISMATCH)
        self.assertEqual(self.peer_ba.state, "suspended")
        self.assertEqual(self._disputes(self.peer_ba), dispute)
        self.assertIn("CHAIN_MISMATCH", "\n".join(dispute.message_ids.mapped("body")))
        # the other bank's side of the link has no dispute of its own
        self.assertFalse(self._disputes(self.peer_ab))

    def test_a_statement_dispute_open_takes_the_gap(self):
        self._deliver_statement(last_seq=3, last_hash="f" * 64)
        dispute = self._disputes(self.peer_ba)
        self.assertEqual(len(dispute), 1)
        self.peer_ba.with_user(self.manager).sudo().action_accept()
        self._deliver_prepare(seq_step=3)
        self.assertEqual(self._disputes(self.peer_ba), dispute)
        self.assertIn("SEQ_GAP", "\n".join(dispute.message_ids.mapped("body")))

    def test_a_gap_answered_opens_a_dispute_in_the_sending_bank(self):
        """Bank B answers bank A's message with a signed CHAIN_MISMATCH: bank
        A suspends its side of the link and opens a dispute about it; the
        member's minutes stay held until the banks have compared."""
        alice = self._member("Alice", self.bank_a, active=True)
        post_opening_balance(self.env, alice, 100)
        Transfer = self.env["timebank.interbank.transfer"]
        transfer = Transfer._send(self.peer_ab, alice, "B-1", 30)
        Transfer._next_message(self.peer_ab.id)
        self.assertTrue(transfer.request_body)
        answer = Transfer._answer(
            self.bank_b,
            self.bank_a.timebank_bank_code,
            protocol.REFUSAL,
            transfer.uuid,
            transfer.msg_hash,
            code=protocol.CHAIN_MISMATCH,
            expected_seq=transfer.seq,
        )
        self.assertFalse(transfer._take_answer(409, answer))
        self.assertEqual(transfer.state, "held")
        self.assertEqual(self.peer_ab.state, "suspended")
        dispute = self._disputes(self.peer_ab)
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.company_id, self.bank_a)
        self.assertEqual(dispute.name, f"Link chains disagree with {self.peer_ab.name}")
        self.assertIn("CHAIN_MISMATCH", dispute.description)
        self.assertIn(f"message {transfer.seq}", dispute.description)
        self.assertFalse(self._disputes(self.peer_ba))
        # bank A's manager still has a to-do about it
        activity = self.peer_ab.activity_ids
        self.assertEqual(activity.summary, "Link chains disagree")
        self.assertEqual(activity.user_id, self.manager)
