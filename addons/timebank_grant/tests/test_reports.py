from datetime import date, datetime, timedelta

from odoo.tests import freeze_time, tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestReports(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [
                ("training", 600000, 50000),
                ("printing", 100000, 0),
                ("management_fee", 70000, 0),
            ],
            award_number="MOHW-2026-007",
        )
        training, printing, _fee = cls.grant.line_ids
        account = cls.grant.analytic_account_id
        cls.paid_bill = cls._bill([("Handbooks", 18500, {account: 100})])
        cls._bill([("Training day", 6401, {account: 100})], date="2026-04-20")
        expenses = cls._import(cls.grant)
        handbooks = expenses.filtered(lambda e: e.name == "Handbooks")
        handbooks.write(
            {
                "line_id": printing.id,
                "kind_id": cls.kinds["printing"].id,
                "subsidy_amount": 18500,
            }
        )
        (expenses - handbooks).write(
            {
                "line_id": training.id,
                "kind_id": cls.kinds["venue"].id,
                "subsidy_amount": 6000,
            }
        )
        expenses.with_user(cls.accountant).action_assign()
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.paid_bill.ids
        ).create({})._create_payments()

    def test_budget_rows_foot(self):
        rows, total = self.grant._budget_rows()
        self.assertEqual(
            [
                (r["subsidy_committed"], r["subsidy_spent"], r["self_funded_committed"])
                for r in rows
            ],
            [(6000, 0, 401), (0, 18500, 0), (0, 0, 0)],
        )
        for key in ("subsidy_amount", "subsidy_remaining", "self_funded_remaining"):
            self.assertEqual(total[key], sum(row[key] for row in rows))
        self.assertEqual(total["subsidy_amount"], 770000)
        self.assertEqual(total["subsidy_remaining"], 770000 - 6000 - 18500)
        self.assertEqual(total["self_funded_remaining"], 50000 - 401)

    def test_budget_xlsx_read_back_cell_by_cell(self):
        action = self.grant.with_user(self.accountant).action_budget_xlsx()
        self.assertEqual(
            (action["type"], action["report_name"]),
            ("ir.actions.report", "timebank_grant.budget_xlsx"),
        )
        sheet = self._xlsx(
            "timebank_grant.timebank_grant_budget_xlsx_report", self.grant
        ).active
        self.assertEqual(sheet["A1"].value, "Time bank grant")
        self.assertEqual(sheet["B2"].value, "MOHW-2026-007")
        self.assertEqual(sheet["B4"].value, "TWD")
        self.assertEqual(
            [cell.value for cell in sheet[6]],
            [
                "Category",
                "Budget Line",
                "Subsidy Budget",
                "Subsidy Committed",
                "Subsidy Spent",
                "Subsidy Remaining",
                "Self-Funded Budget",
                "Self-Funded Committed",
                "Self-Funded Spent",
                "Self-Funded Remaining",
            ],
        )
        expected = [
            [
                "Training and activities",
                None,
                600000,
                6000,
                0,
                594000,
                50000,
                401,
                0,
                49599,
            ],
            ["Printing", None, 100000, 0, 18500, 81500, 0, 0, 0, 0],
            ["Project management fee", None, 70000, 0, 0, 70000, 0, 0, 0, 0],
            [None, "Total", 770000, 6000, 18500, 745500, 50000, 401, 0, 49599],
        ]
        for offset, row in enumerate(expected):
            self.assertEqual(
                [cell.value for cell in sheet[7 + offset]], row, f"row {7 + offset}"
            )
        for col in range(3, 11):
            self.assertEqual(
                sheet.cell(10, col).value,
                sum(sheet.cell(row, col).value for row in range(7, 10)),
            )

    def test_budget_pdf(self):
        report = self.env.ref("timebank_grant.timebank_grant_budget_report")
        html = (
            report.with_user(self.accountant)
            ._render_qweb_html(report.report_name, self.grant.ids)[0]
            .decode()
        )
        self.assertIn("MOHW-2026-007", html)
        self.assertIn("Project management fee", html)
        self.assertIn("745,500", html)
        pdf, kind = (
            report.with_user(self.accountant)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report.report_name, self.grant.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    @freeze_time("2026-07-10 09:00:00")
    def test_execution_report_from_the_time_bank(self):
        # The time bank's records are kept by its manager, not the accountant.
        self.env.user.groups_id += self.env.ref("timebank_core.group_timebank_manager")
        # timebank_cooperative, when installed, lets only brokers with a valid
        # background check and training verify services: not what this test is about
        if "timebank_broker_check_required" in self.company._fields:
            self.company.timebank_broker_check_required = False
        Member = self.env["timebank.member"].sudo()
        members = {}
        for name, born, joined in (
            ("Amy", date(2010, 5, 2), date(2025, 9, 1)),
            ("Carol", date(1986, 1, 9), date(2026, 2, 1)),
            ("David", date(1956, 10, 13), date(2025, 5, 5)),
            ("Wang", date(1950, 3, 7), date(2026, 1, 5)),
            # joins after the period (active today, aged 56): not in the report
            ("Eve", date(1970, 4, 1), False),
            # withdrew before the period: not in the report either
            ("Frank", date(1980, 8, 8), date(2025, 3, 1)),
        ):
            partner = self.env["res.partner"].create(
                {"name": name, "birthdate_date": born, "timebank_privacy_consent": True}
            )
            member = Member.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "join_date": joined,
                }
            )
            member.action_activate()
            member.write({"has_own_credit_limit": True, "credit_limit": 10000})
            members[name] = member
        with freeze_time("2025-12-20"):
            members["Frank"].action_withdraw()
        category = (
            self.env["timebank.service.category"]
            .sudo()
            .create({"name": "Care", "company_id": self.company.id})
        )
        Item = self.env["timebank.service.item"].sudo()
        escort = Item.create(
            {
                "name": "Hospital escort",
                "category_id": category.id,
                "company_id": self.company.id,
            }
        )
        # a repair counts 1.5 credited minutes for each minute worked
        repairs = Item.create(
            {
                "name": "Repairs",
                "category_id": category.id,
                "company_id": self.company.id,
                "coefficient": 1.5,
            }
        )
        alone = self.env.ref("timebank_core.recipient_category_living_alone")
        disabled = self.env.ref("timebank_core.recipient_category_disabled")
        members["David"].sudo().recipient_category_ids = alone
        members["Wang"].sudo().recipient_category_ids = alone | disabled
        exchanges = self.env["timebank.exchange"].sudo()
        for provider, receiver, item, start, minutes in (
            ("Amy", "David", escort, datetime(2026, 2, 10, 2), 120),
            ("Carol", "Wang", escort, datetime(2026, 3, 1, 2), 60),
            ("David", "Amy", repairs, datetime(2026, 5, 1, 2), 90),
            ("Wang", "Amy", repairs, datetime(2026, 7, 2, 2), 30),
        ):
            exchanges |= exchanges.create(
                {
                    "provider_id": members[provider].id,
                    "receiver_id": members[receiver].id,
                    "item_id": item.id,
                    "company_id": self.company.id,
                    "date_start": start,
                    "date_end": start + timedelta(minutes=minutes),
                }
            )
        exchanges.action_submit()
        exchanges.action_confirm("phone")
        exchanges.action_verify()
        exchanges.action_post()
        # the persons helped rated the two escorts (what the volunteer says of
        # a visit is not the service's satisfaction)
        exchanges[0].action_give_rating("service", 5)
        exchanges[1].action_give_rating("service", 2)
        exchanges[1].action_give_rating("visit", 5)
        self.grant.exec_summary = "Two exchange markets."
        wizard = (
            self.env["timebank.grant.execution.wizard"]
            .with_user(self.accountant)
            .create({"grant_id": self.grant.id})
        )
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 7, 1), date(2026, 12, 31))
        )
        wizard.write({"date_from": date(2026, 1, 1), "date_to": date(2026, 6, 30)})
        action = wizard.action_print_xlsx()
        self.assertEqual(action["report_name"], "timebank_grant.execution_xlsx")
        book = self._xlsx("timebank_grant.timebank_grant_execution_xlsx_report", wizard)
        main, ages, served, items, satisfaction = book.worksheets
        # members served in the period (David, Wang, Amy) by category
        self.assertEqual(
            [[cell.value for cell in row] for row in served.iter_rows()],
            [["Category", "Members served"], ["Disabled", 1], ["Living alone", 2]],
        )
        # the layout of the form (Attachment 2)
        self.assertEqual(main["A1"].value, f"Organization: {self.company.name}")
        self.assertEqual(main["A3"].value, "Period reported: 2026-01-01 to 2026-06-30")
        self.assertEqual(
            [main.cell(4, col).value for col in range(1, 10)],
            [
                "Eligibility of participants",
                "Kinds of people served",
                "Exchange items (as a list)",
                "Deposit and withdrawal mechanism",
                "Summary of activities",
                "Results achieved (by the plan's evaluation indicators)",
                "Service statistics",
                None,
                "Remarks (other figures may be given here)",
            ],
        )
        self.assertIn("G4:H4", main.merged_cells)
        self.assertIn("A4:A5", main.merged_cells)
        self.assertEqual(
            (main["G5"].value, main["H5"].value),
            (
                "Members (with age distribution / analysis)",
                "Hours exchanged (with analysis by item)",
            ),
        )
        self.assertEqual(main["C6"].value, "1. Hospital escort\n2. Repairs")
        self.assertEqual(main["E6"].value, "Two exchange markets.")
        # the members of the period, aged on its last day: not Eve, who
        # joined after it, nor Frank, who withdrew before it
        self.assertEqual(
            main["G6"].value,
            "Members: 4 (new in the period: 2)\n0-17: 1\n25-44: 1\n65-74: 1\n75-84: 1",
        )
        # hours worked and credited: the 1.5 h repair is 2.25 h credited; the
        # same figures, to the same two decimals, as the detail sheet
        self.assertEqual(
            main["H6"].value,
            "Hours worked: 4.50 h; hours credited: 5.25 h\n"
            "Hospital escort: 3.00 h worked, 3.00 h credited, services: 2\n"
            "Repairs: 1.50 h worked, 2.25 h credited, services: 1",
        )
        self.assertEqual(
            [[cell.value for cell in row] for row in ages.iter_rows()],
            [
                ["Age", "Members"],
                ["0-17", 1],
                ["25-44", 1],
                ["65-74", 1],
                ["75-84", 1],
                ["Members", 4],
            ],
        )
        self.assertEqual(
            [[cell.value for cell in row] for row in items.iter_rows()],
            [
                ["Item", "Services", "Hours Worked", "Hours Credited"],
                ["Hospital escort", 2, 3, 3],
                ["Repairs", 1, 1.5, 2.25],
                ["Total", 3, 4.5, 5.25],
            ],
        )
        self.assertEqual(
            main["F6"].value,
            "Satisfaction: 50.0% of the 2 services rated by the persons helped "
            "were rated 4 or 5 of 5 (average 3.5).",
        )
        self.assertEqual(
            [[cell.value for cell in row] for row in satisfaction.iter_rows()],
            [
                ["Indicator", "Value"],
                ["Services rated by the persons helped", 2],
                ["Rated 4 or 5 of 5", 1],
                ["Satisfaction (%)", 50],
                ["Average rating (1 to 5)", 3.5],
            ],
        )
