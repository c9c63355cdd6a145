"""Sending while another transaction holds the rows a transfer needs, each in its
own database connection.

The data is committed (another connection cannot see an uncommitted test
transaction), in banks of their own that no other test looks at.
"""

import threading
import time
import uuid
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.base.controllers.rpc import xmlrpc_handle_exception_int
from odoo.addons.timebank_core.models.timebank_entry import LedgerBusyError
from odoo.addons.timebank_interbank.models.timebank_interbank_transfer import (
    CONCURRENCY_TRIES,
)

SENDER_LOGGER = "odoo.addons.timebank_interbank.models.timebank_interbank_transfer"


def _make_member(env, bank, name, tag):
    """An active member of ``bank`` with a portal login and 600 minutes."""
    groups = env.ref("base.group_portal") | env.ref(
        "timebank_core.group_timebank_member"
    )
    partner = env["res.partner"].create(
        {"name": f"{name} {tag}", "timebank_privacy_consent": True}
    )
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "login": f"{name.split()[0].lower()}-{tag}",
                "partner_id": partner.id,
                "company_id": bank.id,
                "company_ids": [Command.set(bank.ids)],
                "groups_id": [Command.set(groups.ids)],
            }
        )
    )
    member = (
        env["timebank.member"]
        .with_company(bank)
        .create({"partner_id": partner.id, "company_id": bank.id})
    )
    member.action_activate()
    issuance = env["timebank.account"]._get_system(bank, "issuance")
    env["timebank.interbank.transfer"]._post_ledger(
        bank,
        [(issuance, 600, 0), (member.account_id, 0, 600)],
        "Opening balance",
    )
    return member, user


