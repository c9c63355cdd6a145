from odoo.tests import tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestReportLanguage(GrantCase):
    """The execution report speaks one language: the program's name and what
    the time bank wrote come in the language it is printed in, beside headers
    in that language (it mixed English data into a Chinese form)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_TW")
        cls.env["ir.module.module"]._load_module_terms(["timebank_grant"], ["zh_TW"])
        cls.grant = cls._running_grant([("training", 1000, 0)])
        cls.program.with_context(lang="en_US").name = "Time bank grant"
        cls.program.with_context(lang="zh_TW").name = "時間銀行補助計畫"
        cls.grant.with_context(lang="en_US").exec_summary = "Two exchange markets."
        cls.grant.with_context(lang="zh_TW").exec_summary = "辦理兩場交換市集。"

    def _report(self, lang):
        wizard = self._execution_wizard(self.grant)
        return self._xlsx(
            "timebank_grant.timebank_grant_execution_xlsx_report", wizard, lang=lang
        ).worksheets[0]

    def test_in_chinese_the_data_is_in_chinese(self):
        sheet = self._report("zh_TW")
        self.assertIn("時間銀行補助計畫", sheet["A2"].value)
        self.assertNotIn("Time bank grant", sheet["A2"].value)
        self.assertEqual(sheet["E4"].value, "執行內容摘要")
        self.assertEqual(sheet["E6"].value, "辦理兩場交換市集。")

    def test_in_english_the_data_is_in_english(self):
        sheet = self._report("en_US")
        self.assertIn("Time bank grant", sheet["A2"].value)
        self.assertEqual(sheet["E4"].value, "Summary of activities")
        self.assertEqual(sheet["E6"].value, "Two exchange markets.")
