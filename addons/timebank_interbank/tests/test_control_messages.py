"""KEY and STATEMENT messages of a partner bank: what a replayed copy may not do."""

import json
import time
import xmlrpc.client

from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import TimebankCase, xmlrpc_call

from ..models import protocol

PARTNER = "TB-PARTNER"


@tagged("post_install", "-at_install")
class TestControlMessages(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = {}
        cls.key_1 = cls._partner_key("TB-PARTNER-K1")
        cls.peer = cls.env["timebank.peer"].create(
            {
                "name": "Partner Bank",
                "company_id": cls.bank_a.id,
                "url": "http://127.0.0.1:9",
                "peer_code": PARTNER,
                "peer_key_id": cls.key_1,
                "peer_public_key": cls.keys[cls.key_1][1],
            }
        )
        cls.peer.sudo()._guarded_write({"state": "accepted"})
        cls.our_code = cls.bank_a.timebank_bank_code

    @classmethod
    def _partner_key(cls, key_id):
        cls.keys[key_id] = protocol.generate_key()
        return key_id

    def _message(self, kind, signed_with, created=None, **values):
        payload = {
            "version": protocol.VERSION,
            "type": kind,
            "from": PARTNER,
            "to": self.our_code,
            "created": int(time.time()) if created is None else created,
            "nonce": protocol.new_nonce(),
        }
        payload.update(values)
        return protocol.seal(payload, signed_with, self.keys[signed_with][0])

    def _announce(self, signed_with, new_key_id, created=None):
        return self._message(
            protocol.KEY,
            signed_with,
            created=created,
            key_id=new_key_id,
            public_key=self.keys[new_key_id][1],
        )

    def _receive(self, body, endpoint):
        status, answer = (
            self.env["timebank.interbank.transfer"].sudo()._receive(body, endpoint)
        )
        return status, json.loads(answer)

    def test_a_replayed_key_message_does_not_bring_a_former_key_back(self):
        key_2 = self._partner_key("TB-PARTNER-K2")
        key_3 = self._partner_key("TB-PARTNER-K3")
        to_key_2 = self._announce(self.key_1, key_2)
        status, _answer = self._receive(to_key_2, "key")
        self.assertEqual(status, 200)
        self.assertEqual(self.peer.peer_key_id, key_2)
        # the same message again changes nothing
        self.assertEqual(self._receive(to_key_2, "key")[0], 200)
        self.assertEqual(self.peer.peer_key_id, key_2)
        self.assertEqual(self._receive(self._announce(key_2, key_3), "key")[0], 200)
        self.assertEqual(self.peer.peer_key_id, key_3)
        # a copy of the first announcement, captured and replayed while it is
        # still fresh: key 2 is a former key now, it never becomes current again
        status, answer = self._receive(to_key_2, "key")
        self.assertEqual(status, 400)
        self.assertEqual(answer, {"error": protocol.UNKNOWN_KEY})
        self.assertEqual(self.peer.peer_key_id, key_3)
        self.assertEqual(
            sorted(self.peer.old_key_ids.mapped("key_id")), [self.key_1, key_2]
        )

    def test_a_key_message_older_than_the_window_is_refused(self):
        key_2 = self._partner_key("TB-PARTNER-K2")
        old = int(time.time()) - protocol.CONTROL_WINDOW - 60
        status, answer = self._receive(
            self._announce(self.key_1, key_2, created=old), "key"
        )
        self.assertEqual((status, answer), (400, {"error": protocol.STALE}))
        self.assertEqual(self.peer.peer_key_id, self.key_1)
        self.assertFalse(self.peer.old_key_ids)

    def _statement(self, created=None):
        """A statement of the partner whose figures disagree with ours."""
        figures = {"last_seq": 7, "last_hash": "f" * 64, "count": 7, "minutes": 420}
        return self._message(
            protocol.STATEMENT,
            self.key_1,
            created=created,
            out=figures,
            in_flight=None,
            **{"in": figures},
        )

    def test_a_replayed_old_statement_does_not_suspend_the_link(self):
        old = int(time.time()) - protocol.CONTROL_WINDOW - 60
        status, answer = self._receive(self._statement(created=old), "statement")
        self.assertEqual((status, answer), (400, {"error": protocol.STALE}))
        self.assertEqual(self.peer.state, "accepted")
        # the same figures in a fresh statement are a real mismatch
        status, _answer = self._receive(self._statement(), "statement")
        self.assertEqual(status, 200)
        self.assertEqual(self.peer.state, "suspended")

    def test_only_an_administrator_rotates_the_key(self):
        with self.assertRaisesRegex(
            xmlrpc.client.Fault,
            "Only an administrator rotates the signing key of the time bank.",
        ):
            xmlrpc_call(
                self, "tb_manager", "timebank.peer", "action_rotate_key", [self.peer.id]
            )
        key = self.env["timebank.interbank.key"]._current(self.bank_a)
        self.assertTrue(key.key_id.startswith(self.our_code + "-K"))
