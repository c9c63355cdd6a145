from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestOverride(GrantHttpCase):
    """A grant manager's override lets one excluded kind through at one
    subsidy, on that expenditure, until it is unassigned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant([("training", 100000, 0)])
        account = cls.grant.analytic_account_id
        cls._bill([("Ministry gazette subscription", 1200, {account: 100})])
        cls.expense = cls._import(cls.grant)
        cls.expense.write(
            {
                "line_id": cls.grant.line_ids.id,
                "kind_id": cls.kinds["periodical"].id,
            }
        )

    def _override(self):
        wizard_id = self._call(
            self.grant_manager,
            "timebank.grant.override.wizard",
            "create",
            {"reason": "The funder's own gazette."},
            context={"active_ids": self.expense.ids},
        )
        self._call(
            self.grant_manager,
            "timebank.grant.override.wizard",
            "action_confirm",
            [wizard_id],
        )

    def test_override_is_for_one_kind_and_lost_on_unassign(self):
        self._override()
        expense = self.expense
        self.assertEqual(expense.state, "assigned")
        self.assertEqual(expense.override_kind_id, self.kinds["periodical"])
        self.assertEqual(expense.override_amount, 1200)
        self._call(
            self.accountant, "timebank.grant.expense", "action_unassign", expense.ids
        )
        self.assertFalse(expense.override_reason)
        self.assertFalse(expense.override_kind_id)
        self.assertFalse(expense.override_user_id)
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "write",
            expense.ids,
            {"kind_id": self.kinds["gift"].id},
        )
        with self.assertRaisesRegex(Fault, r"Souvenirs and gifts is not eligible"):
            self._call(
                self.accountant, "timebank.grant.expense", "action_assign", expense.ids
            )
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "write",
            expense.ids,
            {"kind_id": self.kinds["periodical"].id},
        )
        with self.assertRaisesRegex(Fault, r"Periodicals is not eligible"):
            self._call(
                self.accountant, "timebank.grant.expense", "action_assign", expense.ids
            )
        self.assertEqual(expense.state, "new")

    def test_an_override_left_from_before_covers_its_kind_and_subsidy_only(self):
        """Overrides recorded by earlier versions stay with an expenditure
        that was unassigned; they cover what they were given for."""
        expense = self.expense.with_user(self.accountant)
        expense.sudo()._guarded_write(
            {
                "override_reason": "The funder's own gazette.",
                "override_user_id": self.grant_manager.id,
                "override_kind_id": self.kinds["periodical"].id,
                "override_amount": 1200,
            }
        )
        expense.subsidy_amount = 1100
        with self.assertRaisesRegex(
            UserError,
            r"the override was for Periodicals with a subsidy of TWD 1,200, not for "
            r"Periodicals with a subsidy of TWD 1,100",
        ):
            expense.action_assign()
        expense.write({"kind_id": self.kinds["gift"].id, "subsidy_amount": 1200})
        with self.assertRaisesRegex(UserError, r"not for Souvenirs and gifts"):
            expense.action_assign()
        expense.kind_id = self.kinds["periodical"]
        expense.action_assign()
        self.assertEqual(expense.state, "assigned")
