from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestClaim(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.company.currency_id
        cls.cents_program = cls.env["timebank.grant.program"].create(
            {
                "name": "City neighbourhood fund",
                "year": 2026,
                "currency_id": cls.usd.id,
                "max_per_case": 50000,
                "fee_rate": 10,
                "kind_ids": [
                    Command.create({"name": "Activities"}),
                    Command.create({"name": "Printing"}),
                    Command.create({"name": "Fee", "is_management_fee": True}),
                ],
            }
        )
        cls.grant = cls._running_grant(
            [("Activities", 10000, 2000), ("Printing", 3000, 0), ("Fee", 1000, 0)],
            program=cls.cents_program,
        )
        cls.account = cls.grant.analytic_account_id
        activities, printing, _fee = cls.grant.line_ids
        bill = cls._bill(
            [
                ("Workshop snacks", 10.01, {cls.account: 100}),
                ("Room, a third on the grant", 100.00, {cls.account: 33.33}),
                ("Leaflets", 0.07, {cls.account: 100}),
                ("Posters", 1234.56, {cls.account: 50}),
                ("June workshop", 20.02, {cls.account: 100}),
            ],
            currency=cls.usd,
        )
        late = cls._bill(
            [("July workshop", 55.55, {cls.account: 100})],
            date="2026-07-02",
            currency=cls.usd,
        )
        cls.expenses = cls._import(cls.grant)
        by_name = {expense.name: expense for expense in cls.expenses}
        plan = {
            "Workshop snacks": (activities, 10.01),
            "Room, a third on the grant": (activities, 20.00),
            "Leaflets": (printing, 0.07),
            "Posters": (printing, 617.28),
            "June workshop": (activities, 0.01),
            "July workshop": (activities, 55.55),
        }
        for name, (line, subsidy) in plan.items():
            by_name[name].write(
                {
                    "line_id": line.id,
                    "kind_id": line.kind_id.id,
                    "subsidy_amount": subsidy,
                }
            )
        cls.expenses.with_user(cls.accountant).action_assign()
        cls.bill, cls.late = bill, late
        cls.by_name = by_name
        cls.activities, cls.printing = activities, printing

    def _claim(self):
        return (
            self.env["timebank.grant.claim"]
            .with_user(self.accountant)
            .create(
                {
                    "grant_id": self.grant.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-06-30",
                }
            )
        )

    def test_shares_are_currency_rounded(self):
        self.assertEqual(self.by_name["Room, a third on the grant"].amount, 33.33)
        self.assertEqual(self.by_name["Posters"].amount, 617.28)

    def test_claim_totals_equal_the_sum_of_its_expenses_to_the_cent(self):
        claim = self._claim()
        claim.action_collect()
        in_period = self.expenses - self.by_name["July workshop"]
        self.assertEqual(claim.expense_ids, in_period)
        self.assertEqual(claim.amount_subsidy, 647.37)
        self.assertEqual(claim.amount_self_funded, 33.34)
        self.assertEqual(claim.amount_total, 680.71)
        self.assertEqual(
            self.usd.compare_amounts(
                claim.amount_total, sum(in_period.mapped("amount"))
            ),
            0,
        )
        rows = claim._totals_by_line()
        self.assertEqual(
            [(line, subsidy, self_funded) for line, subsidy, self_funded, _t in rows],
            [(self.activities, 30.02, 33.34), (self.printing, 617.35, 0.0)],
        )
        self.assertEqual(
            self.usd.round(sum(row[3] for row in rows)), claim.amount_total
        )
        self.assertEqual(len(claim.receipt_ids), 1, "the bill's receipt")

    def test_claim_workflow(self):
        claim = self._claim()
        self.assertTrue(claim.name.startswith("CLAIM/"))
        with self.assertRaisesRegex(UserError, r"have no expenditures"):
            claim.action_submit()
        claim.action_collect()
        claim.action_submit()
        with self.assertRaisesRegex(UserError, r"belong to a submitted claim"):
            claim.expense_ids[0].with_user(self.accountant).action_unassign()
        with self.assertRaisesRegex(UserError, r"not at the right stage"):
            claim.action_paid()
        claim.action_approve()
        claim.action_paid()
        self.assertEqual(claim.state, "paid")
        second = self._claim()
        second.action_collect()
        self.assertFalse(second.expense_ids, "an expenditure is claimed once")
        with self.assertRaisesRegex(UserError, r"Only a draft claim"):
            claim.unlink()

    def test_grant_closes_only_with_paid_claims(self):
        claim = self._claim()
        claim.action_collect()
        self.grant.action_closing()
        with self.assertRaisesRegex(UserError, r"are not paid yet"):
            self.grant.action_close()
        claim.action_submit()
        claim.action_approve()
        claim.action_paid()
        self.grant.action_close()
        self.assertEqual(self.grant.state, "closed")

    def test_claim_refuses_an_entry_reset_to_draft(self):
        claim = self._claim()
        claim.action_collect()
        with self.assertRaisesRegex(UserError, r"are assigned to budget lines"):
            self.bill.button_draft()
        # as an earlier version let the entry go back to draft
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET state = 'draft' WHERE id = %s", [self.bill.id]
        )
        self.env.cr.execute(
            "UPDATE account_move_line SET parent_state = 'draft' WHERE move_id = %s",
            [self.bill.id],
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, r"journal entries are not posted"):
            claim.action_submit()
