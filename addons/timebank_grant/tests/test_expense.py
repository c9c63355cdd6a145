import base64
import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestExpense(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 100000, 20000), ("management_fee", 10000, 0)]
        )
        cls.training_line = cls.grant.line_ids[0]
        cls.account = cls.grant.analytic_account_id
        cls.other_account = cls.env["account.analytic.account"].create(
            {
                "name": "Other project",
                "plan_id": cls.account.plan_id.id,
                "company_id": cls.company.id,
            }
        )

    def _expense(self, amount=1000, kind="printing", receipt=True, **assign):
        self._bill([("Handbooks", amount, {self.account: 100})], receipt=receipt)
        expense = self._import(self.grant)
        self.assertEqual(len(expense), 1)
        expense.write(
            dict(
                {"line_id": self.training_line.id, "kind_id": self.kinds[kind].id},
                **assign,
            )
        )
        return expense

    def test_import_takes_the_grant_share_of_posted_items(self):
        self._bill(
            [
                ("Posters", 3000, {self.account: 60, self.other_account: 40}),
                ("Not ours", 5000, {self.other_account: 100}),
            ]
        )
        draft = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": "2026-03-10",
                "currency_id": self.twd.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Draft",
                            "price_unit": 700,
                            "tax_ids": [],
                            "analytic_distribution": {str(self.account.id): 100},
                        },
                    )
                ],
            }
        )
        self.assertEqual(draft.state, "draft")
        expenses = self._import(self.grant)
        self.assertEqual(expenses.mapped("name"), ["Posters"])
        self.assertEqual(expenses.amount, 1800)
        self.assertEqual(expenses.subsidy_amount, 1800)
        self.assertEqual(expenses.state, "new")
        self.assertFalse(self._import(self.grant), "an item is imported only once")

    def test_assign_eligible_expense(self):
        expense = self._expense(1000, subsidy_amount=800)
        self.assertEqual(expense.self_funded_amount, 200)
        expense.with_user(self.accountant).action_assign()
        self.assertEqual(expense.state, "assigned")
        self.assertEqual(self.training_line.subsidy_committed, 800)
        self.assertEqual(self.training_line.self_funded_committed, 200)
        self.assertEqual(self.training_line.subsidy_remaining, 99200)

    def test_each_excluded_kind_refused_at_assignment(self):
        excluded = self.program.kind_ids.filtered("excluded")
        self.assertEqual(len(excluded), 16)
        self._bill([(kind.name, 100, {self.account: 100}) for kind in excluded])
        expenses = self._import(self.grant)
        for kind, expense in zip(
            excluded, expenses.sorted("move_line_id"), strict=True
        ):
            with self.subTest(kind=kind.name):
                expense.write({"line_id": self.training_line.id, "kind_id": kind.id})
                with self.assertRaisesRegex(
                    UserError,
                    rf"{re.escape(kind.name)} is not eligible under 2026 MOHW",
                ):
                    expense.with_user(self.accountant).action_assign()
                self.assertEqual(expense.state, "new")

    def test_personnel_cost_refused(self):
        expense = self._expense(kind="personnel")
        with self.assertRaisesRegex(
            UserError, r"personnel costs are not eligible under 2026 MOHW"
        ):
            expense.with_user(self.accountant).action_assign()

    def test_expense_without_receipt_refused(self):
        expense = self._expense(receipt=False)
        with self.assertRaisesRegex(UserError, r"no receipt is attached"):
            expense.with_user(self.accountant).action_assign()
        self.env["ir.attachment"].create(
            {
                "name": "receipt.png",
                "datas": base64.b64encode(b"receipt"),
                "res_model": "timebank.grant.expense",
                "res_id": expense.id,
            }
        )
        expense.with_user(self.accountant).action_assign()
        self.assertEqual(expense.state, "assigned")

    def test_expense_over_the_line_budget_refused(self):
        first = self._expense(99000)
        first.with_user(self.accountant).action_assign()
        second = self._expense(1001)
        with self.assertRaisesRegex(
            UserError,
            r"takes budget line Training and activities over its subsidy budget "
            r"of TWD 100,000 by TWD 1",
        ):
            second.with_user(self.accountant).action_assign()
        second.subsidy_amount = 1000
        second.with_user(self.accountant).action_assign()
        self.assertEqual(self.training_line.subsidy_remaining, 0)
        self.assertEqual(self.training_line.self_funded_committed, 1)

    def test_manager_overrides_exclusion_with_reason(self):
        expense = self._expense(kind="periodical")
        wizard = (
            self.env["timebank.grant.override.wizard"]
            .with_user(self.grant_manager)
            .with_context(active_ids=expense.ids)
            .create({"reason": "Subscription to the ministry's own gazette."})
        )
        wizard.action_confirm()
        self.assertEqual(expense.state, "assigned")
        self.assertEqual(
            expense.override_reason, "Subscription to the ministry's own gazette."
        )
        self.assertEqual(expense.override_user_id, self.grant_manager)
        self.assertTrue(expense.override_date)
        for record in (expense, self.grant):
            self.assertIn(
                "Subscription to the ministry's own gazette.",
                record.message_ids[0].body,
            )

    def test_override_needs_a_manager_and_a_reason(self):
        expense = self._expense(kind="gift")
        with self.assertRaisesRegex(AccessError, r"Only a grant manager"):
            expense.with_user(self.accountant)._override_exclusion("Because.")
        with self.assertRaisesRegex(
            UserError, r"\(override_reason\) cannot be written"
        ):
            expense.with_user(self.accountant).write({"override_reason": "Because."})
        with self.assertRaisesRegex(UserError, r"Write the reason"):
            expense.with_user(self.grant_manager)._override_exclusion("  ")
        self.assertEqual(expense.state, "new")

    def test_override_does_not_lift_personnel_or_receipt_rules(self):
        expense = self._expense(kind="personnel", receipt=False)
        with self.assertRaisesRegex(UserError, r"personnel costs.*\n.*no receipt"):
            expense.with_user(self.grant_manager)._override_exclusion("Urgent.")

    def test_assigned_expense_locked_until_unassigned(self):
        expense = self._expense()
        expense.with_user(self.accountant).action_assign()
        with self.assertRaisesRegex(UserError, r"Unassign the expenditure"):
            expense.with_user(self.accountant).subsidy_amount = 10
        expense.with_user(self.accountant).action_unassign()
        expense.with_user(self.accountant).subsidy_amount = 10
        self.assertEqual(expense.self_funded_amount, 990)

    def test_expense_of_an_entry_reset_to_draft_refused(self):
        expense = self._expense()
        expense.move_id.button_draft()
        with self.assertRaisesRegex(UserError, r"journal entry is not posted any more"):
            expense.with_user(self.accountant).action_assign()
