from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestCarePlan(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.timebank_care_plan_days = 21
        cls.volunteer = cls._volunteer("Regular Ren")

    def _plan(self, **vals):
        return (
            self.env["timebank.care.plan"]
            .with_user(self.broker)
            .create(
                dict(
                    {
                        "name": "Thursday visit",
                        "company_id": self.bank_a.id,
                        "member_id": self.elder.id,
                        "item_id": self.shopping.id,
                        "weekday": "3",
                        "hour": 14.0,
                        "duration": 1.5,
                        "tz": "Asia/Taipei",
                        "date_start": date(2026, 1, 1),
                        "user_id": self.broker.id,
                    },
                    **vals,
                )
            )
        )

    def test_weekly_visits_across_a_month_boundary(self):
        plan = self._plan()
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
        visits = plan.request_ids.sorted("visit_date")
        self.assertEqual(
            visits.mapped("visit_date"),
            [date(2026, 1, 29), date(2026, 2, 5), date(2026, 2, 12)],
        )
        self.assertEqual(set(visits.mapped("state")), {"published"})
        # 14:00 in Taipei is 06:00 UTC
        self.assertEqual(visits[0].date_from, datetime(2026, 1, 29, 6, 0))
        self.assertEqual(visits[0].date_deadline, datetime(2026, 1, 29, 7, 30))
        self.assertEqual(visits[0].intake_channel, "home_visit")
        # the next day's run adds the new week only
        with freeze_time("2026-02-01 02:00:00"):
            self.env["timebank.care.plan"]._cron_generate()
        self.assertEqual(
            plan.request_ids.sorted("visit_date").mapped("visit_date")[-2:],
            [date(2026, 2, 12), date(2026, 2, 19)],
        )
        self.assertEqual(len(plan.request_ids), 4)

    def test_every_other_week_with_a_regular_volunteer(self):
        plan = self._plan(interval=2, provider_id=self.volunteer.id)
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
        visits = plan.request_ids.sorted("visit_date")
        # from 1 January, a Thursday: every other Thursday
        self.assertEqual(
            visits.mapped("visit_date"), [date(2026, 1, 29), date(2026, 2, 12)]
        )
        self.assertEqual(set(visits.mapped("state")), {"assigned"})
        self.assertEqual(visits.provider_id, self.volunteer)
        with freeze_time("2026-02-01 02:00:00"):
            plan.action_stop()
        self.assertEqual(visits.mapped("state"), ["assigned", "cancelled"])
        self.assertEqual(plan.state, "stopped")

    def test_monthly_visits(self):
        plan = self._plan(rhythm="monthly", date_start=date(2026, 1, 30))
        self.bank_a.timebank_care_plan_days = 70
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
        # February has no 30th
        self.assertEqual(
            plan.request_ids.sorted("visit_date").mapped("visit_date"),
            [date(2026, 1, 30), date(2026, 3, 30)],
        )

    def test_a_missed_visit_raises_an_activity_for_the_broker(self):
        plan = self._plan(provider_id=self.volunteer.id)
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
        first, second = plan.request_ids.sorted("visit_date")[:2]
        # the second visit is checked in on time
        with freeze_time("2026-02-05 06:05:00"):
            second.action_check_in()
        Request = self.env["timebank.request"]
        with freeze_time("2026-01-29 08:00:00"):  # 30 minutes after the window
            self.assertFalse(Request._cron_missed_visits())
        with freeze_time("2026-01-29 09:31:00"):  # after the 2 hours of grace
            missed = Request._cron_missed_visits()
        self.assertEqual(missed, first)
        self.assertTrue(first.missed)
        activity = first.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.broker)
        self.assertEqual(activity.summary, "Missed visit")
        self.assertIn("Elder Lin", str(activity.note))
        with freeze_time("2026-02-06 12:00:00"):
            missed = Request._cron_missed_visits()
        self.assertNotIn(second, missed)
        self.assertNotIn(first, missed)  # reported once
        self.assertEqual(len(first.activity_ids), 1)

    def test_a_missed_visit_counts_against_reliability(self):
        plan = self._plan(provider_id=self.volunteer.id)
        with freeze_time("2026-01-25 02:00:00"):
            plan.action_start()
        with freeze_time("2026-01-29 12:00:00"):
            self.env["timebank.request"]._cron_missed_visits()
            _ranked, rows = self._ranked(self._request())
        row = next(r for r in rows if r["member_id"] == self.volunteer.id)
        self.assertAlmostEqual(row["completion"], 1 / 3)

    def test_rhythm_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "at least every 1 week"):
            self._plan(interval=0)
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._plan(date_end=date(2025, 12, 1))
