from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerImmutability(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        cls.entry = cls._pay(cls.carol, cls.david, 60)
        cls.admin = cls.env.ref("base.user_admin")

    def test_posted_entry_cannot_be_written_by_anyone(self):
        self.admin.write(
            {
                "company_ids": [Command.link(self.bank_a.id)],
                "groups_id": [Command.link(self.env.ref("base.group_system").id)],
            }
        )
        for user in (self.manager, self.admin, self.env.ref("base.user_root")):
            entry = self.entry.with_user(user).with_company(self.bank_a)
            for vals in [
                {"ref": "changed"},
                {"date": "2020-01-01"},
                {"journal_id": self._journal("adjustment").id},
            ]:
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaisesRegex(
                        UserError, "Posted entries can never be changed"
                    ),
                ):
                    entry.sudo(user.id == 1).write(vals)

    def test_posted_lines_cannot_be_written_added_or_deleted(self):
        line = self.entry.line_ids[0].sudo()
        with self.assertRaisesRegex(UserError, "can never be changed"):
            line.debit = 1
        with self.assertRaisesRegex(UserError, "can never be changed"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "can never be changed"):
            self.entry.sudo().write(
                {
                    "line_ids": [
                        Command.create(
                            {"account_id": self.carol.account_id.id, "debit": 5}
                        )
                    ]
                }
            )
        with self.assertRaisesRegex(UserError, "can never be changed"):
            self.env["timebank.entry.line"].sudo().create(
                {
                    "entry_id": self.entry.id,
                    "account_id": self.david.account_id.id,
                    "credit": 5,
                }
            )

    def test_posted_entry_cannot_be_deleted(self):
        self.admin.company_ids = [Command.link(self.bank_a.id)]
        for user in (self.manager, self.admin):
            with self.assertRaisesRegex(
                UserError, "Posted entries can never be deleted"
            ):
                self.entry.with_user(user).with_company(self.bank_a).unlink()
        self.entry._reverse()
        with self.assertRaisesRegex(UserError, "can never be deleted"):
            self.entry.sudo().unlink()

    def test_posting_fields_are_never_set_by_hand(self):
        draft = self._entry(
            [(self.carol.account_id, 5, 0), (self.david.account_id, 0, 5)]
        )
        for vals in [
            {"state": "posted"},
            {"name": "EXC/999999"},
            {"chain_hash": "0" * 64},
            {"reversed_entry_id": self.entry.id},
        ]:
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "set by posting, not by hand"),
            ):
                draft.sudo().write(vals)
        with self.assertRaisesRegex(UserError, "set by posting, not by hand"):
            self.env["timebank.entry"].sudo().create(
                {"journal_id": self._journal("exchange").id, "state": "posted"}
            )

    def test_draft_entry_can_be_deleted_by_a_manager(self):
        draft = self._entry(
            [(self.carol.account_id, 5, 0), (self.david.account_id, 0, 5)]
        )
        draft.with_user(self.manager).with_company(self.bank_a).unlink()
        self.assertFalse(draft.exists())

    def test_broker_cannot_write_entries(self):
        draft = self._entry(
            [(self.carol.account_id, 5, 0), (self.david.account_id, 0, 5)]
        )
        as_broker = draft.with_user(self.broker).with_company(self.bank_a)
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            as_broker.write({"ref": "x"})
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            as_broker.action_post()
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            self.entry.with_user(self.broker).with_company(self.bank_a).action_reverse()
        self.assertEqual(draft.state, "draft")

    def test_no_field_converts_credits_into_money(self):
        # Grant budgets (timebank.grant*) are money by nature and never touch credits.
        for model in self.env:
            if (
                model.startswith("timebank.")
                and not model.startswith("timebank.grant")
                and not self.env[model]._abstract
            ):
                for field in self.env[model]._fields.values():
                    with self.subTest(model=model, field=field.name):
                        self.assertNotIn(field.type, ("monetary",))
                        self.assertNotEqual(field.comodel_name, "res.currency")


@tagged("post_install", "-at_install")
class TestLedgerImmutabilityRpc(HttpCase):
    def test_admin_cannot_change_a_posted_entry_over_rpc(self):
        bank = self.env.company
        members = self.env["timebank.member"].create(
            [
                {
                    "partner_id": self.env["res.partner"]
                    .create({"name": name, "timebank_privacy_consent": True})
                    .id
                }
                for name in ("Rpc Carol", "Rpc David")
            ]
        )
        members.action_activate()
        journal = self.env["timebank.journal"]._get(bank, "exchange")
        entry = self.env["timebank.entry"].create(
            {
                "journal_id": journal.id,
                "line_ids": [
                    Command.create(
                        {"account_id": members[0].account_id.id, "debit": 30}
                    ),
                    Command.create(
                        {"account_id": members[1].account_id.id, "credit": 30}
                    ),
                ],
            }
        )
        entry.action_post()
        new_test_user(
            self.env,
            login="rpc_manager",
            groups="base.group_system,timebank_core.group_timebank_manager",
        )
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, "rpc_manager", "rpc_manager", {})

        def call(method, *args, **kwargs):
            return self.xmlrpc_object.execute_kw(
                db, uid, "rpc_manager", "timebank.entry", method, list(args), kwargs
            )

        with self.assertRaisesRegex(Fault, "Posted entries can never be changed"):
            call("write", [entry.id], {"ref": "changed"})
        with self.assertRaisesRegex(Fault, "set by posting, not by hand"):
            call("write", [entry.id], {"state": "draft"})
        with self.assertRaisesRegex(Fault, "set by posting, not by hand"):
            call(
                "write",
                [entry.id],
                {"state": "draft"},
                context={"timebank_ledger": True},
            )
        with self.assertRaisesRegex(Fault, "Posted entries can never be deleted"):
            call("unlink", [entry.id])
        with self.assertRaisesRegex(Fault, "can never be changed"):
            self.xmlrpc_object.execute_kw(
                db,
                uid,
                "rpc_manager",
                "timebank.entry.line",
                "write",
                [entry.line_ids[:1].ids, {"debit": 1}],
            )
        with self.assertRaisesRegex(Fault, "Private methods"):
            call("_post", [entry.id])
        self.assertEqual(entry.line_ids.mapped("debit"), [30, 0])
