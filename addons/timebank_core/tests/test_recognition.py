from datetime import date, datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
@freeze_time("2026-12-20 12:00:00")
class TestRecognition(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._service_item(funding="community")
        cls._pay(
            cls._system("issuance"), cls._system("pool"), 10**6, journal_type="issuance"
        )
        cls.members = {
            name: cls._member(name, active=True)
            for name in ("Amy", "Carol", "David", "Kuo")
        }
        # hours given: Amy 12 in October and 30 in November, Carol 25 in October,
        # David 2 in October, Kuo nothing; a draft service of Kuo does not count
        plan = [
            ("Amy", date(2026, 10, 5), 12),
            ("Amy", date(2026, 11, 3), 30),
            ("Carol", date(2026, 10, 7), 25),
            ("David", date(2026, 10, 9), 2),
        ]
        exchanges = cls.env["timebank.exchange"]
        for name, day, hours in plan:
            for index in range(hours):  # one-hour visits, a day apart
                start = datetime.combine(day, datetime.min.time()) + timedelta(
                    days=index % 20, hours=8 + index // 20
                )
                exchanges |= cls.env["timebank.exchange"].create(
                    {
                        "provider_id": cls.members[name].id,
                        "item_id": cls.item.id,
                        "company_id": cls.bank_a.id,
                        "date_start": start,
                        "date_end": start + timedelta(hours=1),
                    }
                )
        exchanges.action_submit()
        exchanges.action_confirm("phone")
        exchanges.action_verify()
        exchanges.action_post()
        cls.env["timebank.exchange"].create(
            {
                "provider_id": cls.members["Kuo"].id,
                "item_id": cls.item.id,
                "company_id": cls.bank_a.id,
                "date_start": datetime(2026, 10, 1, 8),
                "date_end": datetime(2026, 10, 1, 18),
            }
        )

    def _wizard(self, period, day):
        return (
            self.env["timebank.recognition.wizard"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .create({"period": period, "date": day, "company_id": self.bank_a.id})
        )

    def _names(self, rows):
        return [
            (row["member"].partner_id.name, row["minutes"] // 60, row["stars"])
            for row in rows
        ]

    def test_top_contributors_of_the_month(self):
        wizard = self._wizard("month", date(2026, 10, 15))
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 10, 1), date(2026, 10, 31))
        )
        self.assertEqual(
            self._names(wizard._rows()),
            [("Carol", 25, 0), ("Amy", 12, 0), ("David", 2, 0)],
        )

    def test_stars_of_the_quarter(self):
        wizard = self._wizard("quarter", date(2026, 11, 30))
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 10, 1), date(2026, 12, 31))
        )
        # defaults: one star from 10 hours, two from 20, three from 40
        self.assertEqual(
            self._names(wizard._rows()),
            [("Amy", 42, 3), ("Carol", 25, 2), ("David", 2, 0)],
        )
        self.bank_a.write({"timebank_star1_hours": 1, "timebank_star2_hours": 26})
        self.assertEqual([row["stars"] for row in wizard._rows()], [3, 1, 1])

    def test_top_ten_of_the_year_and_the_printed_report(self):
        wizard = self._wizard("year", date(2026, 3, 1))
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 1, 1), date(2026, 12, 31))
        )
        self.assertEqual([row["rank"] for row in wizard._rows()], [1, 2, 3])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("timebank_core.report_recognition", wizard.ids)[0]
            .decode()
        )
        self.assertIn("Top ten of the year", html)
        self.assertIn("42:00", html)
        self.assertLess(html.index("Amy"), html.index("Carol"))
        self.assertNotIn("Kuo", html)

    def test_empty_period(self):
        wizard = self._wizard("month", date(2026, 1, 15))
        self.assertEqual(wizard._rows(), [])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("timebank_core.report_recognition", wizard.ids)[0]
            .decode()
        )
        self.assertIn("No posted service in this period", html)

    def test_star_thresholds_must_rise(self):
        with self.assertRaisesRegex(ValidationError, "must rise, starting above zero"):
            self.bank_a.write({"timebank_star2_hours": 50})
