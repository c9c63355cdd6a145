import io

from openpyxl import load_workbook

from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestReportDownloads(GrantHttpCase):
    """A download is a download: printing a workbook leaves nothing behind on
    the grant (every XLSX download used to add an attachment)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 600000, 50000), ("management_fee", 60000, 0)],
            award_number="MOHW-2026-011",
        )

    def _attachments(self):
        return self.env["ir.attachment"].search_count(
            [("res_model", "like", "timebank.grant")]
        )

    def _follow(self, action):
        """What the browser does with the action a button returns."""
        if action["type"] == "ir.actions.act_url":
            url = action["url"]
        else:
            ids = ",".join(str(i) for i in action["context"]["active_ids"])
            url = f"/report/{action['report_type']}/{action['report_name']}/{ids}"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content

    def test_budget_download_leaves_no_attachment(self):
        self.authenticate(self.accountant.login, self.accountant.login)
        before = self._attachments()
        for _download in range(2):
            content = self._follow(
                self.grant.with_user(self.accountant).action_budget_xlsx()
            )
            sheet = load_workbook(io.BytesIO(content)).active
            self.assertEqual(sheet["B2"].value, "MOHW-2026-011")
        self.assertEqual(self._attachments(), before)

    def test_execution_download_leaves_no_attachment(self):
        self.authenticate(self.accountant.login, self.accountant.login)
        wizard = self._execution_wizard(self.grant)
        before = self._attachments()
        for _download in range(2):
            content = self._follow(wizard.action_print_xlsx())
            self.assertTrue(load_workbook(io.BytesIO(content)).worksheets)
        self.assertEqual(self._attachments(), before)
