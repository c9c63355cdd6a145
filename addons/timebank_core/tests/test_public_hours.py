from odoo.tests import HttpCase, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestPublicHours(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._service_item("Shopping")
        cls.amy = cls._member("Amy Secretname", active=True)
        cls.david = cls._member("David Hiddenname", active=True)
        cls.bank_a.timebank_credit_limit = 1000
        for start, end in (
            ("2025-03-02 09:00:00", "2025-03-02 11:00:00"),
            ("2026-01-05 09:00:00", "2026-01-05 10:30:00"),
        ):
            service = cls.env["timebank.exchange"].create(
                {
                    "provider_id": cls.amy.id,
                    "receiver_id": cls.david.id,
                    "item_id": cls.item.id,
                    "company_id": cls.bank_a.id,
                    "date_start": start,
                    "date_end": end,
                }
            )
            service.action_submit()
            service.action_confirm("phone")
            service.action_verify()
            service.action_post()

    def test_the_board_shows_totals_and_nobody(self):
        url = f"/timebank/{self.bank_a.id}/hours"
        self.assertEqual(self.url_open(url).status_code, 404, "off by default")
        self.bank_a.write(
            {
                "timebank_public_board": True,
                "timebank_credit_reference_value": 200,
                "timebank_credit_reference_currency_id": self.env.ref("base.TWD").id,
            }
        )
        page = self.url_open(url)  # not logged in
        self.assertEqual(page.status_code, 200)
        html = page.text
        self.assertIn("Bank A", html)
        self.assertRegex(html, r'timebank-board-hours">\s*3\s*<')  # 3:30 given
        self.assertRegex(html, r'timebank-board-services">\s*2\s*<')
        self.assertRegex(html, r'timebank-board-members">\s*2\s*<')
        self.assertIn("2025", html)
        self.assertIn("700", html)
        for private in ("Secretname", "Hiddenname", "Shopping"):
            self.assertNotIn(private, html)
        # another bank's board is its own choice
        self.assertEqual(
            self.url_open(f"/timebank/{self.bank_b.id}/hours").status_code, 404
        )
