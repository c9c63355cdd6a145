"""Reminders of a low balance and of credits to use, as production runs them:
the scheduled action, an empty cache, the day frozen."""

from datetime import date
from xmlrpc.client import Fault

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import TimebankCase, xmlrpc_call

LOW_SUBJECT = "Your time credit balance is low"
UNUSED_SUBJECT = "You have time credits to use"


@tagged("post_install", "-at_install")
class TestReminders(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.bank_a | cls.bank_b).write(
            {
                "timebank_credit_limit": 10000,
                "timebank_pool_credit_limit": 100000,
                "timebank_low_balance_minutes": 60,
                "timebank_unused_credit_minutes": 600,
                "timebank_unused_credit_days": 180,
            }
        )
        cls.amy = cls._reader("Amy", "amy@example.com")
        cls.cron = cls.env.ref("timebank_core.ir_cron_timebank_reminders")
        cls.call = cls.env.ref("mail.mail_activity_data_call")

    @classmethod
    def _reader(cls, name, email, bank=None):
        """An active member who reads her e-mail, joined on 2025-01-01."""
        member = cls._member(
            name,
            bank=bank,
            active=True,
            email=email,
            timebank_contact_channel="email",
        )
        member.join_date = date(2025, 1, 1)
        return member

    def _earn(self, member, minutes, on):
        pool = self._system("pool", member.company_id)
        with freeze_time(on):
            self._pay(pool, member, minutes, date=on, bank=member.company_id)

    def _spend(self, member, minutes, on):
        """``member`` pays ``minutes`` for a service (the exchange journal)."""
        pool = self._system("pool", member.company_id)
        with freeze_time(on):
            self._pay(member, pool, minutes, date=on, bank=member.company_id)

    def _daily_job(self, on):
        """The scheduled action, as the cron worker runs it: nothing cached."""
        self.env.invalidate_all()
        with freeze_time(f"{on} 03:00:00"):
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _mails(self, member, subject):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "timebank.member"),
                ("res_id", "=", member.id),
                ("subject", "=", subject),
            ]
        )

    def _calls(self, member):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "timebank.member"),
                ("res_id", "=", member.id),
                ("activity_type_id", "=", self.call.id),
            ]
        )

    def test_low_balance_once_then_again_after_recovery(self):
        self._earn(self.amy, 120, "2026-01-05")
        # a member whose balance never moved did not fall below: not reminded
        newcomer = self._reader("Newcomer", "new@example.com")
        self._daily_job("2026-01-06")
        self.assertFalse(self._mails(self.amy, LOW_SUBJECT))

        self._spend(self.amy, 90, "2026-01-10")
        self._daily_job("2026-01-11")
        mail = self._mails(self.amy, LOW_SUBJECT)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.amy.partner_id)
        self.assertIn("0:30", mail.body_html)
        self.assertIn("/my/timebank", mail.body_html)
        self.assertEqual(self.amy.timebank_low_balance_reminded_on, date(2026, 1, 11))
        self.assertIn(
            "Low balance reminder sent by e-mail.",
            self.amy.message_ids.mapped("body")[0],
        )
        self.assertFalse(self._calls(self.amy))
        self.assertFalse(self._mails(newcomer, LOW_SUBJECT))
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        banks = self.env["res.company"].search_count([])
        self.assertEqual((progress.done, progress.remaining), (banks, 0))

        # still low the next days: not twice
        self._daily_job("2026-01-12")
        self._daily_job("2026-02-11")
        self.assertEqual(self._mails(self.amy, LOW_SUBJECT), mail)

        # back above the threshold: the episode ends
        self._earn(self.amy, 60, "2026-02-12")
        self._daily_job("2026-02-13")
        self.assertFalse(self.amy.timebank_low_balance_reminded_on)
        self.assertEqual(self._mails(self.amy, LOW_SUBJECT), mail)

        # and it falls again: a new reminder
        self._spend(self.amy, 45, "2026-02-20")
        self._daily_job("2026-02-21")
        mails = self._mails(self.amy, LOW_SUBJECT)
        self.assertEqual(len(mails), 2)
        self.assertIn("0:45", (mails - mail).body_html)
        self.assertEqual(self.amy.timebank_low_balance_reminded_on, date(2026, 2, 21))

    def test_paper_first_member_gets_a_call_from_the_broker(self):
        hsu = self._member(
            "Hsu A-ma", active=True, timebank_contact_channel="in_person"
        )
        # an e-mail address, but she wants to be phoned
        lin = self._member(
            "Lin",
            active=True,
            email="lin@example.com",
            phone="03 555 0101",
            timebank_contact_channel="phone",
        )
        for member in (hsu, lin):
            self._earn(member, 50, "2026-03-01")
        self._daily_job("2026-03-02")
        for member in (hsu, lin):
            with self.subTest(member=member.partner_id.name):
                self.assertFalse(self._mails(member, LOW_SUBJECT))
                call = self._calls(member)
                self.assertEqual(len(call), 1)
                self.assertEqual(call.user_id, self.broker)
                self.assertEqual(call.date_deadline, date(2026, 3, 2))
                self.assertEqual(
                    call.summary, f"Call {member.partner_id.name}: low balance"
                )
                self.assertIn("0:50", str(call.note))
                self.assertEqual(
                    member.timebank_low_balance_reminded_on, date(2026, 3, 2)
                )
        self.assertIn("03 555 0101", str(self._calls(lin).note))
        self.assertIn("no phone number", str(self._calls(hsu).note))
        self._daily_job("2026-03-03")
        self.assertEqual(len(self._calls(hsu) | self._calls(lin)), 2)

    def test_unused_credits_after_the_days_only(self):
        # credits last a year here: the reminder says what expires next
        self.bank_a.timebank_expiry_years = 1
        self._earn(self.amy, 700, "2025-06-02")
        self._spend(self.amy, 60, "2025-07-01")
        bob = self._reader("Bob", "bob@example.com")
        self._earn(bob, 700, "2025-06-02")
        self._spend(bob, 60, "2025-12-01")  # received a service lately

        # 180 days after Amy last received a service: 2025-12-28
        self._daily_job("2025-12-27")
        self.assertFalse(self._mails(self.amy, UNUSED_SUBJECT))
        self._daily_job("2025-12-28")
        mail = self._mails(self.amy, UNUSED_SUBJECT)
        self.assertEqual(len(mail), 1)
        self.assertIn("10:40", mail.body_html)  # the balance
        self.assertIn("06/02/2026", mail.body_html)  # what is left of June expires
        self.assertIn("/my/timebank", mail.body_html)
        self.assertEqual(self.amy.timebank_unused_reminded_on, date(2025, 12, 28))
        self.assertFalse(self._mails(bob, UNUSED_SUBJECT))
        self.assertFalse(self._mails(self.amy, LOW_SUBJECT))

        # at most once in 180 days
        self._daily_job("2025-12-29")
        self._daily_job("2026-06-25")
        self.assertEqual(self._mails(self.amy, UNUSED_SUBJECT), mail)
        self._daily_job("2026-06-26")
        self.assertEqual(len(self._mails(self.amy, UNUSED_SUBJECT)), 2)
        self.assertEqual(self.amy.timebank_unused_reminded_on, date(2026, 6, 26))
        # Bob, 180 days after his service
        self._daily_job("2026-05-30")
        self.assertEqual(len(self._mails(bob, UNUSED_SUBJECT)), 1)

    def test_unused_credits_of_a_paper_member_are_a_call(self):
        hsu = self._member(
            "Hsu A-ma", active=True, timebank_contact_channel="in_person"
        )
        hsu.join_date = date(2025, 1, 1)
        self._earn(hsu, 720, "2025-01-02")
        self._daily_job("2025-07-01")
        call = self._calls(hsu)
        self.assertEqual(call.summary, "Call Hsu A-ma: credits to use")
        self.assertIn("12:00", str(call.note))
        self.assertFalse(self._mails(hsu, UNUSED_SUBJECT))
        self.assertEqual(hsu.timebank_unused_reminded_on, date(2025, 7, 1))

    def test_zero_turns_a_reminder_off(self):
        self._earn(self.amy, 700, "2025-01-02")
        low = self._reader("Low", "low@example.com")
        self._earn(low, 10, "2025-01-02")
        self.bank_a.write(
            {"timebank_low_balance_minutes": 0, "timebank_unused_credit_minutes": 0}
        )
        self._daily_job("2025-12-01")
        self.bank_a.write(
            {"timebank_unused_credit_minutes": 600, "timebank_unused_credit_days": 0}
        )
        self._daily_job("2025-12-02")
        for member in (self.amy, low):
            self.assertFalse(
                self._mails(member, LOW_SUBJECT) | self._mails(member, UNUSED_SUBJECT)
            )
            self.assertFalse(self._calls(member))
        self.assertFalse(low.timebank_low_balance_reminded_on)
        self.assertFalse(self.amy.timebank_unused_reminded_on)
        # turned on again, the same job reminds them
        self.bank_a.write(
            {"timebank_low_balance_minutes": 60, "timebank_unused_credit_days": 180}
        )
        self._daily_job("2025-12-03")
        self.assertEqual(len(self._mails(low, LOW_SUBJECT)), 1)
        self.assertEqual(len(self._mails(self.amy, UNUSED_SUBJECT)), 1)

    def test_each_bank_uses_its_own_settings(self):
        self.bank_b.timebank_low_balance_minutes = 200
        bea = self._reader("Bea", "bea@example.com", bank=self.bank_b)
        hsu_b = self._member(
            "Hsu B", bank=self.bank_b, active=True, timebank_contact_channel="phone"
        )
        for member in (self.amy, bea, hsu_b):
            self._earn(member, 150, "2026-04-01")
        self._daily_job("2026-04-02")
        self.assertFalse(self._mails(self.amy, LOW_SUBJECT))
        self.assertEqual(len(self._mails(bea, LOW_SUBJECT)), 1)
        self.assertIn("2:30", self._mails(bea, LOW_SUBJECT).body_html)
        # the call goes to a broker of the member's own bank
        self.assertEqual(self._calls(hsu_b).user_id, self.broker_b)

    def test_reminder_settings_are_not_negative(self):
        admin = new_test_user(
            self.env,
            login="tb_admin",
            groups="base.group_user,base.group_system,"
            "timebank_core.group_timebank_manager",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        for name in (
            "timebank_low_balance_minutes",
            "timebank_unused_credit_minutes",
            "timebank_unused_credit_days",
        ):
            with self.subTest(field=name):
                with self.assertRaisesRegex(
                    ValidationError, r"reminders cannot be negative \(0 turns"
                ):
                    self.bank_a.write({name: -1})
                with self.assertRaisesRegex(
                    Fault, r"reminders cannot be negative \(0 turns"
                ):
                    xmlrpc_call(
                        self,
                        admin.login,
                        "res.company",
                        "write",
                        [self.bank_a.id],
                        {name: -1},
                    )

    def test_reminded_dates_are_written_by_the_job_only(self):
        for user in (self.broker, self.manager):
            for name in (
                "timebank_low_balance_reminded_on",
                "timebank_unused_reminded_on",
            ):
                with self.subTest(user=user.login, field=name):
                    with self.assertRaisesRegex(
                        Fault,
                        rf"\({name}\) cannot be written\. .*reminders by the "
                        "reminder job",
                    ):
                        xmlrpc_call(
                            self,
                            user.login,
                            "timebank.member",
                            "write",
                            [self.amy.id],
                            {name: "2026-01-01"},
                        )
        with self.assertRaisesRegex(
            Fault, r"\(timebank_unused_reminded_on\) cannot be written"
        ):
            xmlrpc_call(
                self,
                self.broker.login,
                "timebank.member",
                "create",
                {
                    "partner_id": self._person("Carl").id,
                    "company_id": self.bank_a.id,
                    "timebank_unused_reminded_on": "2026-01-01",
                },
            )
        self.amy.invalidate_recordset()
        self.assertFalse(self.amy.timebank_low_balance_reminded_on)
        self.assertFalse(self.amy.timebank_unused_reminded_on)
