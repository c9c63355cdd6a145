import io
import re

from openpyxl import load_workbook

from odoo.tests import tagged

from .common import GrantHttpCase


def text_of(html):
    """The words of an HTML page, tags and extra spaces left out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@tagged("post_install", "-at_install")
class TestFunderForms(GrantHttpCase):
    """The funder's own forms, filled in from the data: the budget estimate
    (經費概算表), a claim's list of supporting documents (支用單據明細表), the
    execution report (Attachment 2) and the conflict-of-interest self-check
    (Attachment 3), in Traditional Chinese with ROC dates and in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_TW")
        cls.env["ir.module.module"]._load_module_terms(["timebank_grant"], ["zh_TW"])
        cls.company.name = "Hsinchu Time Bank"
        cls.grant = cls._grant(
            [
                ("training", 500000, 40000),
                ("training", 100000, 10000),
                ("management_fee", 60000, 0),
            ],
            award_number="MOHW-2026-021",
            coi_date="2026-03-06",
        )
        venue, trainers, _fee = cls.grant.line_ids
        venue.name = "Venue"
        trainers.name = "Trainers"
        cls.grant.action_approve()
        cls.grant.action_start()
        account = cls.grant.analytic_account_id
        cls.partner_a.name = "Sunrise Hall"
        bill = cls._bill([("Hall for the training day", 6200, {account: 100})])
        bill.ref = "AB-12345678"
        cls._bill(
            [("Trainer fee", 3000, {account: 100})], date="2026-04-20"
        ).ref = "CD-87654321"
        expenses = cls._import(cls.grant)
        hall = expenses.filtered(lambda e: e.name == "Hall for the training day")
        hall.write(
            {
                "line_id": venue.id,
                "kind_id": cls.kinds["venue"].id,
                "subsidy_amount": 6000,
            }
        )
        (expenses - hall).write(
            {"line_id": trainers.id, "kind_id": cls.kinds["venue"].id}
        )
        expenses.with_user(cls.accountant).action_assign()
        cls.claim = cls._claim(cls.grant)
        cls.claim.action_collect()

    # ------------------------------------------------------------ 經費概算表
    def _estimate(self, lang):
        return self._xlsx(
            "timebank_grant.timebank_grant_estimate_xlsx_report", self.grant, lang=lang
        ).active

    def test_budget_estimate_in_the_plan_layout(self):
        sheet = self._estimate("en_US")
        self.assertEqual(sheet["A1"].value, "Hsinchu Time Bank")
        self.assertEqual(
            (sheet["A3"].value, sheet["B3"].value), ("Time bank grant", "MOHW-2026-021")
        )
        self.assertEqual(
            [sheet.cell(5, col).value for col in range(1, 6)],
            [
                "Item Name",
                "Total Project Budget",
                None,
                "Total",
                "Remarks (list what the item covers)",
            ],
        )
        self.assertEqual(
            [sheet.cell(6, col).value for col in (2, 3)],
            ["Subsidy Requested", "Self-Funded"],
        )
        for merged in ("A5:A6", "B5:C5", "D5:D6", "E5:E6"):
            self.assertIn(merged, sheet.merged_cells)
        # one row per item of the funder, its budget lines in the remarks
        self.assertEqual(
            [[cell.value for cell in row] for row in sheet.iter_rows(min_row=7)],
            [
                [
                    "Training and activities",
                    600000,
                    50000,
                    650000,
                    "Venue: 540,000\nTrainers: 110,000",
                ],
                ["Project management fee", 60000, 0, 60000, ""],
                ["Grand Total", 660000, 50000, 710000, ""],
            ],
        )

    def test_budget_estimate_in_chinese(self):
        sheet = self._estimate("zh_TW")
        self.assertEqual(sheet["A2"].value, "經費概算表")
        self.assertEqual(
            [sheet.cell(5, col).value for col in range(1, 6)],
            ["項目名稱", "計畫總經費", None, "合計", "備註 (請詳列編列內容)"],
        )
        self.assertEqual(
            [sheet.cell(6, col).value for col in (2, 3)], ["申請補助經費", "自籌經費"]
        )
        self.assertEqual(
            [sheet.cell(row, 1).value for row in (7, 8, 9)],
            ["訓練及活動費", "專案計畫管理費", "總計"],
        )
        self.assertEqual(sheet["D9"].value, 710000)

    # ------------------------------------------------------------ 支用單據明細表
    def _expenditure_list(self, lang):
        return text_of(
            self._html(
                "timebank_grant.timebank_grant_expenditure_list_report",
                self.claim,
                lang=lang,
            )
        )

    def test_list_of_supporting_documents(self):
        text = self._expenditure_list("en_US")
        self.assertIn("List of Supporting Documents", text)
        self.assertIn("Period: 2026-01-01 to 2026-06-30", text)
        # each document: vendor, the vendor's invoice number, date, amount,
        # subsidy and self-funded, receipts
        self.assertRegex(
            text,
            r"1 Sunrise Hall AB-12345678 2026-03-10 Hall for the training day "
            r"Training and activities / Venue [^0-9]*6,200[^0-9]*6,000[^0-9]*200"
            r"[^0-9]* 1 ",
        )
        self.assertRegex(
            text,
            r"2 Sunrise Hall CD-87654321 2026-04-20 Trainer fee "
            r"Training and activities / Trainers [^0-9]*3,000[^0-9]*3,000"
            r"[^0-9]*0[^0-9]* 1 ",
        )
        self.assertRegex(text, r"Total [^0-9]*9,200[^0-9]*9,000[^0-9]*200")
        for signature in ("Prepared by", "Accountant", "Head of the organization"):
            self.assertIn(signature, text)
        self.assertEqual(text.count("Date:"), 3)

    def test_list_of_supporting_documents_in_chinese(self):
        text = self._expenditure_list("zh_TW")
        self.assertIn("支用單據明細表", text)
        self.assertIn("期間： 115年1月1日至6月30日", text)
        self.assertRegex(text, r"1 Sunrise Hall AB-12345678 115年3月10日 ")
        self.assertRegex(text, r"2 Sunrise Hall CD-87654321 115年4月20日 ")
        for words in (
            "受款人（廠商）",
            "發票/收據號碼",
            "補助款",
            "自籌款",
            "承辦人",
            "會計",
            "單位負責人",
        ):
            self.assertIn(words, text)

    def test_submitted_claim_lists_what_was_submitted(self):
        self.claim.with_user(self.accountant).action_submit()
        text = self._expenditure_list("en_US")
        self.assertIn("AB-12345678 2026-03-10 Hall for the training day", text)
        self.assertRegex(text, r"Total [^0-9]*9,200[^0-9]*9,000[^0-9]*200")

    # ------------------------------------------------------------ Attachment 2
    def test_execution_report_in_chinese(self):
        wizard = self._execution_wizard(self.grant)
        sheet = self._xlsx(
            "timebank_grant.timebank_grant_execution_xlsx_report", wizard, lang="zh_TW"
        ).worksheets[0]
        self.assertEqual(sheet["A1"].value, "機關（單位）名稱：Hsinchu Time Bank")
        self.assertTrue(sheet["A2"].value.startswith("接受115年度"), sheet["A2"].value)
        self.assertNotIn("2026 ", sheet["A2"].value)
        self.assertEqual(sheet["A3"].value, "本次填報執行期間：115年1月1日至6月30日")
        self.assertEqual(
            [sheet.cell(4, col).value for col in range(1, 10)],
            [
                "參加對象資格",
                "服務對象類別",
                "交換項目 (請條列式)",
                "提存機制",
                "執行內容摘要",
                "達成效益 (依計畫之效益評估條列說明)",
                "服務量化統計",
                None,
                "備註 (如有其他數據資料請填寫於此欄位)",
            ],
        )
        self.assertEqual(
            (sheet["G5"].value, sheet["H5"].value),
            ("會員人數 (含年齡分布/分析)", "已交換時數 (含交換項目分析)"),
        )

    # ------------------------------------------------------------ Attachment 3
    def test_conflict_of_interest_self_check(self):
        self.grant.write(
            {
                "coi_relative": "yes",
                "coi_disclosure": "Uncle of the chair: county councillor",
            }
        )
        text = text_of(
            self._html(
                "timebank_grant.timebank_grant_conflict_of_interest_report",
                self.grant,
            )
        )
        self.assertIn("Conflict-of-Interest Self-Check of Public Officials", text)
        self.assertEqual(
            re.findall(r"([☑☐]) Yes / ([☑☐]) No", text),
            [("☐", "☑"), ("☐", "☑"), ("☑", "☐")],
        )
        self.assertIn("Uncle of the chair: county councillor", text)
        self.assertIn("Applicant organization: Hsinchu Time Bank", text)
        self.assertIn("Signature or seal of the person filling in the form:", text)
        self.assertIn("Date of filling in: 2026-03-06", text)

    def test_conflict_of_interest_self_check_in_chinese(self):
        text = text_of(
            self._html(
                "timebank_grant.timebank_grant_conflict_of_interest_report",
                self.grant,
                lang="zh_TW",
            )
        )
        self.assertIn("公職人員利益衝突迴避自主檢核表", text)
        self.assertIn("申請補助單位名稱： Hsinchu Time Bank", text)
        self.assertIn("填表人簽名或蓋章：", text)
        self.assertIn("填表日期： 115年3月6日", text)
        self.assertEqual(len(re.findall(r"[☑☐] 是 / [☑☐] 否", text)), 3)

    # ------------------------------------------------------------ who prints
    def _urls(self):
        wizard = (
            self.env["timebank.grant.execution.wizard"]
            .with_user(self.accountant)
            .create({"grant_id": self.grant.id})
        )
        return {
            "budget": f"/report/xlsx/timebank_grant.budget_xlsx/{self.grant.id}",
            "estimate": f"/report/xlsx/timebank_grant.estimate_xlsx/{self.grant.id}",
            "execution": f"/report/xlsx/timebank_grant.execution_xlsx/{wizard.id}",
            "claim": f"/report/html/timebank_grant.report_grant_claim/{self.claim.id}",
            "documents": "/report/html/timebank_grant.report_expenditure_list/"
            f"{self.claim.id}",
            "self-check": "/report/html/timebank_grant.report_conflict_of_interest/"
            f"{self.grant.id}",
        }

    def test_accountant_prints_every_form_over_http(self):
        """Invoicing and Grant User rights, nothing more."""
        self.assertFalse(self.accountant.has_group("account.group_account_manager"))
        urls = self._urls()
        self.authenticate(self.accountant.login, self.accountant.login)
        for name, url in urls.items():
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, name)
            if "/xlsx/" in url:
                self.assertTrue(load_workbook(io.BytesIO(response.content)), name)
            else:
                self.assertIn("Hsinchu Time Bank", response.text, name)
        estimate = load_workbook(io.BytesIO(self.url_open(urls["estimate"]).content))
        self.assertEqual(estimate.active["D9"].value, 710000)
        self.assertIn("AB-12345678", self.url_open(urls["documents"]).text)

    def test_broker_prints_none_of_them(self):
        urls = self._urls()
        self.authenticate(self.broker.login, self.broker.login)
        for name, url in urls.items():
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403, name)
            self.assertIn("not allowed to access", response.text, name)
            for data in ("MOHW-2026-021", "AB-12345678", "Sunrise Hall"):
                self.assertNotIn(data, response.text, name)

    def test_broker_cannot_ask_for_them_over_xmlrpc(self):
        with self.assertRaisesRegex(
            Exception, r"not allowed to access 'Grant' \(timebank.grant\)"
        ):
            self._call(
                self.broker, "timebank.grant", "action_budget_xlsx", [self.grant.id]
            )
        with self.assertRaisesRegex(
            Exception, r"not allowed to create 'Grant Execution Report'"
        ):
            self._call(
                self.broker,
                "timebank.grant.execution.wizard",
                "create",
                {"grant_id": self.grant.id},
            )
