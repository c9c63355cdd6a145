import base64
from xmlrpc.client import Fault

from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestAssigned(GrantHttpCase):
    """An assigned expenditure keeps the journal item Assign checked: the bill
    is not reset to draft or changed until the expenditure is unassigned, and
    a claim checks again, at Submit and at Approve, what Assign checked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant([("training", 6200, 0)])
        cls.line = cls.grant.line_ids
        cls.account = cls.grant.analytic_account_id
        cls.bill, cls.expense = cls._assigned_bill(cls.grant, cls.line)
        cls.item = cls.expense.move_line_id
        cls.receipt = cls.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", cls.bill.id)]
        )
        cls.claim = cls._claim(cls.grant)
        cls.claim.action_collect()

    def _attach_receipt(self):
        self.env["ir.attachment"].create(
            {
                "name": "receipt.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 receipt"),
                "res_model": "account.move",
                "res_id": self.bill.id,
            }
        )

    def _as_an_earlier_version_left_it(self, query, *params):
        """Data that an earlier version let through (a bill reset to draft,
        raised and posted again under an assigned expenditure, a budget line
        lowered under it), as it may still be in a database."""
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def test_bill_of_an_assigned_expenditure_stays_as_assigned(self):
        refusal = (
            r"Training day are assigned to budget lines of Time bank grant: "
            r"unassign them \(Unassign\) before resetting their journal entries "
            r"to draft or changing or deleting their journal items"
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
                "account.move.line",
                "write",
                self.item.ids,
                {"analytic_distribution": {str(self.account.id): 50}},
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
                "account.move",
                "write",
                self.bill.ids,
                {"date": "2026-07-10"},
            )
        self.assertEqual(self.bill.state, "posted")
        self.assertEqual(self.expense.date.isoformat(), "2026-03-10")
        self.assertEqual(self.item.price_unit, 6200)
        self.assertEqual(self.expense.amount, 6200)
        self.assertEqual(self.expense.state, "assigned")
        # what Assign did not check stays free, and so does writing the same
        self._call(
            self.accountant,
            "account.move.line",
            "write",
            self.item.ids,
            {
                "name": "Training day, March",
                "analytic_distribution": {str(self.account.id): 100},
            },
        )
        self.assertEqual(self.expense.name, "Training day, March")

    def test_unassigned_the_bill_is_corrected_and_assign_checks_again(self):
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "action_unassign",
            self.expense.ids,
        )
        self.assertFalse(self.expense.claim_id)
        self._call(self.accountant, "account.move", "button_draft", self.bill.ids)
        self._call(
            self.accountant,
            "account.move",
            "write",
            self.bill.ids,
            {"invoice_line_ids": [(1, self.item.id, {"price_unit": 6600})]},
        )
        self._call(self.accountant, "account.move", "action_post", self.bill.ids)
        self.assertEqual(self.expense.amount, 6600)
        with self.assertRaisesRegex(
            Fault,
            r"takes budget line Training and activities over its subsidy budget of "
            r"TWD 6,200 by TWD 400",
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_assign",
                self.expense.ids,
            )
        self.assertEqual(self.expense.state, "new")

    def test_submit_checks_again_what_assign_checked(self):
        claim = self.claim
        venue = self.kinds["venue"]
        # the program's administrator excludes the kind after the assignment
        venue.sudo().excluded = True
        with self.assertRaisesRegex(
            Fault, r"Training day: Venue rental is not eligible under 2026 MOHW"
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_submit", claim.ids
            )
        venue.sudo().excluded = False
        self._call(self.accountant, "ir.attachment", "unlink", self.receipt.ids)
        with self.assertRaisesRegex(
            Fault, r"Training day: no receipt is attached to the bill"
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_submit", claim.ids
            )
        self._attach_receipt()
        self._as_an_earlier_version_left_it(
            "UPDATE timebank_grant_expense SET amount = 6600, subsidy_amount = 6600 "
            "WHERE id = %s",
            self.expense.id,
        )
        with self.assertRaisesRegex(
            Fault,
            r"Training day takes budget line Training and activities over its "
            r"subsidy budget of TWD 6,200 by TWD 400",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_submit", claim.ids
            )
        self.assertEqual(claim.state, "draft")
        self._as_an_earlier_version_left_it(
            "UPDATE timebank_grant_expense SET amount = 6200, subsidy_amount = 6200 "
            "WHERE id = %s",
            self.expense.id,
        )
        self._call(self.accountant, "timebank.grant.claim", "action_submit", claim.ids)
        self.assertEqual(claim.state, "submitted")

    def test_approve_checks_again_what_assign_checked(self):
        claim = self.claim
        self._call(self.accountant, "timebank.grant.claim", "action_submit", claim.ids)
        self._call(self.accountant, "ir.attachment", "unlink", self.receipt.ids)
        with self.assertRaisesRegex(
            Fault,
            r"The claim cannot be approved:\\n.*Training day: no receipt is attached",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_approve", claim.ids
            )
        self._attach_receipt()
        self._as_an_earlier_version_left_it(
            "UPDATE timebank_grant_line SET subsidy_amount = 6000 WHERE id = %s",
            self.line.id,
        )
        with self.assertRaisesRegex(
            Fault,
            r"The claim cannot be approved:\\n.*Training day takes budget line "
            r"Training and activities over its subsidy budget of TWD 6,000 by TWD 200",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_approve", claim.ids
            )
        self.assertEqual(claim.state, "submitted")
