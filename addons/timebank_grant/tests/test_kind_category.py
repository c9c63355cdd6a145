from xmlrpc.client import Fault

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestKindCategory(GrantHttpCase):
    """Kinds of spending belong to the budget categories of the call's
    經費來源 table: the management fee kinds are spent on the fee line only,
    so no fee spending goes past the fee cap on another line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 100000, 0), ("management_fee", 10000, 0)]
        )
        cls.training, cls.fee = cls.grant.line_ids
        cls.account = cls.grant.analytic_account_id

    def _expense(self, label, amount, line, kind):
        self._bill([(label, amount, {self.account: 100})])
        expense = self._import(self.grant)
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "write",
            expense.ids,
            {"line_id": line.id, "kind_id": self.kinds[kind].id},
        )
        return expense

    def test_the_fee_kinds_of_the_call_belong_to_the_fee(self):
        fee = self.kinds["management_fee"]
        for code in ("utilities", "supplies"):
            self.assertEqual(self.kinds[code].category_id, fee)
            self.assertTrue(self.kinds[code].is_management_fee)
        for code in ("printing", "venue", "lecturer"):
            self.assertEqual(self.kinds[code].category_id, self.kinds["training"])

    def test_electricity_is_not_spent_on_the_training_line(self):
        supplies = self._expense("Office supplies", 10000, self.fee, "supplies")
        self._call(
            self.accountant, "timebank.grant.expense", "action_assign", supplies.ids
        )
        self.assertEqual(self.fee.subsidy_remaining, 0)
        electricity = self._expense("電費 3月", 3000, self.training, "utilities")
        with self.assertRaisesRegex(
            Fault,
            r"電費 3月: Utilities, telephone and postage is spent under Project "
            r"management fee, not under Training and activities",
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_assign",
                electricity.ids,
            )
        self.assertEqual(electricity.state, "new")
        self.assertEqual(self.training.subsidy_remaining, 100000)
        # on the fee line it meets the fee cap instead
        electricity.line_id = self.fee
        with self.assertRaisesRegex(
            Fault, r"takes budget line Project management fee over its subsidy budget"
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_assign",
                electricity.ids,
            )

    def test_training_kinds_are_not_spent_on_the_fee_line(self):
        venue = self._expense("Hall for the workshop", 2000, self.fee, "venue")
        with self.assertRaisesRegex(
            Fault,
            r"Venue rental is spent under Training and activities, not under "
            r"Project management fee",
        ):
            self._call(
                self.accountant, "timebank.grant.expense", "action_assign", venue.ids
            )
        venue.line_id = self.training
        self._call(
            self.accountant, "timebank.grant.expense", "action_assign", venue.ids
        )
        self.assertEqual(venue.state, "assigned")

    def test_a_fee_kind_budget_line_counts_toward_the_fee_cap(self):
        grant = self._grant(
            [
                ("training", 100000, 0),
                ("management_fee", 8000, 0),
                ("utilities", 3000, 0),
            ]
        )
        self.assertEqual(grant.fee_amount, 11000)
        self.assertEqual(grant.fee_cap, 10000)

    def test_a_fee_category_kind_counts_toward_the_fee(self):
        kind = self.env["timebank.grant.expense.kind"]
        with self.assertRaisesRegex(
            ValidationError,
            r"Postage belongs to Project management fee, so it counts toward the "
            r"management fee too",
        ):
            kind.create(
                {
                    "name": "Postage",
                    "program_id": self.program.id,
                    "category_id": self.kinds["management_fee"].id,
                }
            )
