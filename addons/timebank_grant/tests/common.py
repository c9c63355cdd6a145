import base64
import io

from openpyxl import load_workbook

from odoo import Command
from odoo.tests import HttpCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.timebank_core.tests.common import xmlrpc_call


class GrantCase(AccountTestInvoicingCommon):
    """Two companies with a chart of accounts, an accountant with only billing
    and grant rights in each, a grant manager, a time bank broker, and the
    2026 MOHW program of the module's data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        # The set-up user of the accounting tests also configures grants.
        cls.env.user.groups_id += cls.env.ref("timebank_grant.group_grant_manager")
        cls.company = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Bank B")["company"]
        cls.twd = cls.setup_other_currency("TWD", rounding=1.0)
        accountant_groups = (
            "account.group_account_invoice,timebank_grant.group_grant_user"
        )
        cls.accountant = cls._user("grant_accountant", accountant_groups, cls.company)
        cls.accountant_b = cls._user(
            "grant_accountant_b", accountant_groups, cls.company_b
        )
        cls.grant_manager = cls._user(
            "grant_manager",
            "account.group_account_invoice,timebank_grant.group_grant_manager",
            cls.company,
        )
        cls.broker = cls._user(
            "grant_broker", "timebank_core.group_timebank_broker", cls.company
        )
        cls.program = cls.env.ref("timebank_grant.timebank_grant_program_mohw_2026")
        cls.kinds = {
            kind.get_external_id()[kind.id].split("_mohw_")[-1]: kind
            for kind in cls.program.kind_ids
        }

    @classmethod
    def _user(cls, login, groups, company):
        return new_test_user(
            cls.env,
            login=login,
            name=login.replace("_", " ").title(),
            groups=groups,
            company_id=company.id,
            company_ids=[company.id],
        )

    @classmethod
    def _grant(cls, lines, user=None, program=None, company=None, **vals):
        """A draft grant of ``user`` (the accountant by default); ``lines`` is
        [(kind code, subsidy, self-funded)]."""
        program = program or cls.program
        company = company or cls.company
        kinds = {kind.name: kind for kind in program.kind_ids} | cls.kinds
        values = {
            "name": "Time bank grant",
            "award_number": "MOHW-TEST-1",
            "program_id": program.id,
            "company_id": company.id,
            "date_start": "2026-01-01",
            "date_end": "2026-12-31",
            "coi_officer": "no",
            "coi_spouse": "no",
            "coi_relative": "no",
            "line_ids": [
                Command.create(
                    {
                        "kind_id": kinds[code].id,
                        "subsidy_amount": subsidy,
                        "self_funded_amount": self_funded,
                    }
                )
                for code, subsidy, self_funded in lines
            ],
        }
        return (
            cls.env["timebank.grant"]
            .with_user(user or cls.accountant)
            .with_company(company)
            .create(dict(values, **vals))
        )

    @classmethod
    def _bill(cls, lines, date="2026-03-10", receipt=True, currency=None, company=None):
        """A posted vendor bill; ``lines`` is [(label, amount, {analytic: percent})]."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": cls.partner_a.id,
                    "invoice_date": date,
                    "date": date,
                    "currency_id": (currency or cls.twd).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": label,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                                "analytic_distribution": {
                                    str(account.id): percent
                                    for account, percent in distribution.items()
                                },
                            }
                        )
                        for label, amount, distribution in lines
                    ],
                }
            )
        )
        move.action_post()
        if receipt:
            cls.env["ir.attachment"].create(
                {
                    "name": f"receipt-{move.id}.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 receipt"),
                    "res_model": "account.move",
                    "res_id": move.id,
                }
            )
        return move

    @classmethod
    def _running_grant(cls, lines, **vals):
        grant = cls._grant(lines, **vals)
        grant.action_approve()
        grant.action_start()
        return grant

    @classmethod
    def _import(cls, grant, user=None):
        """The expenditures Import Expenditures brings in."""
        return grant.with_user(user or cls.accountant)._import_expenses()

    @classmethod
    def _assigned_bill(cls, grant, line, label="Training day", amount=6200):
        """A posted bill of ``amount`` on the grant's analytic account, imported
        and assigned to ``line`` (as venue costs) by the accountant."""
        bill = cls._bill([(label, amount, {grant.analytic_account_id: 100})])
        expense = cls._import(grant)
        expense.write({"line_id": line.id, "kind_id": cls.kinds["venue"].id})
        expense.with_user(cls.accountant).action_assign()
        return bill, expense

    @classmethod
    def _claim(cls, grant, date_from="2026-01-01", date_to="2026-06-30"):
        """A draft claim of the accountant for the period."""
        return (
            cls.env["timebank.grant.claim"]
            .with_user(cls.accountant)
            .create({"grant_id": grant.id, "date_from": date_from, "date_to": date_to})
        )

    @classmethod
    def _execution_wizard(cls, grant, date_from="2026-01-01", date_to="2026-06-30"):
        """The execution report of ``grant`` for the period, as the accountant
        asks for it."""
        return (
            cls.env["timebank.grant.execution.wizard"]
            .with_user(cls.accountant)
            .create({"grant_id": grant.id, "date_from": date_from, "date_to": date_to})
        )

    def _xlsx(self, report, records, user=None, lang=None):
        """The workbook of the XLSX report ``report`` (an XML id) of ``records``
        as ``user`` (the accountant by default) prints it, opened to be read."""
        report = self.env.ref(report)
        content, kind = (
            report.with_user(user or self.accountant)
            .with_context(lang=lang or "en_US")
            ._render_xlsx(report.report_name, records.ids, data={})
        )
        self.assertEqual(kind, "xlsx")
        return load_workbook(io.BytesIO(content))

    def _html(self, report, records, user=None, lang=None):
        """The text of the QWeb report ``report`` (an XML id) of ``records``."""
        report = self.env.ref(report)
        return (
            report.with_user(user or self.accountant)
            .with_context(lang=lang or "en_US")
            ._render_qweb_html(report.report_name, records.ids)[0]
            .decode()
        )


class GrantHttpCase(GrantCase, HttpCase):
    """The same set-up, with calls over real XML-RPC as the external API's
    clients make them."""

    def _call(self, user, model, method, *args, **kwargs):
        result = xmlrpc_call(self, user.login, model, method, *args, **kwargs)
        self.env.invalidate_all()
        return result
