from datetime import date, datetime, timedelta

from odoo.tests import freeze_time, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
@freeze_time("2026-12-20 12:00:00")
class TestKpi(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._service_item()
        people = {
            "Amy": (date(2010, 5, 2), "female", date(2026, 2, 1)),
            "Carol": (date(1986, 1, 9), "female", date(2026, 3, 1)),
            "David": (date(1956, 10, 13), "male", date(2026, 4, 1)),
            "Wang": (date(1950, 3, 7), "female", date(2025, 6, 1)),
        }
        cls.m = {}
        for name, (born, gender, joined) in people.items():
            member = cls._member(name, active=True, birthdate_date=born, gender=gender)
            member.join_date = joined
            member.write({"has_own_credit_limit": True, "credit_limit": 10000})
            cls.m[name] = member
        plan = [
            ("Amy", "David", datetime(2025, 3, 10, 2), 60),
            ("Amy", "David", datetime(2026, 3, 10, 2), 120),
            ("Carol", "Wang", datetime(2026, 5, 1, 2), 60),
            ("David", "Amy", datetime(2026, 7, 1, 2), 30),
        ]
        exchanges = cls.env["timebank.exchange"]
        for provider, receiver, start, minutes in plan:
            exchanges |= cls.env["timebank.exchange"].create(
                {
                    "provider_id": cls.m[provider].id,
                    "receiver_id": cls.m[receiver].id,
                    "item_id": cls.item.id,
                    "company_id": cls.bank_a.id,
                    "date_start": start,
                    "date_end": start + timedelta(minutes=minutes),
                }
            )
        exchanges.action_submit()
        exchanges.action_confirm("phone")
        exchanges.action_verify()
        exchanges.action_post()

    def _kpis(self):
        wizard = (
            self.env["timebank.kpi.wizard"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .create(
                {
                    "company_id": self.bank_a.id,
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 12, 20),
                }
            )
        )
        return wizard, wizard._kpis()

    def test_figures_on_a_known_data_set(self):
        wizard, kpis = self._kpis()
        self.assertEqual(kpis["active_members"], 4)
        self.assertEqual(kpis["services"], 3)
        self.assertEqual(kpis["minutes"], 210)
        self.assertEqual(kpis["minutes_growth"], 250.0)  # 210 against 60 a year before
        self.assertEqual(kpis["new_members"], 3)
        self.assertEqual(kpis["new_members_growth"], 200.0)  # 3 against 1
        self.assertEqual(kpis["active_givers"], 3)
        self.assertEqual(kpis["by_generation"], {"Adult": 1, "Elder": 2, "Youth": 1})
        self.assertEqual(
            kpis["by_age_band"], {"0-17": 1, "25-44": 1, "65-74": 1, "75-84": 1}
        )
        self.assertEqual(kpis["by_gender"], {"Female": 3, "Male": 1})
        self.assertEqual(
            {
                member.partner_id.name: value
                for member, value in kpis["given_received"].items()
            },
            {"Amy": (120, 30), "Carol": (60, 0), "David": (30, 120), "Wang": (0, 60)},
        )
        # the same figures on the broker's screen
        self.assertEqual(wizard.hours, 3.5)
        self.assertEqual(wizard.hours_growth, 250.0)
        self.assertIn("Elder: 2", wizard.members_by_generation)
        self.assertIn("Amy: 2.0 / 0.5", wizard.exchange_ratios)

    def test_members_served_by_recipient_category(self):
        alone = self.env.ref("timebank_core.recipient_category_living_alone")
        low_income = self.env.ref("timebank_core.recipient_category_low_income")
        self.m["David"].recipient_category_ids = alone | low_income
        self.m["Wang"].recipient_category_ids = alone
        # Carol received nothing in the period: not counted
        self.m["Carol"].recipient_category_ids = low_income
        wizard, kpis = self._kpis()
        self.assertEqual(
            kpis["served_by_category"], {"Living alone": 2, "Low-income household": 1}
        )
        self.assertIn("Living alone: 2", wizard.members_by_recipient_category)

    def test_impact_value_only_when_the_bank_sets_one(self):
        wizard, kpis = self._kpis()
        self.assertEqual(kpis["impact_value"], 0.0)
        # the form hides it: no "0.0" shown as if the hours had no value
        self.assertFalse(wizard.impact_value)
        self.bank_a.write(
            {
                "timebank_credit_reference_value": 200.0,
                "timebank_credit_reference_currency_id": self.env.ref("base.TWD").id,
            }
        )
        wizard, kpis = self._kpis()
        self.assertEqual(kpis["impact_value"], 700.0)  # 3.5 hours at 200
        self.assertIn("700", wizard.impact_value)
        # never a price: the services and the ledger are in minutes only
        self.assertEqual(kpis["minutes"], 210)

    def test_no_base_year_means_no_growth(self):
        wizard, _kpis = self._kpis()
        wizard.date_from = date(2020, 1, 1)
        wizard.date_to = date(2020, 12, 31)
        kpis = wizard._kpis()
        self.assertEqual(kpis["services"], 0)
        self.assertIsNone(kpis["minutes_growth"])
        self.assertEqual(wizard.hours_growth, 0.0)
