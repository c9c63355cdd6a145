from datetime import date

from odoo.tests import freeze_time, tagged

from .common import GrantCase


@tagged("post_install", "-at_install")
class TestDeadline(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant([("training", 100000, 0)])
        cls.draft = cls._grant([("training", 100000, 0)], name="Not approved yet")

    def _reminders(self, grant):
        return self.env["mail.activity"].search(
            [("res_model", "=", "timebank.grant"), ("res_id", "=", grant.id)]
        )

    def _run_cron(self):
        self.env.ref(
            "timebank_grant.ir_cron_grant_deadline_reminders"
        ).method_direct_trigger()

    def test_no_reminder_far_from_a_deadline(self):
        with freeze_time("2026-03-01"):
            self._run_cron()
        self.assertFalse(self._reminders(self.grant))

    def test_july_and_december_reminders_once_each(self):
        with freeze_time("2026-07-05"):
            self._run_cron()
            self._run_cron()
        july = self._reminders(self.grant)
        self.assertEqual(len(july), 1)
        self.assertEqual(july.date_deadline, date(2026, 7, 31))
        self.assertEqual(july.user_id, self.accountant)
        self.assertIn("Execution report (first half)", july.summary)
        with freeze_time("2026-12-01"):
            self._run_cron()
        december = self._reminders(self.grant) - july
        self.assertEqual(december.date_deadline, date(2026, 12, 31))
        self.assertFalse(self._reminders(self.draft))
