from xmlrpc.client import Fault

from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestGuardedStates(GrantHttpCase):
    """States and what the actions set move only through the actions, over
    the external API too, for the accountant (Invoicing and Grant User) and
    the grant manager alike."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 100000, 0), ("management_fee", 10000, 0)]
        )
        cls.line = cls.grant.line_ids[0]
        account = cls.grant.analytic_account_id
        cls.bill = cls._bill(
            [
                ("Handbooks", 1000, {account: 100}),
                ("Raffle prizes", 500, {account: 100}),
            ]
        )
        expenses = cls._import(cls.grant)
        cls.handbooks = expenses.filtered(lambda e: e.name == "Handbooks")
        cls.prizes = expenses - cls.handbooks
        cls.handbooks.write(
            {"line_id": cls.line.id, "kind_id": cls.kinds["printing"].id}
        )
        cls.prizes.write({"line_id": cls.line.id, "kind_id": cls.kinds["prize"].id})
        cls.handbooks.with_user(cls.accountant).action_assign()
        cls.claim = cls._claim(cls.grant)
        cls.claim.action_collect()

    def test_excluded_expense_is_not_assigned_by_writing_its_state(self):
        with self.assertRaisesRegex(
            Fault,
            r"Grant Expenditure: .* \(state\) cannot be written\. Expenditures come "
            r"in with Import Expenditures and move with their buttons \(Assign, "
            r"Override Exclusion, Unassign\)",
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "write",
                self.prizes.ids,
                {"state": "assigned"},
            )
        self.assertEqual(self.prizes.state, "new")
        with self.assertRaisesRegex(Fault, r"Prizes is not eligible under 2026 MOHW"):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_assign",
                self.prizes.ids,
            )
        self.assertEqual(self.prizes.state, "new")

    def test_claim_is_not_paid_by_writing_its_state(self):
        with self.assertRaisesRegex(
            Fault,
            r"Grant Reimbursement Claim: .* \(state\) cannot be written\. A claim "
            r"moves with its buttons \(Collect Expenditures, Submit, Approved by "
            r"Funder, Paid, Back to Draft\)",
        ):
            self._call(
                self.accountant,
                "timebank.grant.claim",
                "write",
                self.claim.ids,
                {"state": "paid"},
            )
        self.assertEqual(self.claim.state, "draft")
        with self.assertRaisesRegex(Fault, r"\(state\) cannot be written"):
            self._call(
                self.grant_manager,
                "timebank.grant.claim",
                "create",
                {
                    "grant_id": self.grant.id,
                    "date_from": "2026-01-01",
                    "date_to": "2026-01-31",
                    "state": "approved",
                },
            )
        with self.assertRaisesRegex(Fault, r"\(name\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.claim",
                "write",
                self.claim.ids,
                {"name": "CLAIM/2026/9999"},
            )

    def test_grant_is_not_approved_by_writing_its_state(self):
        grant = self._grant([("training", 100000, 0), ("dinner", 5000, 0)])
        with self.assertRaisesRegex(
            Fault,
            r"Grant: .* \(state\) cannot be written\. A grant moves with its buttons "
            r"\(Approve, Start, Start Closing, Close, Back to Draft\)",
        ):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                grant.ids,
                {"state": "running"},
            )
        self.assertEqual(grant.state, "draft")
        with self.assertRaisesRegex(Fault, r"\(state\) cannot be written"):
            self._call(
                self.grant_manager,
                "timebank.grant",
                "create",
                {
                    "name": "Approved from the start",
                    "program_id": self.program.id,
                    "company_id": self.company.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                    "state": "approved",
                },
            )
        with self.assertRaisesRegex(Fault, r"Dinners is not eligible"):
            self._call(self.accountant, "timebank.grant", "action_approve", grant.ids)

    def test_links_and_overrides_are_set_by_the_actions_only(self):
        with self.assertRaisesRegex(Fault, r"\(claim_id\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "write",
                self.handbooks.ids,
                {"claim_id": False},
            )
        with self.assertRaisesRegex(Fault, r"\(expense_ids\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.claim",
                "write",
                self.claim.ids,
                {"expense_ids": [(4, self.prizes.id)]},
            )
        self.assertEqual(self.claim.expense_ids, self.handbooks)
        with self.assertRaisesRegex(Fault, r"\(override_reason\) cannot be written"):
            self._call(
                self.grant_manager,
                "timebank.grant.expense",
                "write",
                self.prizes.ids,
                {"override_reason": "The mayor asked."},
            )
        self.assertFalse(self.prizes.override_reason)
        with self.assertRaisesRegex(
            Fault, r"\(grant_id\), .* \(move_line_id\) cannot be written"
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "create",
                {
                    "grant_id": self.grant.id,
                    "move_line_id": self.handbooks.move_line_id.id,
                },
            )

    def test_assignment_keeps_to_the_grant_and_its_program(self):
        other = self._grant([("training", 5000, 0)], name="Other grant")
        program = self.env["timebank.grant.program"].create(
            {
                "name": "County fund",
                "year": 2026,
                "company_id": self.company.id,
                "kind_ids": [(0, 0, {"name": "Excursions"})],
            }
        )
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "write",
            self.prizes.ids,
            {"line_id": other.line_ids.id, "kind_id": program.kind_ids.id},
        )
        with self.assertRaisesRegex(
            Fault,
            r"budget line Training and activities is not a line of Time bank grant"
            r".*Excursions is not a kind of spending of 2026 MOHW",
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense",
                "action_assign",
                self.prizes.ids,
            )
        self.assertEqual(self.prizes.state, "new")
