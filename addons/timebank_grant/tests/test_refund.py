import base64
from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestRefund(GrantHttpCase):
    """A credit note takes a bill back: not a bill that a submitted, approved
    or paid claim holds, and a bill taken back was not spent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant([("training", 100000, 0)])
        cls.line = cls.grant.line_ids
        cls.account = cls.grant.analytic_account_id
        cls.bill, cls.expense = cls._assigned_bill(cls.grant, cls.line)
        cls.claim = cls._claim(cls.grant)

    def _reverse(self, method, user=None):
        """The Credit Note (or Reverse) wizard of the bill, over the external API."""
        context = {"active_model": "account.move", "active_ids": self.bill.ids}
        wizard = self._call(
            user or self.accountant,
            "account.move.reversal",
            "create",
            {
                "move_ids": [(6, 0, self.bill.ids)],
                "journal_id": self.bill.journal_id.id,
                "date": "2026-03-20",
                "reason": "Cancelled workshop",
            },
            context=context,
        )
        return self._call(
            user or self.accountant,
            "account.move.reversal",
            method,
            [wizard],
            context=context,
        )

    def _credit_notes(self):
        return self.env["account.move"].search(
            [("reversed_entry_id", "=", self.bill.id)]
        )

    def test_claimed_bill_is_not_refunded(self):
        self.claim.action_collect()
        self.claim.action_submit()
        refusal = (
            rf"grant claim {self.claim.name} \(%s\) holds expenditures of these "
            r"entries, so they cannot be reversed or refunded"
        )
        for method in ("refund_moves", "modify_moves"):
            with self.assertRaisesRegex(Fault, refusal % "Submitted"):
                self._reverse(method)
        self.claim.action_approve()
        with self.assertRaisesRegex(Fault, refusal % "Approved"):
            self._reverse("modify_moves")
        self.claim.action_paid()
        with self.assertRaisesRegex(UserError, refusal % "Paid"):
            self.bill._reverse_moves(
                [{"date": "2026-03-20", "invoice_date": "2026-03-20"}], cancel=True
            )
        self.assertFalse(self._credit_notes())
        self.assertEqual(self.bill.payment_state, "not_paid")
        self.assertEqual(self.claim.amount_total, 6200)

    def test_reversed_bill_is_not_spent(self):
        self.claim.action_collect()
        self._reverse("modify_moves")
        credit_note = self._credit_notes()
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(self.bill.payment_state, "reversed")
        self.assertFalse(self.expense.is_paid)
        self.assertEqual(
            (self.line.subsidy_committed, self.line.subsidy_spent), (6200, 0)
        )
        # the credit note, assigned to the line too, takes the commitment back
        self.env["ir.attachment"].create(
            {
                "name": "credit-note.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 credit note"),
                "res_model": "account.move",
                "res_id": credit_note.id,
            }
        )
        refund = self._import(self.grant)
        self.assertEqual(refund.move_id, credit_note)
        self.assertEqual(refund.amount, -6200)
        self.assertFalse(refund.is_paid)
        refund.write({"line_id": self.line.id, "kind_id": self.kinds["venue"].id})
        self._call(
            self.accountant, "timebank.grant.expense", "action_assign", refund.ids
        )
        self.assertEqual((self.line.subsidy_committed, self.line.subsidy_spent), (0, 0))
        self.assertEqual(self.line.subsidy_remaining, 100000)
