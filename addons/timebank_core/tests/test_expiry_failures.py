from odoo.tests import freeze_time, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestExpiryFailures(TimebankCase):
    """The daily expiry run goes bank after bank, with the cron's progress; a
    bank that fails is undone alone and its managers are told why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        policy = {
            "timebank_pool_credit_limit": 100000,
            "timebank_expiry_policy": "years",
            "timebank_expiry_years": 5,
            "timebank_expiry_warning_days": 60,
        }
        (cls.bank_a | cls.bank_b).write(policy)
        # bank A's Chinese warning was mistyped: its members who read Chinese
        # cannot be written to
        cls.env["res.lang"]._activate_lang("zh_TW")
        cls.env.ref(
            "timebank_core.mail_template_expiry_notice"
        ).update_field_translations(
            "subject", {"zh_TW": "{{ object.no_such_field }} 點數即將到期"}
        )
        cls.amy = cls._member("Amy", active=True, email="amy@example.com", lang="zh_TW")
        cls.lin = cls._member(
            "Lin", bank=cls.bank_b, active=True, email="lin@example.com"
        )
        for member in (cls.amy, cls.lin):
            with freeze_time("2020-01-01"):
                cls._pay(
                    cls._system("pool", bank=member.company_id),
                    member,
                    60,
                    date="2020-01-01",
                    bank=member.company_id,
                )
        cls.cron = cls.env.ref("timebank_core.ir_cron_timebank_expiry")

    def test_a_failing_bank_does_not_stop_the_others(self):
        messages = self.env["mail.message"].search([])
        with freeze_time("2026-03-01 02:00:00"):
            self.cron.method_direct_trigger()
        notices = self.env["timebank.expiry.notice"].search(
            [("member_id", "in", (self.amy | self.lin).ids)]
        )
        # bank B ran; bank A was undone
        self.assertEqual(notices.member_id, self.lin)
        told = self.env["mail.message"].search([]) - messages
        failure = told.filtered(
            lambda m: "Expiry run failed in Bank A" in (m.subject or "")
        )
        self.assertEqual(failure.partner_ids, self.manager.partner_id)
        self.assertIn("no_such_field", failure.body)
        self.assertFalse(told.filtered(lambda m: "Bank B" in (m.subject or "")))
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", self.cron.id)], order="id desc", limit=1
        )
        banks = self.env["res.company"].search_count([])
        self.assertEqual((progress.done, progress.remaining), (banks, 0))
