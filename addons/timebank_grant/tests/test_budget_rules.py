from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestBudgetRules(GrantCase):
    def test_fee_of_ten_percent_of_the_recurrent_subsidy_is_approved(self):
        grant = self._grant([("training", 700000, 0), ("management_fee", 70000, 0)])
        self.assertEqual(grant.fee_base_amount, 700000)
        self.assertEqual(grant.fee_cap, 70000)
        self.assertEqual(grant.fee_headroom, 0)
        grant.action_approve()
        self.assertEqual(grant.state, "approved")

    def test_fee_one_dollar_over_the_cap_is_refused(self):
        grant = self._grant([("training", 700000, 0), ("management_fee", 70001, 0)])
        self.assertEqual(grant.fee_headroom, -1)
        with self.assertRaisesRegex(
            UserError,
            r"management fee of TWD 70,001 exceeds its cap of TWD 70,000 "
            r"\(10\.0% of TWD 700,000\)",
        ):
            grant.action_approve()
        self.assertEqual(grant.state, "draft")

    def test_per_case_maximum_refused_although_fee_at_cap(self):
        grant = self._grant([("training", 730000, 0), ("management_fee", 73000, 0)])
        self.assertEqual(grant.fee_headroom, 0)
        self.assertEqual(grant.subsidy_total, 803000)
        self.assertEqual(grant.case_headroom, -3000)
        with self.assertRaises(UserError) as refusal:
            grant.action_approve()
        message = str(refusal.exception)
        self.assertRegex(
            message, r"subsidy of TWD 803,000 exceeds the maximum of TWD 800,000"
        )
        self.assertNotIn("management fee", message)

    def test_self_funded_counts_toward_neither_cap_nor_maximum(self):
        grant = self._grant(
            [("training", 700000, 500000), ("management_fee", 70000, 90000)]
        )
        self.assertEqual(grant.fee_base_amount, 700000)
        self.assertEqual(grant.fee_cap, 70000)
        self.assertEqual(grant.subsidy_total, 770000)
        self.assertEqual(grant.self_funded_total, 590000)
        grant.action_approve()
        self.assertEqual(grant.state, "approved")

    def test_personnel_line_refused(self):
        grant = self._grant([("training", 100000, 0), ("personnel", 50000, 0)])
        with self.assertRaisesRegex(
            UserError, r"Personnel costs: personnel costs are not eligible"
        ):
            grant.action_approve()

    def test_excluded_kind_line_refused(self):
        grant = self._grant([("training", 100000, 0), ("dinner", 5000, 0)])
        with self.assertRaisesRegex(UserError, r"Dinners is not eligible under"):
            grant.action_approve()

    def test_form_shows_fee_headroom_as_lines_change(self):
        grant = self._grant([("training", 500000, 0)])
        with Form(grant.with_user(self.accountant)) as form:
            self.assertEqual(form.fee_headroom, 50000)
            with form.line_ids.new() as line:
                line.kind_id = self.kinds["management_fee"]
                line.subsidy_amount = 20000
            self.assertEqual(form.fee_headroom, 30000)
            with form.line_ids.edit(0) as line:
                line.subsidy_amount = 600000
            self.assertEqual(form.fee_cap, 60000)
            self.assertEqual(form.fee_headroom, 40000)
            with form.line_ids.new() as line:
                line.kind_id = self.kinds["management_fee"]
                line.self_funded_amount = 99000
            self.assertEqual(form.fee_headroom, 40000)

    def _approved(self):
        grant = self._grant([("training", 700000, 0), ("management_fee", 70000, 0)])
        grant.action_approve()
        fee_line = grant.line_ids.filtered(lambda line: line.kind_id.is_management_fee)
        return grant, grant.line_ids - fee_line, fee_line

    def test_approved_fee_cannot_go_over_the_cap(self):
        _grant, _training, fee_line = self._approved()
        with self.assertRaisesRegex(ValidationError, r"exceeds its cap"):
            fee_line.subsidy_amount = 70001

    def test_approved_subsidy_cannot_go_over_the_maximum(self):
        _grant, training, _fee_line = self._approved()
        with self.assertRaisesRegex(ValidationError, r"exceeds the maximum"):
            training.subsidy_amount = 740000

    def test_approved_self_funded_may_grow(self):
        grant, training, _fee_line = self._approved()
        training.self_funded_amount = 250000
        self.assertEqual(grant.self_funded_total, 250000)
        self.assertEqual(grant.state, "approved")

    def test_conflict_of_interest_self_check(self):
        grant = self._grant([("training", 100000, 0)], coi_relative=False)
        with self.assertRaisesRegex(UserError, r"Answer every question"):
            grant.action_approve()
        with (
            self.env.cr.savepoint(),
            self.assertRaisesRegex(
                ValidationError, r"the identity disclosure must be filled in"
            ),
        ):
            grant.coi_relative = "yes"
        grant.write(
            {
                "coi_relative": "yes",
                "coi_disclosure": "The treasurer's sister works at the ministry's "
                "accounting office.",
            }
        )
        self.assertTrue(grant.coi_disclosure_required)
        grant.action_approve()
        self.assertEqual(grant.state, "approved")

    def test_stages(self):
        grant = self._running_grant([("training", 100000, 0)])
        self.assertEqual(grant.state, "running")
        with self.assertRaisesRegex(UserError, r"cannot go to this stage"):
            grant.action_close()
        grant.action_closing()
        grant.action_close()
        self.assertEqual(grant.state, "closed")
        self.assertEqual(
            grant.analytic_account_id.plan_id,
            self.env.ref("timebank_grant.account_analytic_plan_grants"),
        )