@tagged("post_install", "-at_install")
class TestSendingRace(BaseCase):
    """The partner bank's address answers nothing: what is sent waits in
    transit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            bank, other_bank = env["res.company"].create(
                [{"name": f"Race Bank {tag}"}, {"name": f"Far Bank {tag}"}]
            )
            key = env["timebank.interbank.key"]._current(other_bank)
            peer = env["timebank.peer"].create(
                {
                    "name": f"Far Bank {tag}",
                    "company_id": bank.id,
                    "url": "http://127.0.0.1:9",
                    "peer_code": other_bank.timebank_bank_code,
                    "peer_key_id": key.key_id,
                    "peer_public_key": key.public_key,
                    "limit_they_owe": 3000,
                }
            )
            peer.sudo()._guarded_write({"state": "accepted"})
            cls.member_ids, cls.user_ids = [], []
            for name in ("Racing Sender", "Other Sender"):
                member, user = _make_member(env, bank, name, tag)
                cls.member_ids.append(member.id)
                cls.user_ids.append(user.id)
            cls.peer_id = peer.id

    def test_a_clash_on_the_transit_account_says_try_again(self):
        """Each try of the member's request meets a hold of another member of
        the bank committed after it began: the member is told the ledger is
        busy and to try again (not a database error), also over XML-RPC."""
        sender, other = self.member_ids
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.user_ids[0], {})

            def send():
                # this request's snapshot is taken here...
                env["timebank.member"].browse(sender).read(["balance"])
                # ...then another member's hold on the same link commits
                with self.registry.cursor() as other_cr:
                    other_env = api.Environment(other_cr, self.user_ids[1], {})
                    other_env["timebank.interbank.transfer"].send(
                        self.peer_id, other, "M-1", 7
                    )
                return env["timebank.interbank.transfer"].send(
                    self.peer_id, sender, "M-2", 5
                )

            with self.assertRaisesRegex(
                UserError, "The ledger is busy .* try again in a moment"
            ) as caught:
                retrying(send, env)
        self.assertIsInstance(caught.exception, LedgerBusyError)
        # what an XML-RPC client of the member receives
        with self.assertRaises(xmlrpc.client.Fault) as fault:
            xmlrpc.client.loads(xmlrpc_handle_exception_int(caught.exception))
        self.assertEqual(fault.exception.faultCode, 2)
        self.assertEqual(fault.exception.faultString, str(caught.exception))
        self.assertIn("try again", fault.exception.faultString)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            members = env["timebank.member"].browse(self.member_ids)
            # each try of the other member went through, none of this one
            self.assertEqual(members.mapped("balance"), [600, 600 - 5 * 7])
            transfers = env["timebank.interbank.transfer"].search(
                [("peer_id", "=", self.peer_id)]
            )
            self.assertEqual(transfers.member_id.ids, [other])
            self.assertEqual(
                env["timebank.peer"].browse(self.peer_id).transit_account_id.balance,
                5 * 7,
            )


@tagged("post_install", "-at_install")
class TestSendingAfterCommit(BaseCase):
    """Banks A and B in this database linked as if on two servers: bank B's
    "server" is a small HTTP server in this process that hands each message to
    bank B's receiving code in a transaction of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), cls._handler())
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        url = "http://127.0.0.1:%s" % cls.server.server_address[1]
        tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            banks = env["res.company"].create(
                [{"name": f"Sending Bank {tag}"}, {"name": f"Receiving Bank {tag}"}]
            )
            peers = env["timebank.peer"]
            for own, other in (banks, banks[::-1]):
                key = env["timebank.interbank.key"]._current(other)
                peers |= env["timebank.peer"].create(
                    {
                        "name": f"Partner of {own.name}",
                        "company_id": own.id,
                        "url": url,
                        "peer_code": other.timebank_bank_code,
                        "peer_key_id": key.key_id,
                        "peer_public_key": key.public_key,
                        "limit_they_owe": 3000,
                        "limit_we_owe": 3000,
                    }
                )
            for peer in peers:
                peer.sudo()._guarded_write({"state": "accepted"})
            sender, user = _make_member(env, banks[0], "Sender", tag)
            payee, _user = _make_member(env, banks[1], "Payee", tag)
            cls.peer_id, cls.peer_in_id = peers.ids
            cls.sender_id, cls.user_id = sender.id, user.id
            cls.payee_number = payee.number
            cls.transit_id = peers[0].transit_account_id.id
        cls.clash_rounds = 0

    @classmethod
    def _handler(cls):
        case = cls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with case.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    status, answer = env["timebank.interbank.transfer"]._receive(
                        body, self.path.rsplit("/", 1)[-1]
                    )
                if case.clash_rounds:
                    case._clash_with_the_settlement(case.clash_rounds)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler

    @classmethod
    def _clash_with_the_settlement(cls, rounds):
        """Before the answer leaves: another transaction of the sending bank
        changes the link's transit account and commits only once the settlement
        waits for it, ``rounds`` times (each try of the settlement meets one:
        the next change is made at once, while the settlement waits to try
        again)."""
        ready = threading.Event()
        cls.clashes = 0

        def hold_the_transit_account():
            with cls.registry.cursor() as cr, cls.registry.cursor() as probe:
                cr.execute("SELECT pg_backend_pid()")
                pid = cr.fetchone()[0]
                for _round in range(rounds):
                    cr.execute(
                        "UPDATE timebank_account SET write_date = now() WHERE id = %s",
                        [cls.transit_id],
                    )
                    ready.set()
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        probe.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE %s = ANY(pg_blocking_pids(pid))",
                            [pid],
                        )
                        waiting = probe.fetchone()[0]
                        probe.rollback()
                        if waiting:
                            cls.clashes += 1
                            break
                        time.sleep(0.01)
                    # the other transaction of the race: its commit is the clash
                    cr.commit()  # pylint: disable=invalid-commit
            cls.clash_done.set()

        cls.clash_done = threading.Event()
        threading.Thread(target=hold_the_transit_account, daemon=True).start()
        ready.wait(30)

    def _send_as_member(self):
        """The member's request, run and committed as an RPC call is (its
        commit sends the message)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.user_id, {})
            return retrying(
                lambda: env["timebank.interbank.transfer"].send(
                    self.peer_id, self.sender_id, self.payee_number, 9
                ),
                env,
            )

    def _transfer_states(self, transfer_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            transfer = env["timebank.interbank.transfer"].browse(transfer_id)
            received = env["timebank.interbank.transfer"].search(
                [("peer_id", "=", self.peer_in_id), ("uuid", "=", transfer.uuid)]
            )
            return transfer.state, received.mapped("state")

    def test_a_clash_while_saving_the_answer_is_not_said_to_the_member(self):
        """The partner bank took the transfer; saving its receipt meets another
        transaction at every try. The member's request has committed: it
        returns the transfer (no "ledger is busy"), the failure is logged and
        the next sending settles the hold with the stored receipt, once."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            balance = env["timebank.member"].browse(self.sender_id).balance
        type(self).clash_rounds = CONCURRENCY_TRIES
        try:
            with self.assertLogs(SENDER_LOGGER, "ERROR") as logs:
                transfer_id = self._send_as_member()
        finally:
            type(self).clash_rounds = 0
        self.assertTrue(self.clash_done.wait(60))
        self.assertEqual(self.clashes, CONCURRENCY_TRIES)
        self.assertIn("the scheduled job sends them again", logs.output[0])
        self.assertEqual(self._transfer_states(transfer_id), ("held", ["committed"]))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            transfer = env["timebank.interbank.transfer"].browse(transfer_id)
            self.assertEqual(transfer.member_id.id, self.sender_id)
        # what the scheduled job does: send again; the stored receipt settles
        self.registry["timebank.interbank.transfer"]._dispatch(
            self.registry, self.peer_id, force=True
        )
        self.assertEqual(
            self._transfer_states(transfer_id), ("committed", ["committed"])
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(
                env["timebank.member"].browse(self.sender_id).balance, balance - 9
            )
            self.assertEqual(env["timebank.account"].browse(self.transit_id).balance, 0)

    def test_one_clash_while_saving_the_answer_is_run_again(self):
        """One clash while saving the receipt: that step runs again at once and
        settles the hold within the member's request."""
        type(self).clash_rounds = 1
        try:
            transfer_id = self._send_as_member()
        finally:
            type(self).clash_rounds = 0
        self.assertTrue(self.clash_done.wait(60))
        self.assertEqual(self.clashes, 1)
        self.assertEqual(
            self._transfer_states(transfer_id), ("committed", ["committed"])
        )
