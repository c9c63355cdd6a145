from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged

from .common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestRecipientCategory(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder = cls._member("Wang", active=True)
        cls._portal_user("wang", cls.elder.partner_id)
        cls.alone = cls.env.ref("timebank_core.recipient_category_living_alone")

    def test_shipped_categories(self):
        names = self.env["timebank.recipient.category"].search([]).mapped("name")
        for name in ("Living alone", "Disabled", "Low-income household"):
            self.assertIn(name, names)

    def test_broker_sets_categories(self):
        self.elder.with_user(self.broker).recipient_category_ids = self.alone
        self.assertEqual(self.elder.recipient_category_ids, self.alone)

    def test_member_cannot_set_her_categories_over_rpc(self):
        with self.assertRaisesRegex(
            Fault, "not allowed to modify .Time Bank Membership"
        ):
            xmlrpc_call(
                self,
                "wang",
                "timebank.member",
                "write",
                [self.elder.id],
                {"recipient_category_ids": [(6, 0, [self.alone.id])]},
            )
        with self.assertRaisesRegex(Fault, "not allowed|access"):
            xmlrpc_call(self, "wang", "timebank.recipient.category", "search_read", [])
        self.assertFalse(self.elder.recipient_category_ids)
