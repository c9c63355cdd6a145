from xmlrpc.client import Fault

from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestApprovedBudget(GrantHttpCase):
    """An approved budget keeps the funder's rules through every change of
    its lines, over the external API too."""

    def setUp(self):
        super().setUp()
        self.grant = self._grant(
            [("training", 700000, 0), ("management_fee", 70000, 0)]
        )
        self.grant.action_approve()
        self.training, self.fee = self.grant.line_ids

    def _assert_unchanged(self):
        self.assertEqual(self.grant.state, "approved")
        self.assertEqual(self.grant.line_ids, self.training | self.fee)
        self.assertEqual(self.grant.fee_cap, 70000)

    def test_deleting_a_line_keeps_the_fee_cap(self):
        refusal = (
            r"The management fee of TWD 70,000 exceeds its cap of TWD 0 "
            r"\(10\.0% of TWD 0\)"
        )
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant, "timebank.grant.line", "unlink", self.training.ids
            )
        self._assert_unchanged()
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                self.grant.ids,
                {"line_ids": [(2, self.training.id)]},
            )
        self._assert_unchanged()
        with self.assertRaisesRegex(Fault, refusal):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                self.grant.ids,
                {"line_ids": [(6, 0, self.fee.ids)]},
            )
        self._assert_unchanged()

    def test_adding_or_editing_a_line_keeps_the_rules(self):
        with self.assertRaisesRegex(Fault, r"Dinners is not eligible under 2026 MOHW"):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "create",
                {
                    "grant_id": self.grant.id,
                    "kind_id": self.kinds["dinner"].id,
                    "subsidy_amount": 1000,
                },
            )
        with self.assertRaisesRegex(Fault, r"exceeds the maximum of TWD 800,000"):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                self.grant.ids,
                {
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "kind_id": self.kinds["venue"].id,
                                "subsidy_amount": 30001,
                            },
                        )
                    ]
                },
            )
        with self.assertRaisesRegex(Fault, r"exceeds its cap of TWD 70,000"):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                self.fee.ids,
                {"subsidy_amount": 70001},
            )
        self._assert_unchanged()
        self.assertEqual(self.fee.subsidy_amount, 70000)

    def test_a_line_moved_to_another_grant_leaves_the_rules_kept(self):
        other = self._grant([("training", 1000, 0)], name="Another grant")
        with self.assertRaisesRegex(Fault, r"exceeds its cap of TWD 0"):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                self.training.ids,
                {"grant_id": other.id},
            )
        self._assert_unchanged()

    def test_approved_grant_keeps_its_program(self):
        program = self.env["timebank.grant.program"].create(
            {
                "name": "Tight fund",
                "year": 2026,
                "company_id": self.company.id,
                "currency_id": self.twd.id,
            }
        )
        with self.assertRaisesRegex(
            Fault, r"an approved grant keeps its program, analytic account and bank"
        ):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                self.grant.ids,
                {"program_id": program.id},
            )
        self.assertEqual(self.grant.program_id, self.program)

    def test_running_budget_is_locked(self):
        self.grant.action_start()
        with self.assertRaisesRegex(
            Fault,
            r"The budget of Time bank grant is running: its lines change only "
            r"through a budget amendment",
        ):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                self.training.ids,
                {"self_funded_amount": 1000},
            )
        self.assertEqual(self.training.self_funded_amount, 0)

    def test_back_to_draft_only_before_anything_is_claimed(self):
        self.env["timebank.grant.claim"].with_user(self.accountant).create(
            {"grant_id": self.grant.id}
        )
        with self.assertRaisesRegex(
            Fault, r"Time bank grant already have assigned expenditures or claims"
        ):
            self._call(
                self.accountant, "timebank.grant", "action_draft", self.grant.ids
            )
        self.assertEqual(self.grant.state, "approved")

    def test_approved_grant_is_not_deleted(self):
        with self.assertRaisesRegex(
            Fault, r"Time bank grant: only a draft grant can be deleted"
        ):
            self._call(self.grant_manager, "timebank.grant", "unlink", self.grant.ids)
        self.assertTrue(self.grant.exists())

    def test_the_accountant_deletes_a_draft_grant_only(self):
        draft = self._grant([("training", 1000, 0)])
        self._call(self.accountant, "timebank.grant", "unlink", draft.ids)
        self.assertFalse(draft.exists())
        with self.assertRaisesRegex(
            Fault, r"Time bank grant: only a draft grant can be deleted"
        ):
            self._call(self.accountant, "timebank.grant", "unlink", self.grant.ids)
        self.assertTrue(self.grant.exists())

    def test_line_with_assigned_expenditures_stays(self):
        self._bill([("Workshop", 500, {self.grant.analytic_account_id: 100})])
        expense = self._import(self.grant)
        expense.write({"line_id": self.training.id, "kind_id": self.kinds["venue"].id})
        expense.action_assign()
        with self.assertRaisesRegex(
            Fault,
            r"Budget lines Training and activities have assigned expenditures "
            r"\(.*Workshop\): unassign them first",
        ):
            self._call(
                self.accountant, "timebank.grant.line", "unlink", self.training.ids
            )
        self._assert_unchanged()

    def test_line_of_another_programs_kind_is_refused(self):
        program = self.env["timebank.grant.program"].create(
            {
                "name": "County fund",
                "year": 2026,
                "company_id": self.company.id,
                "kind_ids": [(0, 0, {"name": "Excursions"})],
            }
        )
        with self.assertRaisesRegex(
            Fault,
            r"Budget line Excursions: Excursions is not a kind of spending of "
            r"2026 MOHW",
        ):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "create",
                {
                    "grant_id": self.grant.id,
                    "kind_id": program.kind_ids.id,
                    "subsidy_amount": 100,
                },
            )
        self._assert_unchanged()

    def test_draft_budget_lines_change_freely(self):
        grant = self._grant([("training", 100000, 0), ("dinner", 5000, 0)])
        grant.line_ids.filtered(lambda line: line.kind_id.excluded).unlink()
        grant.action_approve()
        self.assertEqual(grant.state, "approved")

    def test_line_keeps_what_is_assigned_to_it(self):
        grant = self._grant([("training", 1000, 500)], name="Small grant")
        grant.action_approve()
        line = grant.line_ids
        self._bill([("Workshop", 500, {grant.analytic_account_id: 100})])
        expense = self._import(grant)
        expense.write(
            {
                "line_id": line.id,
                "kind_id": self.kinds["venue"].id,
                "subsidy_amount": 300,
            }
        )
        expense.with_user(self.accountant).action_assign()
        subsidy = (
            r"Budget line Training and activities: TWD 300 of subsidy is assigned "
            r"to expenditures, more than the new subsidy budget of TWD %s\."
        )
        self_funded = (
            r"Budget line Training and activities: TWD 200 of self-funded is "
            r"assigned to expenditures, more than the new self-funded budget of "
            r"TWD 100\."
        )
        with self.assertRaisesRegex(Fault, subsidy % 299):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                line.ids,
                {"subsidy_amount": 299},
            )
        with self.assertRaisesRegex(Fault, self_funded):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                line.ids,
                {"self_funded_amount": 100},
            )
        # moved to another line of the grant through the grant's lines
        with self.assertRaisesRegex(Fault, subsidy % 0):
            self._call(
                self.accountant,
                "timebank.grant",
                "write",
                grant.ids,
                {
                    "line_ids": [
                        (1, line.id, {"subsidy_amount": 0}),
                        (
                            0,
                            0,
                            {"kind_id": self.kinds["venue"].id, "subsidy_amount": 1000},
                        ),
                    ]
                },
            )
        other = self._grant([("training", 1000, 500)], name="Another grant")
        with self.assertRaisesRegex(
            Fault,
            r"Budget line Training and activities has assigned expenditures of "
            r"Small grant \(.*Workshop\): it cannot move to another grant",
        ):
            self._call(
                self.accountant,
                "timebank.grant.line",
                "write",
                line.ids,
                {"grant_id": other.id},
            )
        unlinked = (
            r"Budget lines Training and activities have assigned expenditures "
            r"\(.*Workshop\): unassign them first"
        )
        for command in ([(2, line.id)], [(3, line.id)], [(5, 0, 0)], [(6, 0, [])]):
            with self.assertRaisesRegex(Fault, unlinked):
                self._call(
                    self.accountant,
                    "timebank.grant",
                    "write",
                    grant.ids,
                    {"line_ids": command},
                )
        self.assertEqual(grant.line_ids, line)
        self.assertEqual(line.grant_id, grant)
        self.assertEqual((line.subsidy_amount, line.self_funded_amount), (1000, 500))
        # down to what is assigned, nothing remains and nothing is over
        self._call(
            self.accountant,
            "timebank.grant.line",
            "write",
            line.ids,
            {"subsidy_amount": 300, "self_funded_amount": 200},
        )
        self.assertEqual((line.subsidy_remaining, line.self_funded_remaining), (0, 0))
