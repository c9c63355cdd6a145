"""Odoo's event mail scheduler sends the reminder of a gathering the day before."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestGatheringReminder(CommunityCase):
    def _reminders(self, gathering):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "event.registration"),
                ("res_id", "in", gathering.registration_ids.ids),
                ("subject", "like", gathering.name),
                ("subject", "not like", "Your registration"),
            ]
        )

    def test_the_scheduler_sends_the_reminder_the_day_before(self):
        gathering = self._gathering(days=3)
        gathering.with_user(self.broker).action_timebank_invite()
        reminder = gathering.event_mail_ids.filtered(
            lambda m: m.interval_type == "before_event"
        )
        self.assertEqual(
            reminder.scheduled_date, gathering.date_begin - timedelta(days=1)
        )
        cron = self.env.ref("event.event_mail_scheduler")
        # two days before: nothing yet
        self.env.invalidate_all()
        with freeze_time(gathering.date_begin - timedelta(days=2)):
            cron.method_direct_trigger()
        self.assertFalse(reminder.mail_done)
        self.assertFalse(self._reminders(gathering))
        # the day before: the members with e-mail get the reminder
        self.env.invalidate_all()
        with freeze_time(gathering.date_begin - timedelta(hours=20)):
            cron.method_direct_trigger()
        self.assertTrue(reminder.mail_done)
        mails = self._reminders(gathering)
        # one reminder per registration; only Amy's has an address: Bo, without
        # e-mail, is in the broker's activity to call
        addressed = mails.filtered("email_to")
        self.assertEqual(len(addressed), 1)
        self.assertIn("amy@example.com", addressed.email_to)
        self.assertIn("Spring tea afternoon", addressed.subject)
        self.assertEqual(
            mails.mapped("res_id"),
            gathering.registration_ids.filtered(lambda r: r.state == "open").ids,
        )
