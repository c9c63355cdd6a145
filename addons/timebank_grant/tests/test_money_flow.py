from xmlrpc.client import Fault

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .ledger_common import LedgerHttpCase


@tagged("post_install", "-at_install")
class TestMoneyFlow(LedgerHttpCase):
    """The funder's money: awarded, received once the grant is approved,
    spent, and what is left repaid at closing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._usd_grant()
        cls.account = cls.grant.analytic_account_id

    def _disburse(self, amount, kind="received", user=None, **vals):
        return self._call(
            user or self.accountant,
            "timebank.grant.disbursement",
            "create",
            dict(
                {
                    "grant_id": self.grant.id,
                    "kind": kind,
                    "amount": amount,
                    "date": "2026-02-01",
                },
                **vals,
            ),
        )

    def _start(self):
        self.grant.action_approve()
        self.grant.action_start()

    def test_received_after_approval_only(self):
        with self.assertRaisesRegex(
            Fault, r"the funder's money is recorded once the grant is approved"
        ):
            self._disburse(10000)
        self.assertFalse(self.grant.disbursement_ids)
        self.grant.action_approve()
        self._disburse(10000)
        self.assertEqual(self.grant.amount_received, 10000)
        with self.assertRaisesRegex(
            Fault, r"the funder's money is recorded on them; they stay approved"
        ):
            self._call(
                self.accountant, "timebank.grant", "action_draft", self.grant.ids
            )
        self.assertEqual(self.grant.state, "approved")

    def test_not_more_than_awarded_nor_repaid_more_than_received(self):
        self._start()
        self.assertEqual(self.grant.subsidy_total, 27000)
        self._disburse(20000)
        with self.assertRaisesRegex(
            Fault,
            r"USD 27,000.01 received is more than the approved subsidy of "
            r"USD 27,000.00",
        ):
            self._disburse(7000.01)
        disbursement = self.grant.disbursement_ids
        with self.assertRaisesRegex(Fault, r"more than the approved subsidy"):
            self._call(
                self.accountant,
                "timebank.grant.disbursement",
                "write",
                disbursement.ids,
                {"amount": 27000.01},
            )
        with self.assertRaisesRegex(
            Fault, r"USD 20,000.01 repaid is more than the USD 20,000.00 received"
        ):
            self._disburse(20000.01, kind="repaid")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(Fault, r"a positive amount"),
        ):
            self._disburse(-5)

    def test_deleting_what_was_received_keeps_repaid_within_received(self):
        self._start()
        received = self._disburse(1000)
        self._disburse(200, kind="repaid")
        with self.assertRaisesRegex(
            Fault, r"USD 200.00 repaid is more than the USD 0.00 received"
        ):
            self._call(
                self.accountant, "timebank.grant.disbursement", "unlink", [received]
            )
        self.assertEqual(self.grant.amount_received, 1000)

    def test_only_an_approved_claim_of_the_grant(self):
        self._start()
        claim = self._claim(self.grant)
        with self.assertRaisesRegex(
            Fault, rf"Claim {claim.name} is not an approved claim of Time bank grant"
        ):
            self._disburse(1000, claim_id=claim.id)

    def test_spent_and_repaid_at_closing(self):
        self._start()
        self._disburse(10000)
        bill = self._move([("Training hall", 1000, {self.account: 100})])
        expense = self._import(self.grant)
        expense.write(
            {
                "line_id": self.grant.line_ids[0].id,
                "kind_id": self.grant.line_ids[0].kind_id.id,
                "subsidy_amount": 800,
            }
        )
        expense.with_user(self.accountant).action_assign()
        self.assertEqual(self.grant.amount_spent, 0, "committed, not spent")
        self._pay(bill, "2026-03-20")
        self.assertEqual(self.grant.amount_spent, 800)
        self.assertEqual(self.grant.amount_to_repay, 9200)
        self.grant.action_closing()
        repayment = self._disburse(9200, kind="repaid")
        self.assertEqual(self.grant.amount_repaid, 9200)
        self.assertEqual(self.grant.amount_to_repay, 0)
        self._call(self.accountant, "timebank.grant", "action_close", self.grant.ids)
        self.assertEqual(self.grant.state, "closed")
        refusal = r"the funder's money of a closed grant stays as it was recorded"
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "timebank.grant.disbursement",
                "write",
                [repayment],
                {"amount": 1},
            )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant, "timebank.grant.disbursement", "unlink", [repayment]
            )
        with self.assertRaisesRegex(Fault, r"once the grant is approved"):
            self._disburse(1)

    def test_broker_and_other_bank_cannot_see_it(self):
        self._start()
        self._disburse(10000)
        disbursement = self.grant.disbursement_ids
        with self.assertRaisesRegex(
            Fault, r"not allowed to access 'Grant Disbursement'"
        ):
            self._call(
                self.broker,
                "timebank.grant.disbursement",
                "read",
                disbursement.ids,
                ["amount"],
            )
        with self.assertRaisesRegex(AccessError, r"Grant Disbursement"):
            disbursement.with_user(self.broker).read(["amount"])
        with self.assertRaisesRegex(Fault, r"'read' access to:.*Grant Disbursement"):
            self._call(
                self.accountant_b,
                "timebank.grant.disbursement",
                "read",
                disbursement.ids,
                ["amount"],
            )
        with self.assertRaisesRegex(ValidationError, r"once the grant is approved"):
            self.env["timebank.grant.disbursement"].create(
                {
                    "grant_id": self._grant(
                        [("Activities", 1000, 0)], program=self.usd_program
                    ).id,
                    "amount": 1,
                }
            )
