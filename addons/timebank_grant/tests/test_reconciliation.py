from xmlrpc.client import Fault

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .ledger_common import LedgerHttpCase


@tagged("post_install", "-at_install")
class TestReconciliation(LedgerHttpCase):
    """A year of a dollar grant as the general ledger books it: bills with
    split distributions and a non-deductible VAT, a TWD bill paid at another
    rate, a credit note, a draft bill, a cancelled bill and a trip the funder
    does not pay for. The reconciliation explains every difference to the
    cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._usd_grant(running=True)
        cls.account = account = cls.grant.analytic_account_id
        cls.other = other = cls.env["account.analytic.account"].create(
            {
                "name": "Other project",
                "plan_id": account.plan_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.activities, cls.printing, cls.fee = cls.grant.line_ids
        kinds = {kind.name: kind for kind in cls.usd_program.kind_ids}
        cls.hall = cls._move(
            [("Training hall", 2037.00, {account: 100}, cls.vat_5)],
            date="2026-03-10",
        )
        cls.split = cls._move(
            [
                ("Posters, half", 1234.57, {other: 50, account: 50}),
                ("Room, a third", 100.00, {account: 33.33, other: 66.67}),
                ("Leaflets", 0.07, {account: 100}),
            ],
            date="2026-04-02",
        )
        cls.bus = cls._move(
            [("Bus to the workshop", 32000, {account: 100})],
            date="2026-05-05",
            currency=cls.twd,
        )
        cls.trip = cls._move(
            [("健行旅遊遊覽車", 500, {account: 100})], date="2026-05-12"
        )
        cls.credit_note = cls._move(
            [("Training hall, one session less", 200, {account: 100}, cls.vat_5)],
            date="2026-05-20",
            move_type="in_refund",
        )
        cls.cancelled = cls._move(
            [("Cancelled workshop", 300, {account: 100})], date="2026-06-02"
        )
        cls.draft = cls._move(
            [("Autumn workshop", 3000, {account: 100})], date="2026-06-05", post=False
        )
        cls.expenses = cls._import(cls.grant)
        cls.cancelled.button_draft()
        cls.cancelled.button_cancel()
        cls._pay(cls.bus, "2026-06-15")
        cls.exchange = cls._import(cls.grant)
        cls._receipt(cls.exchange.move_id)
        cls.expenses |= cls.exchange
        by_name = {expense.name: expense for expense in cls.expenses}
        cls.by_name = by_name
        plan = {
            "Training hall": (cls.activities, "Activities"),
            "Posters, half": (cls.printing, "Printing"),
            "Room, a third": (cls.activities, "Activities"),
            "Leaflets": (cls.printing, "Printing"),
            "Bus to the workshop": (cls.activities, "Activities"),
            "Currency exchange rate difference": (cls.activities, "Activities"),
            "健行旅遊遊覽車": (cls.activities, "Trips"),
            "Training hall, one session less": (cls.activities, "Activities"),
        }
        for expense in cls.expenses:
            line, kind = plan.get(expense.name, (cls.activities, "Activities"))
            expense.write({"line_id": line.id, "kind_id": kinds[kind].id})
        cls.vat = cls.expenses.filtered(
            lambda e: e.move_line_id.display_type == "tax" and e.move_id == cls.hall
        )
        cls.vat.write({"line_id": cls.activities.id})
        cls.assigned = cls.expenses.filtered(
            lambda e: e.move_id in (cls.hall | cls.split | cls.bus) or e == cls.exchange
        )
        cls.assigned.with_user(cls.accountant).action_assign()

    def _reconcile(self, user=None, date_from="2026-01-01", date_to="2026-12-31"):
        return (
            self.env["timebank.grant.reconciliation"]
            .with_user(user or self.accountant)
            .create(
                {
                    "grant_id": self.grant.id,
                    "date_from": date_from,
                    "date_to": date_to,
                }
            )
        )

    def _by_category(self, wizard):
        totals = {}
        for line in wizard.line_ids:
            ledger, held = totals.get(line.category, (0.0, 0.0))
            totals[line.category] = (
                self.usd.round(ledger + line.ledger_amount),
                self.usd.round(held + line.grant_amount),
            )
        return totals

    def test_the_year_reconciles_to_the_cent(self):
        wizard = self._reconcile()
        ledger = self._ledger_total(self.account)
        self.assertEqual(wizard.ledger_total, ledger)
        self.assertEqual(wizard.grant_total, sum(self.expenses.mapped("amount")))
        # 2037 + 5% VAT, half of 1234.57, a third of 100, 0.07, 32,000 TWD at
        # 32, the trip, less the credit note of 200 + 5%
        self.assertEqual(ledger, 2138.85 + 617.29 + 33.33 + 0.07 + 1000 + 500 - 210)
        self.assertEqual(
            self._by_category(wizard),
            {
                "assigned": (2037 + 617.29 + 33.33 + 0.07 + 1000, 3687.69),
                "tax": (101.85, 101.85),
                # the credit note and its VAT
                "refund": (-210, -210),
                "excluded": (500, 500),
                # booked on the bill's date, gone from the ledger once cancelled
                "draft": (0, 300),
                # the loss of paying 32,000 TWD at 30 instead of 32
                "exchange": (0, 66.67),
            },
        )
        self.assertEqual(wizard.difference, self.usd.round(-300 - 66.67))
        self.assertEqual(wizard.explained_total, wizard.difference)
        self.assertEqual(wizard.unexplained_total, 0)
        self.assertEqual(wizard.unexplained_count, 0)
        draft_rows = wizard.line_ids.filtered(lambda line: line.category == "draft")
        self.assertEqual(draft_rows.move_id, self.cancelled | self.draft)
        self.assertEqual(
            draft_rows.filtered(lambda line: line.move_id == self.draft).note,
            "USD 3,000.00 on the analytic account once posted.",
        )

    def test_the_page_is_named_after_the_grant(self):
        wizard = self._reconcile()
        self.assertEqual(
            wizard.display_name, f"Reconciliation: {self.grant.display_name}"
        )

    def test_a_period_reconciles_on_its_own(self):
        wizard = self._reconcile(date_from="2026-04-01", date_to="2026-04-30")
        self.assertEqual(
            wizard.ledger_total,
            self._ledger_total(self.account, "2026-04-01", "2026-04-30"),
        )
        self.assertEqual(wizard.ledger_total, 617.29 + 33.33 + 0.07)
        self.assertEqual(wizard.difference, 0)

    def test_an_item_not_imported_is_unexplained(self):
        self._move([("Late leaflets", 45.45, {self.account: 100})], date="2026-06-20")
        wizard = self._reconcile()
        missing = wizard.line_ids.filtered(lambda line: not line.explained)
        self.assertEqual(missing.mapped("category"), ["missing"])
        self.assertEqual(missing.name, "Late leaflets")
        self.assertEqual(wizard.unexplained_total, 45.45)
        self.assertEqual(
            wizard.difference,
            self.usd.round(wizard.explained_total + wizard.unexplained_total),
        )
        self._import(self.grant)
        wizard.action_refresh()
        self.assertEqual(wizard.unexplained_total, 0)

    def test_an_item_of_no_amount_on_the_grant_needs_nothing(self):
        self._move([("Stamp, a tenth", 0.01, {self.account: 10})], date="2026-06-21")
        self.assertFalse(self._import(self.grant), "nothing of it is the grant's")
        wizard = self._reconcile()
        stamp = wizard.line_ids.filtered(lambda line: line.name == "Stamp, a tenth")
        self.assertEqual((stamp.ledger_amount, stamp.grant_amount), (0, 0))
        self.assertEqual(wizard.unexplained_count, 0)

    def test_an_analytic_entry_changed_by_hand_is_unexplained(self):
        column = self.account.plan_id._column_name()
        entry = self.env["account.analytic.line"].search(
            [(column, "=", self.account.id), ("move_line_id.name", "=", "Leaflets")]
        )
        entry.amount = -0.08
        wizard = self._reconcile()
        changed = wizard.line_ids.filtered(lambda line: not line.explained)
        self.assertEqual(changed.mapped("category"), ["changed"])
        self.assertEqual((changed.ledger_amount, changed.grant_amount), (0.08, 0.07))
        self.assertEqual(wizard.unexplained_total, 0.01)
        self.assertEqual(wizard.ledger_total, self._ledger_total(self.account))

    def test_the_claim_warns_of_an_unassigned_credit_note(self):
        claim = self._claim(self.grant)
        claim.action_collect()
        self.assertIn(
            "Credit note Training hall, one session less of 2026-05-20 (USD -200.00) "
            "is not assigned to a budget line",
            claim.reconciliation_warning,
        )
        self._call(self.accountant, "timebank.grant.claim", "action_submit", claim.ids)
        self.assertEqual(claim.state, "submitted")
        self.assertTrue(
            claim.message_ids.filtered(
                lambda m: "is not assigned to a budget line" in m.body
            )
        )
        self.assertFalse(claim.reconciliation_warning, "a submitted claim is as it is")

    def test_the_claim_refused_by_the_program_setting(self):
        self.usd_program.unexplained_policy = "refuse"
        claim = self._claim(self.grant)
        claim.action_collect()
        with self.assertRaisesRegex(
            Fault,
            r"cannot be submitted while the reconciliation.*Credit note "
            r"Training hall, one session less",
        ):
            self._call(
                self.accountant, "timebank.grant.claim", "action_submit", claim.ids
            )
        self.assertEqual(claim.state, "draft")
        refunds = self.expenses.filtered(lambda e: e.move_id == self.credit_note)
        refunds.with_user(self.accountant).action_assign()
        self.assertFalse(claim.reconciliation_warning)
        claim.action_collect()
        claim.with_user(self.accountant).action_submit()
        self.assertEqual(claim.state, "submitted")
        self.assertEqual(
            claim.amount_total, self.usd.round(3687.69 + 101.85 + 66.67 - 210)
        )

    def test_budget_vs_actual_counts_posted_bills_only(self):
        lines = self.grant.line_ids
        committed = sum(lines.mapped("subsidy_committed"))
        spent = sum(lines.mapped("subsidy_spent"))
        # the bus and its exchange loss are paid; the rest is committed; the
        # draft bill of 3,000 is not
        self.assertEqual(self.usd.round(spent), 1066.67)
        self.assertEqual(self.usd.round(committed), self.usd.round(2138.85 + 650.69))

    def test_closing_refuses_while_anything_is_unexplained(self):
        self.grant.action_closing()
        self._move([("Late leaflets", 45.45, {self.account: 100})], date="2026-06-20")
        with self.assertRaisesRegex(
            Fault,
            r"cannot be closed while the reconciliation.*Not Imported: Late "
            r"leaflets of 2026-06-20, USD 45.45 in the general ledger, USD 0.00 "
            r"on the grant",
        ):
            self._call(
                self.accountant, "timebank.grant", "action_close", self.grant.ids
            )
        with self.assertRaisesRegex(Fault, r"\(state\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                self.grant.ids,
                {"state": "closed"},
            )
        self.assertEqual(self.grant.state, "closing")
        self._import(self.grant)
        self._call(self.accountant, "timebank.grant", "action_close", self.grant.ids)
        self.assertEqual(self.grant.state, "closed")

    def test_accountant_reconciles_over_xmlrpc_and_broker_cannot(self):
        action = self._call(
            self.accountant, "timebank.grant", "action_reconcile", self.grant.ids
        )
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        lines = self._call(
            self.accountant,
            "timebank.grant.reconciliation.line",
            "search_read",
            [("reconciliation_id", "=", wizard.id)],
            ["category", "ledger_amount", "grant_amount"],
        )
        self.assertEqual(
            self.usd.round(sum(line["ledger_amount"] for line in lines)),
            self._ledger_total(self.account),
        )
        with self.assertRaisesRegex(
            Fault, r"not allowed to create 'Grant Reconciliation'"
        ):
            self._call(
                self.broker,
                "timebank.grant.reconciliation",
                "create",
                {
                    "grant_id": self.grant.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-12-31",
                },
            )
        with self.assertRaisesRegex(AccessError, r"Grant Reconciliation"):
            self.env["timebank.grant.reconciliation"].with_user(self.broker).search([])
        with self.assertRaisesRegex(AccessError, r"Grant"):
            self.grant.with_user(self.broker).action_reconcile()

    def test_other_bank_cannot_reconcile_the_grant(self):
        with self.assertRaisesRegex(
            Fault, r"'read' access to:.*Grant \(timebank.grant\)"
        ):
            self._call(
                self.accountant_b,
                "timebank.grant.reconciliation",
                "create",
                {
                    "grant_id": self.grant.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-12-31",
                },
            )
        self.assertFalse(
            self.env["timebank.grant.reconciliation"]
            .with_user(self.accountant_b)
            .search([])
        )

    def test_analytic_entries_of_another_bank_stay_out(self):
        # an analytic account shared by two companies: the other bank's own
        # entries on it are none of this grant's business
        self.account.sudo().company_id = False
        self.env["account.analytic.line"].sudo().create(
            {
                "name": "Bank B's own hall",
                "amount": -99,
                self.account.plan_id._column_name(): self.account.id,
                "company_id": self.company_b.id,
                "date": "2026-06-01",
            }
        )
        wizard = self._reconcile()
        self.assertNotIn("Bank B's own hall", wizard.line_ids.mapped("name"))
        self.assertEqual(wizard.unexplained_count, 0)
