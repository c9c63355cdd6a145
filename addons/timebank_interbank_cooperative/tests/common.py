from odoo.addons.timebank_core.tests.common import TimebankCase
from odoo.addons.timebank_interbank.models import protocol


class LinkedBanksCase(TimebankCase):
    """Banks A and B of one database linked as if on two servers: what bank A
    signs (a statement, a message) goes straight to bank B's receiving code (no
    HTTP)."""

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
