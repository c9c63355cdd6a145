"""Members through XML-RPC, as an import script or another program uses them."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


@tagged("post_install", "-at_install")
class TestExternalApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.bank_a = cls.env["res.company"].create({"name": "Bank A"})
        cls.bank_b = cls.env["res.company"].create({"name": "Bank B"})
        cls.broker = new_test_user(
            cls.env,
            login="api_broker",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.broker_b = new_test_user(
            cls.env,
            login="api_broker_b",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=cls.bank_b.id,
            company_ids=[cls.bank_b.id],
        )
        Member = cls.env["timebank.member"]
        cls.carol = Member.create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": "Carol", "timebank_privacy_consent": True})
                .id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.david = Member.create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "David"}).id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.carol_user = new_test_user(
            cls.env,
            login="api_carol",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.carol.partner_id.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )

    def _call(self, login, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        self.assertTrue(uid, f"{login} could not log in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, login, model, method, list(args), kwargs
        )

    def test_broker_registers_and_activates_a_member(self):
        partner_id = self._call(
            "api_broker",
            "res.partner",
            "create",
            {"name": "Wang Shu-fen", "timebank_contact_channel": "in_person"},
        )
        member_id = self._call(
            "api_broker", "timebank.member", "create", {"partner_id": partner_id}
        )
        with self.assertRaisesRegex(Fault, "privacy consent is recorded"):
            self._call("api_broker", "timebank.member", "action_activate", [member_id])
        self._call(
            "api_broker",
            "res.partner",
            "write",
            [partner_id],
            {"timebank_privacy_consent": True},
        )
        self._call("api_broker", "timebank.member", "action_activate", [member_id])
        [member] = self._call(
            "api_broker",
            "timebank.member",
            "read",
            [member_id],
            fields=["state", "number", "company_id"],
        )
        self.assertEqual(member["state"], "active")
        self.assertTrue(member["number"])
        self.assertEqual(member["company_id"][0], self.bank_a.id)
        [partner] = self._call(
            "api_broker",
            "res.partner",
            "read",
            [partner_id],
            fields=["is_timebank_member", "timebank_state"],
        )
        self.assertEqual(partner["timebank_state"], "active")
        self.assertTrue(partner["is_timebank_member"])

    def test_state_cannot_skip_the_workflow_through_rpc(self):
        with self.assertRaisesRegex(Fault, r"State \(state\) cannot be written"):
            self._call(
                "api_broker",
                "timebank.member",
                "write",
                [self.david.id],
                {"state": "suspended"},
            )
        # the button checks the way
        with self.assertRaisesRegex(Fault, "cannot go from Applicant to Suspended"):
            self._call(
                "api_broker", "timebank.member", "action_suspend", [self.david.id]
            )
        self.assertEqual(self.david.state, "applicant")

    def test_member_number_clash_through_rpc(self):
        partner_id = self._call("api_broker", "res.partner", "create", {"name": "Amy"})
        with self.assertRaisesRegex(
            Fault, f"Member number {self.carol.number} is already used in Bank A"
        ):
            self._call(
                "api_broker",
                "timebank.member",
                "create",
                {"partner_id": partner_id, "number": self.carol.number},
            )

    def test_portal_member_reads_only_their_own_membership(self):
        found = self._call(
            "api_carol", "timebank.member", "search_read", [], fields=["state"]
        )
        self.assertEqual([r["id"] for r in found], self.carol.ids)
        with self.assertRaisesRegex(Fault, "Time Bank Membership"):
            self._call("api_carol", "timebank.member", "read", [self.david.id])
        with self.assertRaisesRegex(Fault, "not allowed to modify"):
            self._call(
                "api_carol",
                "timebank.member",
                "write",
                [self.carol.id],
                {"number": "1"},
            )

    def test_other_bank_sees_nothing(self):
        found = self._call("api_broker_b", "timebank.member", "search_count", [])
        self.assertEqual(found, 0)
        with self.assertRaisesRegex(Fault, "Time Bank Membership"):
            self._call("api_broker_b", "timebank.member", "read", [self.carol.id])
