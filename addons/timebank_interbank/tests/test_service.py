import json
import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.timebank_core.tests.common import (
    TimebankCase,
    new_user_password,
    post_opening_balance,
    xmlrpc_call,
)

from ..models import protocol
from .common import InterbankCase


def days_ago(days):
    return fields.Date.today() - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestServiceLevel0(InterbankCase):
    """Alice (bank A) received a service from Bob (bank B): bank A pays Bob."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._service_item("Hard lifting", coefficient=1.5, cap_minutes=120)

    def test_service_credits_the_provider(self):
        before = self._interbank_sum()
        Transfer = self.env["timebank.interbank.transfer"]
        day = days_ago(3)
        transfer_id = Transfer.with_user(self.broker).send_service(
            self.peer_ab.id,
            self.alice.id,
            self.bob.number,
            60,
            fields.Date.to_string(day),
            self.item.id,
            "Moved the wardrobe",
        )
        # 60 minutes x 1.5, the kind's rule for a service inside the bank
        self.assertEqual(self.alice.balance, 510)
        self.assertEqual(self.bob.balance, 690)
        self.assertEqual(self._interbank_sum(), before)
        self.assertLedgersIntact()
        sent = Transfer.browse(transfer_id)
        received = Transfer.search(
            [("peer_id", "=", self.peer_ba.id), ("uuid", "=", sent.uuid)]
        )
        self.assertEqual(
            (sent.purpose, sent.service_date, sent.service_duration, sent.minutes),
            ("service", day, 60, 90),
        )
        self.assertEqual(sent.service_item_id, self.item)
        self.assertEqual(sent.memo, "Moved the wardrobe")
        self.assertEqual(
            (received.purpose, received.service_date, received.credited),
            ("service", day, 90),
        )
        # what stays in the payer bank is not copied to the payee's record
        self.assertFalse(received.memo)
        self.assertFalse(received.service_item_id)
        self.assertEqual(
            received.summary,
            f"Service given to member {self.alice.number} of Bank A on {day}",
        )
        self.assertEqual(
            sent.summary,
            f"Service received from member {self.bob.number} of Bank B on {day}",
        )
        self.assertEqual(received.entry_ids.ref, received.summary)
        self.assertEqual(sent.entry_ids.ref, sent.summary)

    def test_cap_and_one_to_one(self):
        Transfer = self.env["timebank.interbank.transfer"]
        day = fields.Date.to_string(days_ago(1))
        capped = Transfer.send_service(
            self.peer_ab.id, self.alice.id, self.bob.number, 100, day, self.item.id
        )
        self.assertEqual(Transfer.browse(capped).minutes, 120)
        # without a kind of service the duration is credited 1:1
        plain = Transfer.send_service(
            self.peer_ab.id, self.alice.id, self.bob.number, 45, day
        )
        self.assertEqual(Transfer.browse(plain).minutes, 45)
        self.assertEqual(self.bob.balance, 765)

    def test_decided_service_keeps_its_minutes(self):
        Transfer = self.env["timebank.interbank.transfer"]
        transfer_id = Transfer.send_service(
            self.peer_ab.id,
            self.alice.id,
            self.bob.number,
            40,
            days_ago(1),
            self.item.id,
        )
        self.item.coefficient = 3.0
        self.assertEqual(Transfer.browse(transfer_id).minutes, 60)
        self.assertEqual(self.bob.balance, 660)

    def test_refusals(self):
        Transfer = self.env["timebank.interbank.transfer"]
        day = days_ago(1)
        cases = [
            (("NOPE-1", 30, day, False), "no member with that number"),
            ((self.bob.number, 0, day, False), "how long the service lasted"),
            ((self.bob.number, 24 * 60 + 1, day, False), "at most one day"),
            ((self.bob.number, 30.5, day, False), "whole number of minutes"),
            ((self.bob.number, 30, days_ago(-1), False), "after it was given"),
            ((self.bob.number, 30, False, False), "date of the service"),
            ((self.bob.number, 30, "not a date", False), "date of the service"),
            ((self.bob.number, 30, day, -7), "not in your bank's catalog"),
        ]
        for args, message in cases:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(UserError, message),
            ):
                Transfer.send_service(self.peer_ab.id, self.alice.id, *args)
        other_bank = self.env["timebank.service.item"].create(
            {
                "name": "Bank B's care",
                "company_id": self.bank_b.id,
                "category_id": self.env["timebank.service.category"]
                .create({"name": "B", "company_id": self.bank_b.id})
                .id,
            }
        )
        with self.assertRaisesRegex(UserError, "not in your bank's catalog"):
            Transfer.send_service(
                self.peer_ab.id, self.alice.id, self.bob.number, 30, day, other_bank.id
            )
        self.item.active = False
        with self.assertRaisesRegex(UserError, "not in your bank's catalog"):
            Transfer.send_service(
                self.peer_ab.id, self.alice.id, self.bob.number, 30, day, self.item.id
            )
        self.bob.state_reason = "Moved away"
        self.bob.action_suspend()
        with self.assertRaisesRegex(UserError, "not active"):
            Transfer.send_service(
                self.peer_ab.id, self.alice.id, self.bob.number, 30, day
            )
        with self.assertRaisesRegex(UserError, "only your own credits"):
            Transfer.with_user(self.broker_b).send_service(
                self.peer_ab.id, self.alice.id, self.bob.number, 30, day
            )
        self.assertEqual(self.alice.balance, 600)
        self.assertEqual(self.bob.balance, 600)
        self.assertFalse(
            Transfer.search([("peer_id", "in", (self.peer_ab | self.peer_ba).ids)])
        )

    def test_broker_wizard(self):
        wizard = Form(
            self.env["timebank.interbank.send.wizard"]
            .with_user(self.broker)
            .with_context(active_model="timebank.member", active_id=self.alice.id)
        )
        wizard.peer_id = self.peer_ab
        wizard.purpose = "service"
        wizard.payee_number = self.bob.number
        wizard.service_date = days_ago(2)
        wizard.service_duration = 30
        wizard.service_item_id = self.item
        action = wizard.save().action_send()
        transfer = self.env["timebank.interbank.transfer"].browse(action["res_id"])
        self.assertEqual((transfer.purpose, transfer.minutes), ("service", 45))
        self.assertEqual(self.bob.balance, 645)


@tagged("post_install", "-at_install")
class TestServiceOverRpc(InterbankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("ib_alice", cls.alice.partner_id)
        cls.carol = cls._member("Carol", active=True)
        post_opening_balance(cls.env, cls.carol, 100)

    def _rpc(self, login, *args):
        return xmlrpc_call(
            self, login, "timebank.interbank.transfer", "send_service", *args
        )

    def test_portal_member(self):
        day = fields.Date.to_string(days_ago(1))
        with self.assertRaisesRegex(
            xmlrpc.client.Fault, "You may send only your own credits"
        ):
            self._rpc(
                "ib_alice", self.peer_ab.id, self.carol.id, self.bob.number, 30, day
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "no member with that number"):
            self._rpc("ib_alice", self.peer_ab.id, self.alice.id, "NOPE-1", 30, day)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "after it was given"):
            self._rpc(
                "ib_alice",
                self.peer_ab.id,
                self.alice.id,
                self.bob.number,
                30,
                fields.Date.to_string(days_ago(-2)),
            )
        self.assertEqual(self.carol.balance, 100)
        # the receiver confirms their own service
        transfer_id = self._rpc(
            "ib_alice", self.peer_ab.id, self.alice.id, self.bob.number, 30, day
        )
        self.assertEqual(self.alice.balance, 570)
        self.assertEqual(self.bob.balance, 630)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be written"):
            xmlrpc_call(
                self,
                "ib_alice",
                "timebank.interbank.transfer",
                "write",
                [transfer_id],
                {"service_date": "2020-01-01"},
            )
        self.authenticate("ib_alice", new_user_password("ib_alice"))
        page = self.url_open("/my/timebank/other-banks").text
        self.assertIn(
            f"Service received from member {self.bob.number} of Bank B on {day}", page
        )


@tagged("post_install", "-at_install")
class TestServiceSigned(TimebankCase):
    """Level 1 in one database: the signed PREPARE of a service, the payee
    bank's decision and the payer bank's settlement, each step as the two
    servers run it (without the HTTP in between)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Peer = cls.env["timebank.peer"]
        Key = cls.env["timebank.interbank.key"]
        peers = Peer
        for own, other, name in (
            (cls.bank_a, cls.bank_b, "Bank B"),
            (cls.bank_b, cls.bank_a, "Bank A"),
        ):
            key = Key._current(other)
            peers |= Peer.create(
                {
                    "name": name,
                    "company_id": own.id,
                    "url": "http://127.0.0.1:9",
                    "peer_code": other.timebank_bank_code,
                    "peer_key_id": key.key_id,
                    "peer_public_key": key.public_key,
                    "limit_they_owe": 300,
                    "limit_we_owe": 300,
                }
            )
        peers.action_accept()
        cls.peer_ab = peers[0]
        cls.alice = cls._member("Alice Wu", cls.bank_a, active=True)
        cls.bob = cls._member("Bob Chen", cls.bank_b, active=True)
        post_opening_balance(cls.env, cls.alice, 600)
        cls.item = cls._service_item("Hard lifting", coefficient=1.5)

    def _deliver(self, transfer):
        """Bank A sends the message, bank B answers, bank A takes the answer."""
        _tid, _url, body = transfer._next_message(self.peer_ab.id)
        status, answer = transfer._receive(body)
        transfer._take_answer(status, answer)
        return body

    def test_service_end_to_end(self):
        Transfer = self.env["timebank.interbank.transfer"]
        day = days_ago(2)
        transfer = Transfer.browse(
            Transfer.send_service(
                self.peer_ab.id,
                self.alice.id,
                self.bob.number,
                60,
                day,
                self.item.id,
                "Moved the wardrobe",
            )
        )
        self.assertEqual((transfer.state, self.alice.balance), ("held", 510))
        body = self._deliver(transfer)
        self.assertEqual(transfer.state, "committed")
        self.assertEqual(self.bob.balance, 90)
        _envelope, payload = protocol.open_envelope(body)
        self.assertEqual(
            payload["purpose"],
            {"code": protocol.PURPOSE_SERVICE, "date": fields.Date.to_string(day)},
        )
        self.assertEqual(payload["minutes"], 90)
        # only minutes, member numbers, codes and dates cross the wire
        for secret in ("Alice", "Bob", "wardrobe", "Hard lifting", "duration"):
            self.assertNotIn(secret, body.decode())
        received = Transfer.search(
            [("direction", "=", "in"), ("uuid", "=", transfer.uuid)]
        )
        self.assertEqual(
            received.summary,
            f"Service given to member {self.alice.number} of Bank A on {day}",
        )
        self.assertEqual((received.purpose, received.service_date), ("service", day))
        for bank in (self.bank_a, self.bank_b):
            self.assertTrue(self.env["timebank.entry"].verify_chain(bank.id)["ok"])

    def test_gift_message_unchanged(self):
        Transfer = self.env["timebank.interbank.transfer"]
        transfer = Transfer.browse(
            Transfer.send(self.peer_ab.id, self.alice.id, self.bob.number, 20)
        )
        body = self._deliver(transfer)
        _envelope, payload = protocol.open_envelope(body)
        self.assertNotIn("purpose", payload)
        self.assertEqual(transfer.purpose, "gift")
        received = Transfer.search(
            [("direction", "=", "in"), ("uuid", "=", transfer.uuid)]
        )
        self.assertEqual(
            (received.purpose, received.state, self.bob.balance),
            ("gift", "committed", 20),
        )

    def test_unknown_provider_gets_minutes_back(self):
        Transfer = self.env["timebank.interbank.transfer"]
        transfer = Transfer.browse(
            Transfer.send_service(
                self.peer_ab.id, self.alice.id, "NOPE-1", 30, days_ago(1)
            )
        )
        self.assertEqual(self.alice.balance, 570)
        self._deliver(transfer)
        self.assertEqual(transfer.state, "refused")
        self.assertEqual(transfer.refusal_code, protocol.PAYEE_UNKNOWN)
        self.assertIn("no member with that number", transfer.refusal_text)
        self.assertEqual(self.alice.balance, 600)

    def test_payee_refuses_a_purpose_it_does_not_know(self):
        """A purpose the payee bank does not understand is its signed refusal
        (the payer gives the minutes back), never a message retried forever."""
        Transfer = self.env["timebank.interbank.transfer"]
        key = self.env["timebank.interbank.key"]._current(self.bank_a)
        day = fields.Date.to_string(days_ago(1))
        for purpose in (
            {"code": "LOAN", "date": day},
            {"code": protocol.PURPOSE_SERVICE, "date": "2026-13-45"},
            {"code": protocol.PURPOSE_SERVICE, "date": day, "note": "Alice"},
        ):
            with self.subTest(purpose=purpose):
                transfer = Transfer.browse(
                    Transfer.send_service(
                        self.peer_ab.id, self.alice.id, self.bob.number, 30, day
                    )
                )
                transfer._next_message(self.peer_ab.id)
                _envelope, payload = protocol.open_envelope(transfer.request_body)
                forged = dict(payload, purpose=purpose)
                body = key._seal(forged)
                # as the payer bank would have built and chained it
                msg_hash = protocol.chain_next(
                    transfer.prev_hash, protocol.canonical(forged)
                )
                transfer._guarded_write(
                    {"request_body": body.decode(), "msg_hash": msg_hash}
                )
                self.peer_ab._link("out")._guarded_write({"last_hash": msg_hash})
                status, answer = Transfer._receive(body)
                self.assertEqual(status, 200)
                transfer._take_answer(status, answer)
                self.assertEqual(
                    (transfer.state, transfer.refusal_code),
                    ("refused", protocol.PURPOSE_UNKNOWN),
                )
                self.assertIn(
                    "does not take this kind of payment", transfer.refusal_text
                )
                self.assertEqual(self.alice.balance, 600)
        self.assertEqual(self.bob.balance, 0)
        # a purpose that is not an object is not a message at all
        transfer = Transfer.browse(
            Transfer.send_service(
                self.peer_ab.id, self.alice.id, self.bob.number, 30, day
            )
        )
        _tid, _url, body = transfer._next_message(self.peer_ab.id)
        _envelope, payload = protocol.open_envelope(body)
        status, answer = Transfer._receive(key._seal(dict(payload, purpose="SERVICE")))
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(answer), {"error": protocol.BAD_MESSAGE})
        # the message as built is taken
        status, answer = Transfer._receive(body)
        transfer._take_answer(status, answer)
        self.assertEqual((transfer.state, self.bob.balance), ("committed", 30))
