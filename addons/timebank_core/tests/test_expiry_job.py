"""The expiry job as production runs it: the scheduled action, an empty cache,
a bank with years of history, members warned before anything expires."""

from datetime import date
from xmlrpc.client import Fault

from odoo.tests import HttpCase, freeze_time, tagged

from .common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestExpiryJob(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.write(
            {
                "timebank_credit_limit": 10000,
                "timebank_pool_credit_limit": 100000,
                "timebank_expiry_policy": "years",
                "timebank_expiry_years": 5,
                "timebank_expiry_warning_days": 60,
            }
        )
        cls.pool = cls._system("pool")
        cls.amy = cls._member("Amy", active=True, email="amy@example.com")
        cls.david = cls._member("David", active=True)  # no e-mail: paper letters
        cls.cron = cls.env.ref("timebank_core.ir_cron_timebank_expiry")

    def _earn(self, member, minutes, on):
        with freeze_time(on):
            self._pay(self.pool, member, minutes, date=on)

    def _spend(self, member, minutes, on):
        with freeze_time(on):
            self._pay(member, self.pool, minutes, date=on)

    def _history(self):
        """Five years of a bank: Amy earns an hour every quarter from 2020 to
        2024 and spends an hour and a half in 2023; David earns twice."""
        for year in range(2020, 2025):
            for month in (1, 4, 7, 10):
                self._earn(self.amy, 60, f"{year}-{month:02d}-01")
        self._spend(self.amy, 90, "2023-06-01")  # the 2020-01 hour, half of 2020-04
        self._earn(self.david, 90, "2020-06-01")
        self._earn(self.david, 90, "2021-06-01")

    def _daily_job(self, on):
        """The scheduled action, as the cron worker runs it: nothing cached."""
        self.env.invalidate_all()
        with freeze_time(f"{on} 02:00:00"):
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _notices(self, member):
        return self.env["timebank.expiry.notice"].search(
            [("member_id", "=", member.id)], order="id"
        )

    def test_schedule_with_an_empty_cache(self):
        """The rows of the ledger are fetched before any bank is read."""
        self._earn(self.amy, 60, "2020-01-01")
        self.env.invalidate_all()
        schedule = self.amy.account_id._expiry_schedule(
            date(2026, 1, 1), date(2026, 1, 1)
        )
        self.assertEqual(schedule, {self.amy.account_id.id: (60, [])})

    def test_first_run_on_a_bank_with_history_warns_then_expires_once(self):
        self._history()
        mails = self.env["mail.mail"].search([])
        self.assertEqual(self.amy.balance, 1110)

        # the first run: years of credits past their date; nobody was told,
        # so nothing expires yet: everyone is told what expires, and when
        self._daily_job("2026-03-01")
        self.assertEqual(self.amy.balance, 1110)
        self.assertEqual(self._system("expiry").balance, 0)
        amy_notice = self._notices(self.amy)
        self.assertEqual(len(amy_notice), 1)
        # what was earned up to April 2021 (5 years before the date 60 days on):
        # half an hour left of 2020-04, then 2020-07, 2020-10, 2021-01, 2021-04
        self.assertEqual(amy_notice.minutes, 30 + 4 * 60)
        self.assertEqual(amy_notice.expiry_date, date(2026, 4, 30))
        self.assertEqual(amy_notice.channel, "email")
        new_mails = self.env["mail.mail"].search([]) - mails
        self.assertEqual(new_mails.recipient_ids, self.amy.partner_id)
        self.assertIn("4:30", new_mails.body_html)
        self.assertIn("04/30/2026", new_mails.body_html)
        david_notice = self._notices(self.david)
        self.assertEqual(
            (david_notice.minutes, david_notice.channel, david_notice.expiry_date),
            (90, "letter", date(2026, 4, 30)),
        )
        self.assertTrue(self.david.expiry_letter_pending)
        letter = (
            self.env["ir.actions.report"]
            ._render_qweb_html("timebank_core.report_expiry_letter", self.david.ids)[0]
            .decode()
        )
        self.assertIn("1:30", letter)
        self.assertIn("04/30/2026", letter)

        # the next days: told once, nothing expires before the date
        self._daily_job("2026-03-02")
        self._daily_job("2026-04-29")
        self.assertEqual(len(self._notices(self.amy)), 1)
        self.assertEqual(self.env["mail.mail"].search([]) - mails, new_mails)
        self.assertEqual(self._system("expiry").balance, 0)

        # Amy uses 40 minutes in time: they come out of the oldest credits
        self._spend(self.amy, 40, "2026-04-10")
        self._daily_job("2026-04-30")
        self.assertEqual(self.amy.balance, 1110 - 40 - 230)
        self.assertEqual(self.david.balance, 90)
        self.assertEqual(self._system("expiry").balance, 230 + 90)
        self.assertEqual(
            (amy_notice.state, amy_notice.expired_minutes), ("expired", 230)
        )
        self.assertEqual(amy_notice.entry_id.total_minutes, 230)
        self.assertEqual(david_notice.expired_minutes, 90)
        # David's 2021 credits (due 1 June) were announced on 29 April, the
        # first run that saw them within 60 days, for 60 days after
        self.assertEqual(
            self._notices(self.david)[1:].mapped("expiry_date"), [date(2026, 6, 28)]
        )

        # a second run the same day, and the next day: nothing expires twice
        self._daily_job("2026-04-30")
        self._daily_job("2026-05-01")
        self.assertEqual(self._system("expiry").balance, 320)
        entries = self.env["timebank.entry"].search(
            [("journal_id.type", "=", "expiry"), ("company_id", "=", self.bank_a.id)]
        )
        self.assertEqual(sorted(entries.mapped("total_minutes")), [90, 230])
        self.assertTrue(self.env["timebank.entry"].verify_chain(self.bank_a.id)["ok"])

    def test_never_more_than_announced(self):
        """Credits recorded late, older than a notice, expire on their own notice."""
        self._earn(self.amy, 60, "2020-01-01")
        self._daily_job("2024-10-01")  # nothing within 60 days
        self.assertFalse(self._notices(self.amy))
        self._daily_job("2024-12-01")
        notice = self._notices(self.amy)
        self.assertEqual((notice.minutes, notice.expiry_date), (60, date(2025, 1, 30)))
        # a service of December 2019 recorded late: its credits are older
        self._earn(self.amy, 45, "2019-12-20")
        self._daily_job("2024-12-20")
        late = self._notices(self.amy) - notice
        self.assertEqual((late.minutes, late.expiry_date), (45, date(2025, 2, 18)))
        self._daily_job("2025-01-30")
        self.assertEqual(notice.expired_minutes, 60)
        self.assertEqual(self.amy.balance, 45)
        self._daily_job("2025-02-18")
        self.assertEqual(late.expired_minutes, 45)
        self.assertEqual(self.amy.balance, 0)

    def test_year_end_policy_through_the_job(self):
        self.bank_a.write(
            {
                "timebank_expiry_policy": "year_end",
                "timebank_expiry_years": 0,
                "timebank_expiry_warning_days": 30,
            }
        )
        self._earn(self.amy, 45, "2026-03-15")
        self._earn(self.amy, 15, "2026-11-20")
        self._daily_job("2026-11-30")  # 31 days before the year end
        self.assertFalse(self._notices(self.amy))
        self._daily_job("2026-12-01")
        notice = self._notices(self.amy)
        self.assertEqual((notice.minutes, notice.expiry_date), (60, date(2026, 12, 31)))
        self._daily_job("2026-12-30")
        self.assertEqual(self.amy.balance, 60)
        self._daily_job("2026-12-31")
        self.assertEqual(self.amy.balance, 0)
        self._daily_job("2027-01-01")
        self.assertEqual(self._system("expiry").balance, 60)

    def test_statement_lists_what_expires_soon(self):
        self._history()
        self._daily_job("2026-03-01")
        self.env.invalidate_all()
        with freeze_time("2026-03-05"):
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(
                    "timebank_core.report_statement",
                    self.amy.ids,
                )[0]
                .decode()
            )
        self.assertIn("04/30/2026", html)  # the announced date
        self.assertIn("4:30", html)

    def test_previews(self):
        self._history()
        self._daily_job("2026-03-01")
        with freeze_time("2026-03-05"):
            self.env.invalidate_all()
            amy = self.amy.with_user(self.broker)
            self.assertEqual(amy.expiry_next_date, date(2026, 4, 30))
            self.assertEqual(amy.expiry_next_minutes, 270)
            # within a year: the notice, then 2021-07 to 2022-01 at their dates
            self.assertEqual(amy.expiry_year_minutes, 270 + 3 * 60)
            wizard = (
                self.env["timebank.expiry.preview.wizard"]
                .with_user(self.broker)
                .create({"date_to": "2026-12-31"})
            )
            wizard.action_preview()
        by_member = {}
        for line in wizard.line_ids:
            by_member.setdefault(line.member_id, []).append(
                (line.expiry_date, line.minutes, line.announced)
            )
        self.assertEqual(
            by_member[self.amy],
            [
                (date(2026, 4, 30), 270, True),
                (date(2026, 7, 1), 60, False),
                (date(2026, 10, 1), 60, False),
            ],
        )
        self.assertEqual(
            by_member[self.david],
            [(date(2026, 4, 30), 90, True), (date(2026, 6, 1), 90, False)],
        )
        self.assertEqual(wizard.total_minutes, 270 + 120 + 180)

    def test_notices_are_written_by_the_job_only(self):
        self._history()
        self._daily_job("2026-03-01")
        notice = self._notices(self.amy)
        with self.assertRaisesRegex(Fault, "Announced .minutes. cannot be"):
            xmlrpc_call(
                self,
                self.manager.login,
                "timebank.expiry.notice",
                "write",
                [notice.id],
                {"minutes": 1},
            )
        with self.assertRaisesRegex(Fault, "written by the daily expiry job only"):
            xmlrpc_call(
                self,
                self.manager.login,
                "timebank.expiry.notice",
                "create",
                [{"member_id": self.amy.id, "minutes": 1}],
            )
        with self.assertRaisesRegex(Fault, "cannot be written"):
            xmlrpc_call(
                self,
                self.manager.login,
                "timebank.member",
                "write",
                [self.amy.id],
                {"expiry_notice_through": "2030-01-01"},
            )
        # another bank's broker sees none of them
        self.assertFalse(
            xmlrpc_call(
                self,
                self.broker_b.login,
                "timebank.expiry.notice",
                "search",
                [],
            )
        )
        self.assertEqual(notice.minutes, 270)
