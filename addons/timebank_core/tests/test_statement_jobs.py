from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import TimebankCase, xmlrpc_call


def october(member_ids, **values):
    """The values of a run of October 2026's statements."""
    return dict(
        date_from="2026-10-01",
        date_to="2026-10-31",
        member_ids=[(6, 0, member_ids)],
        **values,
    )


class StatementJobsCase(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.timebank_pool_credit_limit = 100000
        cls.carol = cls._member("Carol", active=True, email="carol@example.com")
        cls.david = cls._member("David", active=True)
        cls.erin = cls._member("Erin", active=True, email="erin@example.com")
        pool = cls._system("pool")
        cls._pay(pool, cls.carol, 135, date=date(2026, 10, 3))
        cls._pay(pool, cls.david, 50, date=date(2026, 10, 20))
        cls.Run = cls.env["timebank.statement.run"]
        cls.Line = cls.env["timebank.statement.run.line"]

    def _order(self, members, user=None):
        """The broker's Monthly Statements wizard, E-mail and Print."""
        wizard = (
            self.env["timebank.statement.wizard"]
            .with_user(user or self.broker)
            .with_company(self.bank_a)
            .with_context(active_model="timebank.member", active_ids=members.ids)
            .create({})
        )
        action = wizard.action_send()
        self.assertEqual(action["res_model"], "timebank.statement.run")
        return self.Run.browse(action["res_id"])

    def _chinese_reader_of_a_broken_template(self):
        """Frank reads Traditional Chinese, and the bank's Chinese subject of the
        statement mail was mistyped: his statement cannot be written, the
        English ones can."""
        self.env["res.lang"]._activate_lang("zh_TW")
        template = self.env.ref("timebank_core.mail_template_statement")
        template.update_field_translations(
            "subject", {"zh_TW": "{{ object.no_such_field }} 對帳單"}
        )
        return self._member(
            "Frank", active=True, email="frank@example.com", lang="zh_TW"
        )

    def _statement_mails(self, member):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "timebank.member"),
                ("res_id", "=", member.id),
                ("subject", "=", "Your time credit statement"),
            ]
        )


@tagged("post_install", "-at_install")
class TestStatementJobs(StatementJobsCase):
    @freeze_time("2026-11-05")
    def test_one_job_per_member_and_nothing_rendered_in_the_request(self):
        members = self.carol | self.david | self.erin
        with trap_jobs() as trap:
            run = self._order(members)
            # the request only ordered the statements: one job prepares them
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(run._dispatch)
            self.assertFalse(self._statement_mails(self.carol))
            self.assertFalse(
                self.env["ir.attachment"]
                .search([])
                .filtered(lambda a: a.res_model == "timebank.statement.run.line")
            )
            self.assertEqual(run.state, "running")
            self.assertEqual((run.member_count, run.pending_count), (3, 3))
            self.assertEqual(run.progress, 0)

            trap.perform_enqueued_jobs()
            trap.assert_jobs_count(4)  # a statement per member, then the closing
            trap.assert_enqueued_job(run._close)
            lines = run.line_ids
            self.assertEqual(lines.member_id, members)
            for line in lines:
                trap.assert_enqueued_job(
                    line._generate,
                    properties={
                        "description": f"Statement of {line.member_id.display_name}"
                    },
                )
            self.assertEqual(
                lines.mapped("channel"),
                ["email" if m.email else "paper" for m in lines.member_id],
            )
            self.assertTrue(all(lines.mapped("job_uuid")))

            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(
            (run.done_count, run.failed_count, run.pending_count), (3, 0, 0)
        )
        self.assertEqual((run.email_count, run.paper_count), (2, 1))
        self.assertEqual(run.progress, 100)
        mail = self._statement_mails(self.carol)
        self.assertEqual(mail.recipient_ids, self.carol.partner_id)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(len(self._statement_mails(self.erin)), 1)
        self.assertFalse(self._statement_mails(self.david))
        # David has no e-mail address: his statement is kept to print
        david_line = run.line_ids.filtered(lambda line: line.member_id == self.david)
        self.assertTrue(david_line.attachment_id.raw.startswith(b"%PDF"))
        self.assertTrue(run.paper_attachment_id.raw.startswith(b"%PDF"))
        action = run.with_user(self.broker).action_download_paper()
        self.assertIn(f"/web/content/{run.paper_attachment_id.id}", action["url"])
        summary = run.message_ids.filtered(
            lambda m: "Statements finished" in (m.body or "")
        )
        self.assertIn("3 made (2 by e-mail, 1 to print), 0 failed", summary.body)
        self.assertIn(self.broker.partner_id, summary.partner_ids)

    @freeze_time("2026-11-05")
    def test_a_failing_member_does_not_stop_the_others(self):
        frank = self._chinese_reader_of_a_broken_template()
        with trap_jobs() as trap:
            run = self.Run.with_user(self.broker).create(
                october((self.carol | frank | self.david).ids)
            )
            trap.perform_enqueued_jobs()
            # the failing member's job comes in the middle of the others
            order = [job.recordset.member_id for job in trap.enqueued_jobs[:3]]
            self.assertEqual(order, [self.carol, frank, self.david])
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.done_count, run.failed_count), (2, 1))
        failed = run.line_ids.filtered(lambda line: line.state == "failed")
        self.assertEqual(failed.member_id, frank)
        # in Frank's language, as Odoo says it
        self.assertIn("inline_template", failed.error)
        self.assertIn("no_such_field", failed.error)
        self.assertFalse(failed.attachment_id)
        self.assertFalse(self._statement_mails(frank))
        self.assertEqual(len(self._statement_mails(self.carol)), 1)
        self.assertTrue(run.paper_attachment_id)
        summary = run.message_ids.filtered(
            lambda m: "Statements finished" in (m.body or "")
        )
        self.assertIn("2 made (1 by e-mail, 1 to print), 1 failed", summary.body)

    def test_closing_waits_for_the_statements(self):
        with trap_jobs() as trap:
            run = self.Run.with_user(self.broker).create(october(self.carol.ids))
            trap.perform_enqueued_jobs()
        with self.assertRaisesRegex(RetryableJobError, "1 statements still to make"):
            run._close()
        self.assertEqual(run.state, "running")

    def test_refusals(self):
        Run = self.Run.with_user(self.broker)
        with self.assertRaisesRegex(
            UserError, "Choose the members who get a statement"
        ):
            Run.create({"date_from": "2026-10-01", "date_to": "2026-10-31"})
        with self.assertRaisesRegex(UserError, "ends before it starts"):
            Run.create(
                {
                    "date_from": "2026-10-31",
                    "date_to": "2026-10-01",
                    "member_ids": [(6, 0, self.carol.ids)],
                }
            )
        with self.assertRaisesRegex(UserError, "They are set by the statement jobs"):
            Run.create(october(self.carol.ids, state="done"))
        lin = self._member("Lin", bank=self.bank_b, active=True)
        with self.assertRaises(UserError):
            Run.create(october(lin.ids))
        with trap_jobs():
            run = Run.create(october(self.carol.ids))
        with self.assertRaisesRegex(UserError, "They are set by the statement jobs"):
            run.write({"state": "done"})
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            run.write({"date_to": "2026-10-30"})
        # a broker of another bank does not see the run
        with self.assertRaises(AccessError):
            run.with_user(self.broker_b).read(["state"])


