from odoo.tests import tagged

from .ledger_common import LedgerCase


@tagged("post_install", "-at_install")
class TestLedgerImport(LedgerCase):
    """Import Expenditures takes what the general ledger books on the
    grant's analytic account, amount for amount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._usd_grant(running=True)
        cls.account = cls.grant.analytic_account_id
        cls.other_account = cls.env["account.analytic.account"].create(
            {
                "name": "Other project",
                "plan_id": cls.account.plan_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.activities = cls.grant.line_ids[0]

    def test_non_deductible_vat_on_the_analytic_account_is_imported(self):
        bill = self._move([("Training hall", 2037.00, {self.account: 100}, self.vat_5)])
        tax_line = bill.line_ids.filtered(lambda line: line.display_type == "tax")
        self.assertEqual(tax_line.balance, 101.85)
        self.assertTrue(tax_line.analytic_distribution)
        expenses = self._import(self.grant)
        self.assertEqual(
            expenses.move_line_id, bill.line_ids.filtered("analytic_distribution")
        )
        self.assertEqual(sum(expenses.mapped("amount")), 2138.85)
        self.assertEqual(
            sum(expenses.mapped("amount")), self._ledger_total(self.account)
        )

    def test_share_of_a_foreign_item_is_converted_once_and_rounded_once(self):
        """A TWD grant's half of a USD item: 100.25 USD at 32 is 3,208 TWD,
        half of it 1,604; converted (3,208), split (1,604) and rounded once,
        not rounded to the dollar first."""
        twd_grant = self._running_grant([("training", 100000, 0)])
        account = twd_grant.analytic_account_id
        self._move(
            [
                ("Projector, half", 100.27, {self.other_account: 50, account: 50}),
                ("Cables, a third", 10.01, {account: 33.33, self.other_account: 66.67}),
            ]
        )
        expenses = self._import(twd_grant)
        rate = self.twd.rate_ids.filtered(lambda r: str(r.name) == "2026-01-01").rate
        self.assertEqual(
            sorted(expenses.mapped("amount")),
            sorted(
                [
                    self.twd.round(100.27 * rate * 50 / 100),
                    self.twd.round(10.01 * rate * 33.33 / 100),
                ]
            ),
        )
        self.assertEqual(sorted(expenses.mapped("amount")), [107, 1604])

    def test_share_in_the_company_currency_is_the_analytic_ledger_amount(self):
        self._move(
            [
                ("Room, a third on the grant", 100.00, {self.account: 33.33}),
                ("Posters", 1234.57, {self.other_account: 50, self.account: 50}),
                ("Leaflets", 0.07, {self.account: 100}),
            ]
        )
        expenses = self._import(self.grant)
        self.assertEqual(
            sum(expenses.mapped("amount")), self._ledger_total(self.account)
        )

    def test_realised_exchange_difference_of_a_paid_bill_is_imported(self):
        """A TWD bill of a dollar grant: 32,000 TWD is 1,000 USD on the bill
        in March, 1,066.67 USD when it is paid in June at 30: the grant spent
        66.67 USD more, which Odoo books as an exchange loss."""
        bill = self._move(
            [("Bus to the workshop", 32000, {self.account: 100})],
            currency=self.twd,
        )
        bill_expense = self._import(self.grant)
        self.assertEqual(bill_expense.amount, 1000)
        self._pay(bill, "2026-06-15")
        self.assertEqual(bill.payment_state, "paid")
        exchange = self._import(self.grant)
        self.assertEqual(len(exchange), 1)
        self.assertEqual(exchange.amount, 66.67)
        self.assertEqual(
            exchange.move_id, bill.line_ids.matched_debit_ids.exchange_move_id
        )
        self.assertEqual(exchange.date.month, 6)
        self.assertTrue(exchange.is_paid)
        # a bill half on the grant: half of its exchange loss
        half = self._move(
            [
                ("Hall, half", 32000, {self.account: 50, self.other_account: 50}),
                ("Not ours", 16000, {self.other_account: 100}),
            ],
            currency=self.twd,
        )
        self.assertEqual(self._import(self.grant).amount, 500)
        self._pay(half, "2026-06-15")
        self.assertEqual(self._import(self.grant).amount, 33.33)

    def test_draft_bill_is_not_committed(self):
        bill = self._move([("Posters", 3000, {self.account: 100})])
        expense = self._import(self.grant)
        expense.write(
            {
                "line_id": self.activities.id,
                "kind_id": self.activities.kind_id.id,
            }
        )
        expense.with_user(self.accountant).action_assign()
        self.assertEqual(self.activities.subsidy_committed, 3000)
        expense.with_user(self.accountant).action_unassign()
        bill.button_draft()
        self.assertEqual(expense.parent_state, "draft")
        self.assertEqual(self.activities.subsidy_committed, 0)
        self.assertEqual(self.grant._budget_rows()[1]["subsidy_committed"], 0)
