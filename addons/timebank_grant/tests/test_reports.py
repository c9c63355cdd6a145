import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

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
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        sheet = load_workbook(io.BytesIO(attachment.raw)).active
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
        for name, born in (
            ("Amy", date(2010, 5, 2)),
            ("Carol", date(1986, 1, 9)),
            ("David", date(1956, 10, 13)),
            ("Wang", date(1950, 3, 7)),
        ):
            partner = self.env["res.partner"].create(
                {"name": name, "birthdate_date": born, "timebank_privacy_consent": True}
            )
            member = Member.create(
                {"partner_id": partner.id, "company_id": self.company.id}
            )
            member.action_activate()
            member.write({"has_own_credit_limit": True, "credit_limit": 10000})
            members[name] = member
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
        repairs = Item.create(
            {
                "name": "Repairs",
                "category_id": category.id,
                "company_id": self.company.id,
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
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        book = load_workbook(io.BytesIO(attachment.raw))
        main, ages, served, items, satisfaction = book.worksheets
        # members served in the period (David, Wang, Amy) by category
        self.assertEqual(
            [[cell.value for cell in row] for row in served.iter_rows()],
            [["Category", "Members served"], ["Disabled", 1], ["Living alone", 2]],
        )
        self.assertEqual(main["B1"].value, self.company.name)
        self.assertEqual(main["B3"].value, "2026-01-01")
        self.assertEqual(main["C3"].value, "2026-06-30")
        self.assertEqual(main["G5"].value, "Members (with age distribution)")
        self.assertEqual(main["C6"].value, "1. Hospital escort\n2. Repairs")
        self.assertEqual(main["E6"].value, "Two exchange markets.")
        self.assertEqual(
            main["G6"].value, "Active members: 4\n0-17: 1\n25-44: 1\n65-74: 1\n75-84: 1"
        )
        self.assertEqual(
            main["H6"].value, "Hours exchanged: 4.5\nHospital escort: 3.0\nRepairs: 1.5"
        )
        self.assertEqual(
            [[cell.value for cell in row] for row in ages.iter_rows()],
            [
                ["Age", "Members"],
                ["0-17", 1],
                ["25-44", 1],
                ["65-74", 1],
                ["75-84", 1],
                ["Active members", 4],
            ],
        )
        self.assertEqual(
            [[cell.value for cell in row] for row in items.iter_rows()],
            [
                ["Item", "Hours", "Services"],
                ["Hospital escort", 3, 2],
                ["Repairs", 1.5, 1],
                ["Total", 4.5, 3],
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