class RunStoredJobs:
    """The jobs stored in the database and run by queue_job's own controller
    code, as its runner has them run: enqueued, started, then run."""

    def _run_stored_jobs(self):
        """Run every waiting job of the time bank channel, lowest priority
        number first, until none is left."""
        for _round in range(10):
            jobs = self.env["queue.job"].search(
                [("channel", "=", "root.timebank"), ("state", "=", "pending")],
                order="priority, id",
            )
            if not jobs:
                return
            for record in jobs:
                job = Job.load(self.env, record.uuid)
                job.set_enqueued()
                job.set_started()
                job.store()
                RunJobController._runjob(self.env, job)
            self.env.invalidate_all()
        self.fail("jobs still waiting after ten rounds")


@tagged("post_install", "-at_install")
class TestStatementJobsRun(RunStoredJobs, StatementJobsCase):
    @freeze_time("2026-11-05")
    def test_statements_through_the_job_runner(self):
        frank = self._chinese_reader_of_a_broken_template()
        run = self._order(self.carol | frank | self.david)
        stored = self.env["queue.job"].search([("channel", "=", "root.timebank")])
        self.assertEqual(stored.mapped("method_name"), ["_dispatch"])
        self._run_stored_jobs()
        jobs = self.env["queue.job"].search([("channel", "=", "root.timebank")])
        self.assertEqual(len(jobs), 5)  # dispatch, three statements, closing
        self.assertEqual(
            {(j.method_name, j.state) for j in jobs},
            {("_dispatch", "done"), ("_generate", "done"), ("_close", "done")},
        )
        self.assertEqual(run.state, "done")
        self.assertEqual((run.done_count, run.failed_count), (2, 1))
        self.assertEqual(
            run.line_ids.filtered(lambda line: line.state == "failed").member_id, frank
        )
        self.assertEqual(len(self._statement_mails(self.carol)), 1)
        self.assertTrue(run.paper_attachment_id.raw.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestStatementJobsRpc(RunStoredJobs, StatementJobsCase, HttpCase):
    def test_the_broker_orders_over_xmlrpc(self):
        run_id = xmlrpc_call(
            self,
            self.broker.login,
            "timebank.statement.run",
            "create",
            october(self.carol.ids),
        )
        job = self.env["queue.job"].search([("channel", "=", "root.timebank")])
        self.assertEqual(job.method_name, "_dispatch")
        self.assertEqual(job.records, self.Run.browse(run_id))
        self.assertEqual(job.user_id, self.broker)
        self._run_stored_jobs()
        with self.assertRaisesRegex(Exception, "They are set by the statement jobs"):
            xmlrpc_call(
                self,
                self.broker.login,
                "timebank.statement.run",
                "create",
                october(self.carol.ids, state="done"),
            )
        lines = self.Line.search([("run_id", "=", run_id)])
        self.assertEqual(lines.member_id, self.carol)
        with self.assertRaisesRegex(Exception, "They are set by the statement jobs"):
            xmlrpc_call(
                self,
                self.broker.login,
                "timebank.statement.run.line",
                "write",
                lines.ids,
                {"state": "failed"},
            )
        with self.assertRaisesRegex(Exception, "not allowed to modify"):
            xmlrpc_call(
                self,
                self.broker.login,
                "timebank.statement.run",
                "write",
                [run_id],
                {"date_to": "2026-10-30"},
            )
