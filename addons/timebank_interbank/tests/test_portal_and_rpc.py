import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import (
    csrf_token,
    new_user_password,
    post_opening_balance,
    xmlrpc_call,
)

from .common import InterbankCase


def open_trust(case):
    """Trust limits wide enough that a member's own balance is what stops them."""
    case.peer_ab.limit_they_owe = 100_000
    case.peer_ba.limit_we_owe = 100_000


@tagged("post_install", "-at_install")
class TestInterbankPortal(InterbankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("ib_alice", cls.alice.partner_id)
        cls.elder = cls._member("Elder Grandma Lin", active=True)
        post_opening_balance(cls.env, cls.elder, 300)
        cls.daughter = cls._person("Daughter Hui")
        cls._name_proxy(cls.elder, cls.daughter, view=True, request=True)
        cls._portal_user("ib_daughter", cls.daughter)
        # a bank on another server: a transfer there waits for its answer
        cls.peer_remote = cls.env["timebank.peer"].create(
            {
                "name": "Bank Far",
                "company_id": cls.bank_a.id,
                "url": "http://127.0.0.1:9",
                "peer_code": "TB-FAR",
                "peer_key_id": "far-1",
                "peer_public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            }
        )
        cls.peer_remote.with_user(cls.manager).action_accept()

    def _page(self, url="/my/timebank/other-banks"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _send(self, login, **form):
        self.authenticate(login, new_user_password(login))
        page = self._page(
            "/my/timebank/other-banks"
            + (f"?member={form['member']}" if form.get("member") else "")
        )
        form = dict({"hours": "0", "minutes": "0"}, **form)
        form["csrf_token"] = csrf_token(page)
        response = self.url_open("/my/timebank/other-banks/send", data=form)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_member_sends_and_sees_the_state(self):
        before = self._interbank_sum()
        page = self._send(
            "ib_alice",
            sender=self.alice.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            hours="1",
            minutes="30",
        )
        self.assertIn("1:30 sent to member", page)
        text = " ".join(page.split())
        # one sentence for the transfer, the sender's number and balance first
        # (a phone cuts the end of a long option), no bank name for one bank
        self.assertIn(f"Transfer to member {self.bob.number} of Bank B", text)
        self.assertIn(
            f'<option value="{self.alice.id}"> {self.alice.number} '
            f"({self.alice.balance_display}) </option>",
            text,
        )
        self.assertIn(self.bob.number, page)
        self.assertIn("Done", page)
        self.assertEqual(self.alice.balance, 510)
        self.assertEqual(self.bob.balance, 690)
        self.assertEqual(self._interbank_sum(), before)
        self.assertLedgersIntact()
        # to a bank on another server: held in transit until it answers
        page = self._send(
            "ib_alice",
            sender=self.alice.id,
            peer=self.peer_remote.id,
            payee_number="M-77",
            minutes="20",
        )
        self.assertIn("In Transit", page)
        self.assertEqual(self.alice.balance, 490)
        self.assertEqual(self.peer_remote.transit_account_id.balance, 20)
        # the main page links here; other people's transfers are not shown
        self.assertIn("/my/timebank/other-banks", self._page("/my/timebank"))
        self.assertNotIn("Elder Grandma Lin", page)

    def test_proxy_confirms_a_service_received(self):
        """The daughter, proxy of her mother, confirms the service a member of
        bank B gave her mother: its duration is paid 1:1 and reads as a service."""
        day = fields.Date.to_string(fields.Date.today() - timedelta(days=1))
        service = dict(
            sender=self.elder.id,
            member=self.elder.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            hours="1",
            purpose="service",
        )
        page = self._send("ib_daughter", service_date=day, **service)
        self.assertIn("1:00 sent for the service of member", page)
        self.assertIn(
            f"Service received from member {self.bob.number} of Bank B on {day}", page
        )
        self.assertEqual(self.elder.balance, 240)
        self.assertEqual(self.bob.balance, 660)
        future = fields.Date.to_string(fields.Date.today() + timedelta(days=1))
        page = self._send("ib_daughter", service_date=future, **service)
        self.assertIn("A service is paid after it was given", page)
        page = self._send("ib_daughter", **service)
        self.assertIn("Enter the date of the service.", page)
        # not for someone who did not name them
        page = self._send("ib_alice", service_date=day, **dict(service, member=None))
        self.assertIn("You may send only your own credits", page)
        self.assertEqual(self.elder.balance, 240)

    def test_refusals_are_said_on_the_page(self):
        open_trust(self)
        self.bank_a.timebank_credit_limit = 0
        page = self._send(
            "ib_alice",
            sender=self.alice.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            hours="11",
        )
        self.assertIn("alert-danger", page)
        self.assertIn("cannot pay 11:00", page)
        self.assertEqual(self.alice.balance, 600)
        page = self._send(
            "ib_alice",
            sender=self.alice.id,
            peer=self.peer_ab.id,
            payee_number="NOBODY",
            minutes="5",
        )
        self.assertIn("no member with that number", page)
        page = self._send(
            "ib_alice",
            sender=self.elder.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            minutes="5",
        )
        self.assertIn("You may send only your own credits", page)
        page = self._send(
            "ib_alice",
            sender=self.alice.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
        )
        self.assertIn("Enter the time to send", page)
        self.assertEqual(self.alice.balance, 600)
        self.assertEqual(self.elder.balance, 300)

    def test_proxy_sends_for_the_person_they_act_for(self):
        page = self._send(
            "ib_daughter",
            member=self.elder.id,
            sender=self.elder.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            minutes="45",
        )
        self.assertIn("You act for", page)
        self.assertIn("0:45 sent to member", page)
        self.assertEqual(self.elder.balance, 255)
        transfer = self.env["timebank.interbank.transfer"].search(
            [("member_id", "=", self.elder.id)]
        )
        self.assertEqual(transfer.state, "committed")
        # without the right to ask for services, the proxy sees but cannot send
        self.elder.partner_id.timebank_proxy_can_request = False
        page = self._send(
            "ib_daughter",
            member=self.elder.id,
            sender=self.elder.id,
            peer=self.peer_ab.id,
            payee_number=self.bob.number,
            minutes="45",
        )
        self.assertIn("You may send only your own credits", page)
        self.assertIn("0:45", page)  # the earlier transfer, still listed
        self.assertEqual(self.elder.balance, 255)


@tagged("post_install", "-at_install")
class TestInterbankRpc(InterbankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_user("ib_alice", cls.alice.partner_id)
        cls.carol = cls._member("Carol", active=True)
        post_opening_balance(cls.env, cls.carol, 100)

    def _rpc(self, login, method, *args, **kwargs):
        return xmlrpc_call(
            self, login, "timebank.interbank.transfer", method, *args, **kwargs
        )

    def test_member_over_rpc(self):
        open_trust(self)
        self.bank_a.timebank_credit_limit = 0
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot pay 10:01"):
            self._rpc(
                "ib_alice", "send", self.peer_ab.id, self.alice.id, self.bob.number, 601
            )
        with self.assertRaisesRegex(
            xmlrpc.client.Fault, "You may send only your own credits"
        ):
            self._rpc(
                "ib_alice", "send", self.peer_ab.id, self.carol.id, self.bob.number, 5
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "whole, positive number"):
            self._rpc(
                "ib_alice", "send", self.peer_ab.id, self.alice.id, self.bob.number, -5
            )
        transfer_id = self._rpc(
            "ib_alice", "send", self.peer_ab.id, self.alice.id, self.bob.number, 25
        )
        self.assertEqual(self.alice.balance, 575)
        # their own transfer: read, not written, not retried, not deleted
        rows = self._rpc("ib_alice", "read", [transfer_id], ["state", "minutes"])
        self.assertEqual(rows[0]["state"], "committed")
        with self.assertRaisesRegex(
            xmlrpc.client.Fault, r"State \(state\) cannot be written"
        ):
            self._rpc("ib_alice", "write", [transfer_id], {"state": "refused"})
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be written"):
            self._rpc(
                "ib_alice",
                "create",
                {"uuid": "x", "peer_id": self.peer_ab.id, "direction": "in"},
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "Only a broker retries"):
            self._rpc("ib_alice", "action_retry", [transfer_id])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not allowed to delete"):
            self._rpc("ib_alice", "unlink", [transfer_id])
        # the partner banks and the wizard are not theirs
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not allowed to access"):
            xmlrpc_call(
                self, "ib_alice", "timebank.peer", "read", [self.peer_ab.id], ["name"]
            )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not allowed to create"):
            xmlrpc_call(
                self,
                "ib_alice",
                "timebank.interbank.send.wizard",
                "create",
                {"member_id": self.alice.id},
            )
        self.assertEqual(self.alice.balance, 575)

    def test_broker_over_rpc(self):
        transfer_id = self._rpc(
            "tb_broker", "send", self.peer_ab.id, self.carol.id, self.bob.number, 30
        )
        self.assertEqual(self.carol.balance, 70)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be written"):
            self._rpc("tb_broker", "write", [transfer_id], {"state": "refused"})
        with self.assertRaisesRegex(xmlrpc.client.Fault, "still in transit"):
            self._rpc("tb_broker", "action_cancel", [transfer_id])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "never deleted|not allowed"):
            self._rpc("tb_broker", "unlink", [transfer_id])
        # a broker of bank B cannot send the credits of bank A's members
        with self.assertRaisesRegex(
            xmlrpc.client.Fault, "You may send only your own credits"
        ):
            self._rpc("tb_broker_b", "send", self.peer_ab.id, self.carol.id, "X", 5)
        self.assertEqual(self.carol.balance, 70)


@tagged("post_install", "-at_install")
class TestBrokerWizard(InterbankCase):
    def test_broker_sends_for_a_paper_member(self):
        paper = self._member("Mr Paper Chen", active=True)
        post_opening_balance(self.env, paper, 120)
        Wizard = self.env["timebank.interbank.send.wizard"].with_user(self.broker)
        wizard = Form(
            Wizard.with_context(active_model="timebank.member", active_id=paper.id)
        )
        wizard.peer_id = self.peer_ab
        wizard.payee_number = self.bob.number
        wizard.minutes = 60
        wizard.memo = "Phoned in on Tuesday"
        action = wizard.save().action_send()
        transfer = self.env["timebank.interbank.transfer"].browse(action["res_id"])
        self.assertEqual(transfer.state, "committed")
        self.assertEqual(transfer.requested_by_id, self.broker)
        self.assertEqual(transfer.memo, "Phoned in on Tuesday")
        self.assertEqual(paper.balance, 60)
        self.assertEqual(self.bob.balance, 660)
        self.assertLedgersIntact()

    def test_wizard_refusals(self):
        paper = self._member("Mrs Paper Wu", active=True)
        wizard = (
            self.env["timebank.interbank.send.wizard"]
            .with_user(self.broker)
            .create(
                {
                    "member_id": paper.id,
                    "peer_id": self.peer_ab.id,
                    "payee_number": self.bob.number,
                    "minutes": 6000,
                }
            )
        )
        open_trust(self)
        self.bank_a.timebank_credit_limit = 0
        with self.assertRaisesRegex(UserError, "cannot pay 100:00"):
            wizard.action_send()
        self.assertEqual(paper.balance, 0)
        member_user = new_test_user(
            self.env,
            login="ib_member_only",
            groups="base.group_user,timebank_core.group_timebank_member",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        with self.assertRaisesRegex(UserError, "Only a broker sends credits"):
            wizard.with_user(member_user).sudo(False).action_send()
