from datetime import date

from odoo.tests import freeze_time, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerExpiry(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pool = cls._system("pool")
        # no warning days: a notice and its expiry on the same run, so that
        # these tests are about the first-in-first-out arithmetic alone (the
        # notice period is tested in test_expiry_job)
        cls.bank_a.write(
            {
                "timebank_credit_limit": 10000,
                "timebank_pool_credit_limit": 100000,
                "timebank_expiry_warning_days": 0,
            }
        )
        cls.amy = cls._member("Amy", active=True, email="amy@example.com")
        cls.david = cls._member("David", active=True)  # no e-mail: paper letters

    def _earn(self, member, minutes, on):
        with freeze_time(on):
            return self._pay(self.pool, member, minutes, date=on)

    def _spend(self, member, minutes, on):
        with freeze_time(on):
            return self._pay(member, self.pool, minutes, date=on)

    def _run(self, on):
        with freeze_time(on):
            return self.bank_a._timebank_run_expiry(date.fromisoformat(on))

    def test_fifo_across_several_earning_dates(self):
        self._earn(self.amy, 100, "2020-03-01")
        self._earn(self.amy, 50, "2021-06-01")
        self._earn(self.amy, 80, "2022-01-10")
        self._spend(
            self.amy, 120, "2021-07-01"
        )  # uses the 100 of 2020, then 20 of 2021
        self.assertEqual(self.amy.balance, 110)

        self.assertFalse(self._run("2025-02-28"))
        entries = self._run("2025-03-01")
        self.assertFalse(entries, "the 2020 credits were all spent")

        entries = self._run("2026-06-01")  # 30 left of 2021 expire
        self.assertEqual(entries.mapped("total_minutes"), [30])
        self.assertEqual(entries.journal_id.type, "expiry")
        self.assertEqual(self.amy.balance, 80)
        self.assertEqual(self._system("expiry").balance, 30)

        self.assertFalse(self._run("2026-06-02"), "expiry is not posted twice")
        entries = self._run("2027-01-10")
        self.assertEqual(entries.mapped("total_minutes"), [80])
        self.assertEqual(self.amy.balance, 0)

    def test_spending_before_earning_uses_the_new_credits(self):
        self._spend(self.amy, 60, "2020-01-01")  # overdraft
        self._earn(self.amy, 100, "2020-02-01")
        entries = self._run("2025-02-01")
        self.assertEqual(entries.mapped("total_minutes"), [40])
        self.assertEqual(self.amy.balance, 0)

    def test_year_end_policy(self):
        self.bank_a.write(
            {"timebank_expiry_policy": "year_end", "timebank_expiry_years": 0}
        )
        self._earn(self.amy, 45, "2026-03-15")
        self._earn(self.amy, 15, "2026-12-31")
        self.assertFalse(self._run("2026-12-30"))
        entries = self._run("2026-12-31")
        self.assertEqual(entries.mapped("total_minutes"), [60])
        self.bank_a.timebank_expiry_years = 2
        self._earn(self.amy, 30, "2027-05-05")
        self.assertFalse(self._run("2029-12-30"))
        self.assertEqual(self._run("2029-12-31").mapped("total_minutes"), [30])

    def test_other_banks_are_not_touched(self):
        lin = self._member("Lin", bank=self.bank_b, active=True)
        self.bank_b.write(
            {"timebank_pool_credit_limit": 1000, "timebank_expiry_warning_days": 0}
        )
        with freeze_time("2020-01-01"):
            self._pay(
                self._system("pool", self.bank_b),
                lin,
                60,
                bank=self.bank_b,
                date="2020-01-01",
            )
        self._run("2026-01-01")
        self.assertEqual(lin.balance, 60)

    def test_members_are_warned_once_ahead_of_time(self):
        self.bank_a.timebank_expiry_warning_days = 30
        self._earn(self.amy, 90, "2021-05-20")
        self._earn(self.david, 60, "2021-05-25")
        mails = self.env["mail.mail"].search([])
        self._run("2026-04-10")  # nothing expires within 30 days
        self.assertFalse(self.amy.expiry_notice_date)
        self._run("2026-04-25")
        self.assertEqual(self.amy.expiry_notice_minutes, 90)
        # told on 25 April, the credits of 20 May expire the full 30 days later
        self.assertEqual(self.amy.expiry_notice_date, date(2026, 5, 25))
        new_mails = self.env["mail.mail"].search([]) - mails
        self.assertEqual(len(new_mails), 1)
        self.assertIn(self.amy.partner_id, new_mails.recipient_ids)
        self.assertIn("1:30", new_mails.body_html)
        # David has no e-mail: a letter waits to be printed
        self.assertTrue(self.david.expiry_letter_pending)
        self.assertFalse(self.amy.expiry_letter_pending)
        self.assertEqual(self.david.expiry_notice_minutes, 60)
        # not again the next day
        self._run("2026-04-26")
        self.assertEqual(self.env["mail.mail"].search([]) - mails, new_mails)
        # the broker prints and posts the letters
        letters = self.env["timebank.member"].search(
            [("expiry_letter_pending", "=", True), ("company_id", "=", self.bank_a.id)]
        )
        self.assertEqual(letters, self.david)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("timebank_core.report_expiry_letter", letters.ids)[0]
            .decode()
        )
        self.assertIn("1:00", html)
        self.assertIn("David", html)
        letters.with_user(self.broker).action_mark_letters_sent()
        self.assertFalse(self.david.expiry_letter_pending)

    def test_daily_job_runs_for_every_bank(self):
        self._earn(self.amy, 30, "2020-01-01")
        self.bank_a.timebank_expiry_warning_days = 10
        with freeze_time("2025-01-02"):
            self.env["res.company"]._cron_timebank_expiry()
        self.assertEqual(self.amy.balance, 30, "announced, not expired yet")
        with freeze_time("2025-01-12"):
            self.env["res.company"]._cron_timebank_expiry()
        self.assertEqual(self.amy.balance, 0)
        cron = self.env.ref("timebank_core.ir_cron_timebank_expiry")
        self.assertTrue(cron.active)
