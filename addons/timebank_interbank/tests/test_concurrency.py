"""Sending while another transaction holds the rows a transfer needs, each in its
own database connection.

The data is committed (another connection cannot see an uncommitted test
transaction), in banks of their own that no other test looks at. The partner
bank's address answers nothing: what is sent waits in transit.
"""

import uuid
import xmlrpc.client

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.base.controllers.rpc import xmlrpc_handle_exception_int
from odoo.addons.timebank_core.models.timebank_entry import LedgerBusyError


@tagged("post_install", "-at_install")
class TestSendingRace(BaseCase):
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
            groups = env.ref("base.group_portal") | env.ref(
                "timebank_core.group_timebank_member"
            )
            issuance = env["timebank.account"]._get_system(bank, "issuance")
            cls.member_ids, cls.user_ids = [], []
            for name in ("Racing Sender", "Other Sender"):
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
                env["timebank.interbank.transfer"]._post_ledger(
                    bank,
                    [(issuance, 600, 0), (member.account_id, 0, 600)],
                    "Opening balance",
                )
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
