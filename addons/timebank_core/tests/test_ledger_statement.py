from datetime import date

from odoo.tests import freeze_time, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerStatement(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True, email="carol@example.com")
        cls.david = cls._member("David", active=True)
        cls.pool = cls._system("pool")
        cls.bank_a.timebank_pool_credit_limit = 100000
        cls._pay(cls.pool, cls.carol, 120, date=date(2026, 9, 20))  # before: opening
        cls._pay(cls.pool, cls.carol, 90, date=date(2026, 10, 3))
        cls._pay(cls.carol, cls.david, 45, date=date(2026, 10, 15))
        cls._pay(cls.pool, cls.carol, 30, date=date(2026, 10, 31))
        cls._pay(cls.pool, cls.carol, 600, date=date(2026, 11, 2))  # after: not shown

    def _values(self):
        return self.env["report.timebank_core.report_statement"]._get_report_values(
            self.carol.ids,
            {
                "timebank_statement_from": "2026-10-01",
                "timebank_statement_to": "2026-10-31",
            },
        )

    def test_statement_totals(self):
        statement = self._values()["statements"][self.carol.id]
        self.assertEqual(statement["opening"], 120)
        self.assertEqual(statement["total_credit"], 120)
        self.assertEqual(statement["total_debit"], 45)
        self.assertEqual(statement["closing"], 195)
        self.assertEqual(
            [m["balance"] for m in statement["movements"]], [210, 165, 195]
        )

    def test_statement_renders(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "timebank_core.report_statement",
                self.carol.ids,
                data={
                    "timebank_statement_from": "2026-10-01",
                    "timebank_statement_to": "2026-10-31",
                },
            )[0]
            .decode()
        )
        for text in (
            "Opening balance",
            "2:00",
            "3:15",
            "0:45",
            "Closing balance",
            "Carol",
        ):
            self.assertIn(text, html)
        self.assertNotIn("12:15", html)  # November is not in October's statement
        self.assertIn("no cash value", html)

    @freeze_time("2026-11-05")
    def test_wizard_mails_and_prints(self):
        mails = self.env["mail.mail"].search([])
        wizard = (
            self.env["timebank.statement.wizard"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .with_context(
                active_model="timebank.member", active_ids=(self.carol | self.david).ids
            )
            .create({})
        )
        self.assertEqual(wizard.date_from, date(2026, 10, 1))
        self.assertEqual(wizard.date_to, date(2026, 10, 31))
        self.assertEqual((wizard.email_count, wizard.paper_count), (1, 1))
        with trap_jobs() as trap:
            action = wizard.action_send()
            # the statements are made in the background, not in the request
            self.assertFalse(self.env["mail.mail"].search([]) - mails)
            trap.perform_enqueued_jobs()  # one job per member
            trap.perform_enqueued_jobs()
        new_mail = self.env["mail.mail"].search([]) - mails
        self.assertEqual(new_mail.recipient_ids, self.carol.partner_id)
        self.assertEqual(len(new_mail.attachment_ids), 1)
        run = self.env["timebank.statement.run"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "timebank.statement.run")
        self.assertEqual(run.date_from, date(2026, 10, 1))
        # David has no address: his statement is printed
        paper = run.line_ids.filtered(lambda line: line.channel == "paper")
        self.assertEqual(paper.member_id, self.david)
        self.assertTrue(run.paper_attachment_id.raw.startswith(b"%PDF"))
