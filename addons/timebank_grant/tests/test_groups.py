from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

# the groups that open the accounting (feature toggles aside)
ACCOUNTING_RIGHTS = (
    "group_account_readonly",
    "group_account_invoice",
    "group_account_basic",
    "group_account_user",
    "group_account_manager",
)


@tagged("post_install", "-at_install")
class TestGroups(TransactionCase):
    """The product's groups grant no accounting right: a broker is no
    Invoicing user, and a grant user needs Invoicing given on its own."""

    def _accounting_rights(self):
        return sum(
            (self.env.ref(f"account.{name}") for name in ACCOUNTING_RIGHTS),
            self.env["res.groups"],
        )

    def _groups_of(self, modules):
        return self.env["res.groups"].browse(
            self.env["ir.model.data"]
            .search([("model", "=", "res.groups"), ("module", "in", modules)])
            .mapped("res_id")
        )

    def test_product_groups_imply_no_accounting_group(self):
        accounting = self._accounting_rights()
        modules = [
            name
            for name in self.env["ir.module.module"]
            .search([("name", "=like", "timebank%"), ("state", "=", "installed")])
            .mapped("name")
        ]
        product = self._groups_of(modules)
        self.assertIn(self.env.ref("timebank_grant.group_grant_manager"), product)
        for group in product:
            with self.subTest(group=group.full_name):
                self.assertFalse(
                    (group | group.trans_implied_ids) & accounting,
                    f"{group.full_name} implies an accounting group",
                )

    def test_broker_has_no_accounting_rights(self):
        banks = self.env["res.company"].create([{"name": "Bank A"}, {"name": "Bank B"}])
        broker = new_test_user(
            self.env,
            login="groups_broker",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=banks[0].id,
            company_ids=banks.ids,
        )
        accounting = self._accounting_rights()
        self.assertFalse(broker.groups_id & accounting)
        with self.assertRaisesRegex(AccessError, r"Journal Item"):
            self.env["account.move.line"].with_user(broker).search([], limit=1)
        grant_user = new_test_user(
            self.env,
            login="groups_grant_user",
            groups="timebank_grant.group_grant_user",
            company_id=banks[0].id,
            company_ids=banks.ids,
        )
        self.assertFalse(grant_user.groups_id & accounting)
