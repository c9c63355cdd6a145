"""Every PDF of the time bank says whose it is in its body, so that it prints
with any wkhtmltopdf (Debian's draws no header)."""

from datetime import date

from lxml import html

from odoo.tests import tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestReportHeading(TimebankCase):
    def _page(self, report, ids, data=None):
        content = (
            self.env["ir.actions.report"]
            .with_user(self.broker)
            ._render_qweb_html(report, ids, data=data)[0]
        )
        pages = html.fromstring(content).xpath("//div[hasclass('page')]")
        self.assertTrue(pages, report)
        return pages[0].text_content()

    def test_the_statement_and_the_recognition_name_the_bank(self):
        self.bank_a.partner_id.write(
            {
                "street": "12 Lane 3, Zhongshan Road",
                "city": "Hsinchu",
                "phone": "03 555 1234",
            }
        )
        member = self._member("Heading Elder Lo", active=True)
        page = self._page(
            "timebank_core.report_statement",
            member.ids,
            {
                "timebank_statement_from": "2026-01-01",
                "timebank_statement_to": "2026-12-31",
            },
        )
        for text in (self.bank_a.name, "Zhongshan Road", "Hsinchu", "03 555 1234"):
            self.assertIn(text, page)
        wizard = (
            self.env["timebank.recognition.wizard"]
            .with_user(self.broker)
            .create({"company_id": self.bank_a.id, "date": date(2026, 11, 1)})
        )
        page = self._page("timebank_core.report_recognition", wizard.ids)
        self.assertIn(self.bank_a.name, page)
        self.assertIn("Zhongshan Road", page)
