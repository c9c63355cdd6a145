from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestSecurity(GrantCase):
    def test_accountant_does_it_all(self):
        """Billing and grant rights only: grant, expenditures, claim, reports
        (the grant manager sets up the bank's program)."""
        accountant = self.accountant
        self.assertFalse(accountant.has_group("account.group_account_manager"))
        program = (
            self.env["timebank.grant.program"]
            .with_user(self.grant_manager)
            .create(
                {
                    "name": "County fund",
                    "year": 2026,
                    "max_per_case": 1000,
                    "company_id": self.company.id,
                }
            )
        )
        program.write({"kind_ids": [(0, 0, {"name": "Activities"})]})
        grant = self._running_grant([("Activities", 1000, 0)], program=program)
        self._bill(
            [("Tea", 400, {grant.analytic_account_id: 100})],
            currency=self.company.currency_id,
        )
        expense = self._import(grant)
        expense.write(
            {"line_id": grant.line_ids.id, "kind_id": grant.line_ids.kind_id.id}
        )
        expense.action_assign()
        claim = grant.with_user(accountant).action_new_claim()
        claim = (
            self.env["timebank.grant.claim"]
            .with_user(accountant)
            .browse(claim["res_id"])
        )
        claim.write({"date_from": "2026-01-01", "date_to": "2026-12-31"})
        claim.action_collect()
        claim.action_submit()
        claim.action_approve()
        claim.action_paid()
        self.assertEqual(claim.amount_total, 400)
        self.assertTrue(
            self._xlsx(
                "timebank_grant.timebank_grant_budget_xlsx_report", grant, accountant
            ).worksheets
        )
        report = self.env.ref("timebank_grant.timebank_grant_claim_report")
        html = (
            report.with_user(accountant)
            ._render_qweb_html(report.report_name, claim.ids)[0]
            .decode()
        )
        self.assertIn(claim.name, html)

    def test_broker_cannot_see_grant_amounts(self):
        grant = self._grant([("training", 100000, 0)])
        with self.assertRaisesRegex(AccessError, r"not allowed to access 'Grant'"):
            grant.with_user(self.broker).read(["subsidy_total"])
        with self.assertRaisesRegex(AccessError, r"Grant Budget Line"):
            grant.line_ids.with_user(self.broker).read(["subsidy_amount"])
        with self.assertRaisesRegex(AccessError, r"Grant Expenditure"):
            self.env["timebank.grant.expense"].with_user(self.broker).search([])

    def test_other_bank_sees_no_grant(self):
        grant = self._grant([("training", 100000, 0)])
        grant_b = self._grant(
            [("training", 5000, 0)], user=self.accountant_b, company=self.company_b
        )
        Grant = self.env["timebank.grant"]
        self.assertEqual(Grant.with_user(self.accountant_b).search([]), grant_b)
        self.assertEqual(Grant.with_user(self.accountant).search([]), grant)
        with self.assertRaisesRegex(AccessError, r"Grant"):
            Grant.with_user(self.accountant_b).browse(grant.id).read(["subsidy_total"])

    def test_program_of_a_bank_stays_in_that_bank(self):
        program = (
            self.env["timebank.grant.program"]
            .with_user(self.grant_manager)
            .create(
                {
                    "name": "Bank A's own fund",
                    "year": 2026,
                    "company_id": self.company.id,
                    "kind_ids": [(0, 0, {"name": "Workshops"})],
                }
            )
        )
        Program = self.env["timebank.grant.program"].with_user(self.accountant_b)
        Kind = self.env["timebank.grant.expense.kind"].with_user(self.accountant_b)
        self.assertNotIn(program, Program.search([]))
        self.assertIn(self.program, Program.search([]), "shared programs are seen")
        self.assertFalse(Kind.search([("program_id", "=", program.id)]))

    def test_accountant_cannot_open_the_override(self):
        with self.assertRaisesRegex(AccessError, r"Override a Grant Exclusion"):
            self.env["timebank.grant.override.wizard"].with_user(
                self.accountant
            ).create({"reason": "Because."})
