from datetime import date, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import CooperativeCase


@tagged("post_install", "-at_install")
class TestBrokerCheck(CooperativeCase):
    def _as_broker(self, exchange):
        return exchange.with_user(self.broker).with_company(self.bank_a)

    def test_verify_refused_with_expired_check(self):
        today = date.today()
        self._check(
            self.broker.partner_id,
            "background",
            today - timedelta(days=800),
            today - timedelta(days=35),
            name="Police record 2024",
        )
        self._check(self.broker.partner_id, "training", today - timedelta(days=10))
        exchange = self._confirmed(self.amy, self.bob)
        with self.assertRaisesRegex(
            UserError,
            r"background check of the broker .* \(Police record 2024\) expired on",
        ):
            self._as_broker(exchange).action_verify()
        self.assertEqual(exchange.state, "confirmed")

    def test_verify_refused_without_training(self):
        self._check(
            self.broker.partner_id, "background", date.today() - timedelta(days=5)
        )
        exchange = self._confirmed(self.amy, self.bob)
        with self.assertRaisesRegex(UserError, r"has no training recorded in Bank A"):
            self._as_broker(exchange).action_verify()

    def test_post_refused_once_the_training_expired(self):
        with freeze_time("2026-03-01"):
            self._checked(self.broker, today=date(2026, 3, 1))
        exchange = self._confirmed(self.amy, self.bob)
        self._as_broker(exchange).action_verify()
        self.assertEqual(exchange.state, "verified")
        later = date.today() + timedelta(days=400)
        with freeze_time(later), self.assertRaisesRegex(UserError, "expired on"):
            self._as_broker(exchange).action_post()
        self._as_broker(exchange).action_post()
        self.assertEqual(exchange.state, "posted")

    def test_other_bank_records_do_not_count(self):
        self._checked(self.broker, bank=self.bank_b)
        exchange = self._confirmed(self.amy, self.bob)
        with self.assertRaisesRegex(UserError, "has no background check recorded"):
            self._as_broker(exchange).action_verify()

    def test_setting_off_lets_unchecked_brokers_verify(self):
        self.bank_a.timebank_broker_check_required = False
        exchange = self._confirmed(self.amy, self.bob)
        self._as_broker(exchange).action_verify()
        self.assertEqual(exchange.state, "verified")

    def test_volunteer_needs_a_check_for_items_that_require_it(self):
        self._checked(self.broker)
        item = self._service_item("Escort to hospital", requires_background_check=True)
        today = date.today()
        check = self._check(
            self.amy.partner_id,
            "background",
            today - timedelta(days=400),
            today + timedelta(days=30),
            name="Police record",
        )
        self.assertEqual(self.amy.background_check_date, check.date)
        self.assertEqual(self.amy.background_check_expiry, check.expiry_date)
        exchange = self._confirmed(self.amy, self.bob, item=item)
        check.expiry_date = today - timedelta(days=1)
        self.assertFalse(self.amy.has_valid_background_check)
        with self.assertRaisesRegex(
            UserError,
            r"Amy Lin, who provides Escort to hospital \(Police record\) expired",
        ):
            self._as_broker(exchange).action_verify()
        check.expiry_date = today + timedelta(days=30)
        self._as_broker(exchange).action_verify()
        self.assertEqual(exchange.state, "verified")
        check.unlink()
        self.assertFalse(self.amy.background_check_date)

    def test_dates_checked(self):
        with self.assertRaisesRegex(ValidationError, "would expire before"):
            self._check(
                self.broker.partner_id,
                "training",
                date(2026, 5, 1),
                date(2026, 4, 1),
            )

    def test_status_search(self):
        valid = self._check(self.broker.partner_id, "training", date.today())
        expired = self._check(
            self.broker.partner_id,
            "background",
            date(2020, 1, 1),
            date(2021, 1, 1),
        )
        Check = self.env["timebank.broker.check"]
        self.assertIn(valid, Check.search([("status", "=", "valid")]))
        self.assertNotIn(expired, Check.search([("status", "=", "valid")]))
        self.assertIn(expired, Check.search([("status", "!=", "valid")]))

    @freeze_time("2026-06-01")
    def test_reminder_before_expiry_once(self):
        soon = self._check(
            self.broker.partner_id, "training", date(2025, 6, 1), date(2026, 6, 20)
        )
        later = self._check(
            self.broker.partner_id,
            "background",
            date(2025, 6, 1),
            date(2026, 12, 31),
        )
        Check = self.env["timebank.broker.check"]
        Check._cron_remind_expiry()
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(soon.activity_ids.user_id, self.broker)
        self.assertRegex(soon.activity_ids.note, "expires on 06/20/2026|2026-06-20")
        self.assertFalse(later.activity_ids)
        Check._cron_remind_expiry()
        self.assertEqual(len(soon.activity_ids), 1)

    @freeze_time("2026-06-01")
    def test_no_reminder_when_renewed(self):
        old = self._check(
            self.broker.partner_id, "training", date(2025, 6, 1), date(2026, 6, 20)
        )
        self._check(
            self.broker.partner_id, "training", date(2026, 5, 1), date(2027, 5, 1)
        )
        self.env["timebank.broker.check"]._cron_remind_expiry()
        self.assertFalse(old.activity_ids)

    def test_membership_created_after_the_check_shows_it(self):
        person = self._person("Grace Pan", timebank_privacy_consent=True)
        check = self._check(person, "background", date.today(), name="Police record")
        member = self.env["timebank.member"].create(
            {"partner_id": person.id, "company_id": self.bank_a.id}
        )
        self.assertEqual(member.background_check_date, check.date)
        self.assertTrue(member.has_valid_background_check)

    def test_membership_check_dates_follow_the_records(self):
        check = self._check(
            self.amy.partner_id, "background", date.today(), name="Police record"
        )
        self.assertEqual(self.amy.background_check_date, check.date)
        for user in (self.broker, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(
                    UserError, "follow the background check records"
                ):
                    self.amy.with_user(user).write(
                        {"background_check_date": date.today() + timedelta(days=1)}
                    )
        with self.assertRaisesRegex(UserError, "follow the background check records"):
            self.env["timebank.member"].with_user(self.manager).create(
                {
                    "partner_id": self._person("Hugo Ma").id,
                    "company_id": self.bank_a.id,
                    "background_check_expiry": date.today(),
                }
            )
        self.assertEqual(self.amy.background_check_date, check.date)

    def test_check_dates_are_not_copied_to_another_membership(self):
        self._check(self.amy.partner_id, "background", date.today(), date(2099, 1, 1))
        self.assertTrue(self.amy.background_check_expiry)
        person = self._person("Ivy Ma", timebank_privacy_consent=True)
        (vals,) = self.amy.copy_data({"partner_id": person.id})
        self.assertNotIn("background_check_date", vals)
        self.assertNotIn("background_check_expiry", vals)

    @freeze_time("2026-06-01")
    def test_reminder_is_marked_by_the_reminder(self):
        check = self._check(
            self.broker.partner_id, "training", date(2025, 6, 1), date(2026, 6, 20)
        )
        with self.assertRaisesRegex(UserError, "daily reminder of the checks"):
            check.with_user(self.manager).reminder_sent = True
        with self.assertRaisesRegex(UserError, "daily reminder of the checks"):
            self.env["timebank.broker.check"].with_user(self.manager).create(
                {
                    "name": "Training",
                    "kind": "training",
                    "partner_id": self.broker.partner_id.id,
                    "company_id": self.bank_a.id,
                    "reminder_sent": True,
                }
            )
        self.env["timebank.broker.check"]._cron_remind_expiry()
        self.assertTrue(check.reminder_sent)
        # renewed until a later date: reminded again before that one
        check.with_user(self.manager).expiry_date = date(2026, 6, 25)
        self.assertFalse(check.reminder_sent)
