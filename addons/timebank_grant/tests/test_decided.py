from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestDecided(GrantHttpCase):
    """A submitted claim keeps the expenditures and amounts it was submitted
    with: nothing takes them out, and their journal items stay as they were
    while the claim is submitted, approved or paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 100000, 0), ("management_fee", 10000, 0)]
        )
        cls.line = cls.grant.line_ids[0]
        cls.account = cls.grant.analytic_account_id
        cls.bill, cls.expense = cls._assigned_bill(cls.grant, cls.line)
        cls.claim = cls._claim(cls.grant)
        cls.claim.action_collect()
        cls.item = cls.expense.move_line_id

    def _submitted(self):
        self.claim.action_submit()
        return self.claim

    def test_submitted_claim_snapshots_its_expenditures(self):
        claim = self._submitted()
        self.assertEqual(claim.line_ids.expense_id, self.expense)
        self.assertEqual(
            claim.line_ids.read(["amount", "subsidy_amount", "self_funded_amount"])[0]
            | {"id": 0},
            {"id": 0, "amount": 6200, "subsidy_amount": 6200, "self_funded_amount": 0},
        )
        self.assertEqual(claim.line_ids.move_line_id, self.item)
        self.assertEqual(claim.amount_total, 6200)
        self.assertEqual(claim._totals_by_line(), [(self.line, 6200, 0, 6200)])
        claim.action_draft()
        self.assertFalse(claim.line_ids, "back to draft, the claim follows its items")
        self.assertEqual(claim.expense_ids, self.expense)
        self.assertEqual(claim.amount_total, 6200)

    def test_submitted_claim_keeps_its_expenditures(self):
        claim = self._submitted()
        expense = self.expense
        with self.assertRaisesRegex(Fault, r"\(claim_id\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "write",
                expense.ids,
                {"claim_id": False},
            )
        with self.assertRaisesRegex(Fault, r"\(state\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "write",
                expense.ids,
                {"state": "new"},
            )
        with self.assertRaisesRegex(Fault, r"belong to a submitted claim"):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_unassign",
                expense.ids,
            )
        with self.assertRaisesRegex(
            Fault,
            rf"belong to claim {claim.name} \(Submitted\): they stay in the claim "
            r"as it was submitted",
        ):
            self._call(self.accountant, "timebank.grant.expense", "unlink", expense.ids)
        with self.assertRaisesRegex(
            Fault, rf"Claims {claim.name} keep the grant and period"
        ):
            self._call(
                self.accountant,
                "timebank.grant.claim",
                "write",
                claim.ids,
                {"date_to": "2026-03-01"},
            )
        self.assertEqual(claim.expense_ids, expense)
        self.assertEqual(expense.state, "assigned")
        self.assertEqual(claim.date_to.isoformat(), "2026-06-30")

    def test_assigned_expenditure_is_not_deleted(self):
        with self.assertRaisesRegex(
            Fault, r"are assigned: unassign them before deleting them"
        ):
            self._call(
                self.accountant, "timebank.grant.expense", "unlink", self.expense.ids
            )
        self.assertTrue(self.expense.exists())

    def test_submit_checks_the_claim_period(self):
        self._call(
            self.accountant,
            "timebank.grant.claim",
            "write",
            self.claim.ids,
            {"date_to": "2026-02-28"},
        )
        with self.assertRaisesRegex(
            Fault,
            r"are not expenditures of Time bank grant from 2026-01-01 to 2026-02-28: "
            r"collect the claim again",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_submit", self.claim.ids
            )
        self.assertEqual(self.claim.state, "draft")

    def test_claim_lines_are_never_written(self):
        claim = self._submitted()
        with self.assertRaisesRegex(
            Fault, r"\(subsidy_amount\) cannot be written\. A claim records them"
        ):
            self._call(
                self.accountant,
                "timebank.grant.claim.line",
                "write",
                claim.line_ids.ids,
                {"subsidy_amount": 6600},
            )
        with self.assertRaisesRegex(
            Fault, r"You are not allowed to delete 'Grant Claim Line'"
        ):
            self._call(
                self.accountant,
                "timebank.grant.claim.line",
                "unlink",
                claim.line_ids.ids,
            )
        with self.assertRaisesRegex(
            UserError, r"A claim keeps the expenditures it was submitted with"
        ):
            claim.line_ids.sudo().unlink()
        self.assertEqual(claim.amount_total, 6200)

    def test_approved_claim_total_cannot_move_through_its_bill(self):
        claim = self._submitted()
        claim.action_approve()
        refusal = (
            rf"grant claim {claim.name} \(Approved\) holds expenditures of these "
            r"journal items, so they cannot be reset to draft, edited or deleted"
        )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(self.accountant, "account.move", "button_draft", self.bill.ids)
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "account.move",
                "write",
                self.bill.ids,
                {"state": "draft"},
            )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "account.move",
                "write",
                self.bill.ids,
                {"invoice_line_ids": [(1, self.item.id, {"price_unit": 6600})]},
                context={"skip_readonly_check": True},
            )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "account.move.line",
                "write",
                self.item.ids,
                {"analytic_distribution": {str(self.account.id): 50}},
            )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "account.move.line",
                "unlink",
                self.item.ids,
                context={"force_delete": True},
            )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "account.move",
                "unlink",
                self.bill.ids,
                context={"force_delete": True},
            )
        self.assertEqual(self.bill.state, "posted")
        self.assertEqual(self.item.price_unit, 6200)
        self.assertEqual(self.expense.amount, 6200)
        self.assertEqual(claim.amount_total, 6200)
        # paying the bill touches none of what the claim holds
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.bill.ids
        ).create({})._create_payments()
        self.assertEqual(
            self.bill.payment_state, self.bill._get_invoice_in_payment_state()
        )
        claim.action_paid()
        with self.assertRaisesRegex(UserError, rf"{claim.name} \(Paid\) holds"):
            self.bill.button_draft()

    def test_a_draft_claim_leaves_its_bill_free_once_unassigned(self):
        with self.assertRaisesRegex(
            UserError, r"Training day are assigned to budget lines of Time bank grant"
        ):
            self.bill.button_draft()
        self.expense.with_user(self.accountant).action_unassign()
        self.assertFalse(self.claim.expense_ids)
        self.bill.button_draft()
        self.assertEqual(self.bill.state, "draft")

    def _set_bill_state(self, state):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET state = %s WHERE id = %s", [state, self.bill.id]
        )
        self.env.cr.execute(
            "UPDATE account_move_line SET parent_state = %s WHERE move_id = %s",
            [state, self.bill.id],
        )

    def test_approval_checks_again_what_submit_checked(self):
        """Data changed behind the product's back (an older version, a script
        in the database) is caught when the funder's approval is recorded."""
        claim = self._submitted()
        self._set_bill_state("draft")
        self.env.invalidate_all()
        with self.assertRaisesRegex(
            Fault,
            r"The claim cannot be approved:\\n.*are not assigned to a budget line or "
            r"their journal entries are not posted",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_approve", claim.ids
            )
        self._set_bill_state("posted")
        self.env.cr.execute(
            "UPDATE timebank_grant_expense SET subsidy_amount = 6000, "
            "self_funded_amount = 200 WHERE id = %s",
            [self.expense.id],
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(
            Fault,
            rf"are not as they were when claim {claim.name} was submitted",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_approve", claim.ids
            )
        self.env.cr.execute(
            "UPDATE timebank_grant_expense SET state = 'new', subsidy_amount = 6200, "
            "self_funded_amount = 0 WHERE id = %s",
            [self.expense.id],
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(Fault, r"are not assigned to a budget line"):
            self._call(
                self.accountant, "timebank.grant.claim", "action_approve", claim.ids
            )
        self.assertEqual(claim.state, "submitted")
