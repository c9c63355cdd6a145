import logging

from psycopg2 import OperationalError

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools.pdf import merge_pdf

from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

# how long the closing job waits before it looks again at statements not done
CLOSE_RETRY_SECONDS = 10
LINE_STATES = [("pending", "Waiting"), ("done", "Done"), ("failed", "Failed")]


class TimebankStatementRun(models.Model):
    """Monthly statements of a set of members, made in the background.

    Creating a run orders the statements: one job per member renders the PDF
    and mails it (members without an e-mail address get the PDF kept for
    printing), so that no statement is rendered inside the web request; a
    member whose statement fails is listed with the reason and does not stop
    the others. A last job gathers the printed ones into one PDF and says on
    the run how it went."""

    _name = "timebank.statement.run"
    _description = "Monthly Statement Run"
    _inherit = ["mail.thread", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "id desc"
    _guarded_fields = ("state", "line_ids", "paper_attachment_id", "date_done")

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company",
        string="Bank",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    member_ids = fields.Many2many(
        "timebank.member",
        string="Members",
        readonly=True,
        check_company=True,
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        default="running",
        required=True,
        readonly=True,
        tracking=True,
    )
    date_done = fields.Datetime(string="Finished On", readonly=True)
    line_ids = fields.One2many(
        "timebank.statement.run.line", "run_id", string="Statements", readonly=True
    )
    paper_attachment_id = fields.Many2one(
        "ir.attachment", string="Statements to Print", readonly=True
    )
    member_count = fields.Integer(
        compute="_compute_progress", string="Statements to Make"
    )
    done_count = fields.Integer(compute="_compute_progress", string="Done")
    failed_count = fields.Integer(compute="_compute_progress", string="Failed")
    pending_count = fields.Integer(compute="_compute_progress", string="Waiting")
    email_count = fields.Integer(compute="_compute_progress", string="By E-mail")
    paper_count = fields.Integer(compute="_compute_progress", string="On Paper")
    progress = fields.Float(compute="_compute_progress")

    @api.depends("date_from", "date_to")
    def _compute_name(self):
        for run in self:
            run.name = _(
                "Statements %(date_from)s - %(date_to)s",
                date_from=run.date_from or "",
                date_to=run.date_to or "",
            )

    @api.depends("member_ids", "line_ids.state", "line_ids.channel")
    def _compute_progress(self):
        # the lines of a run are written by its jobs, each its own line: the
        # counts are read, never stored on the run that every job would lock
        counts = {
            (run.id, state, channel): count
            for run, state, channel, count in self.env["timebank.statement.run.line"]
            .sudo()
            ._read_group(
                [("run_id", "in", self.ids)],
                ["run_id", "state", "channel"],
                ["__count"],
            )
        }
        for run in self:
            mine = {k[1:]: v for k, v in counts.items() if k[0] == run.id}
            total = len(run.member_ids)
            run.member_count = total
            run.done_count = sum(v for k, v in mine.items() if k[0] == "done")
            run.failed_count = sum(v for k, v in mine.items() if k[0] == "failed")
            run.pending_count = total - run.done_count - run.failed_count
            run.email_count = sum(v for k, v in mine.items() if k[1] == "email")
            run.paper_count = sum(v for k, v in mine.items() if k[1] == "paper")
            run.progress = (
                100.0 * (run.done_count + run.failed_count) / total if total else 100.0
            )

    @api.model_create_multi
    def create(self, vals_list):
        runs = super().create(vals_list)
        for run in runs:
            if not run.member_ids:
                raise UserError(_("Choose the members who get a statement."))
            if run.date_to < run.date_from:
                raise UserError(_("The statement period ends before it starts."))
            run.with_delay(
                description=_("Statements: prepare one job per member")
            )._dispatch()
        return runs

    def _guarded_hint(self):
        return _("They are set by the statement jobs.")

    def _period_context(self):
        self.ensure_one()
        return {
            "timebank_statement_from": fields.Date.to_string(self.date_from),
            "timebank_statement_to": fields.Date.to_string(self.date_to),
        }

    # ------------------------------------------------------------------ jobs
    def _dispatch(self):
        """Job: one line and one job per member, then the closing job."""
        self.ensure_one()
        Line = self.env["timebank.statement.run.line"].sudo()
        members = self.member_ids - self.line_ids.member_id
        lines = Line._guarded_create(
            [
                {
                    "run_id": self.id,
                    "member_id": member.id,
                    "channel": "email" if member.email else "paper",
                }
                for member in members
            ]
        )
        # the jobs run as the user who ordered the statements, in their bank
        lines = lines.with_env(self.env)
        for line in lines:
            job = line.with_delay(
                description=_("Statement of %s", line.member_id.display_name)
            )._generate()
            line.sudo()._guarded_write({"job_uuid": job.uuid})
        self.with_delay(
            priority=20, description=_("Statements: gather and report")
        )._close()
        return _("%s statements to make.", len(lines))

    def _close(self):
        """Job: once every statement is made, gather the printed ones into one
        PDF and tell the user who ordered them."""
        self.ensure_one()
        if self.state == "done":
            return _("Already finished.")
        self._fail_lost_lines()
        if self.pending_count:
            raise RetryableJobError(
                _("%s statements still to make.", self.pending_count),
                seconds=CLOSE_RETRY_SECONDS,
                ignore_retry=True,
            )
        paper = self.line_ids.filtered(
            lambda line: line.state == "done" and line.attachment_id
        )
        values = {"state": "done", "date_done": fields.Datetime.now()}
        if paper:
            pdf = merge_pdf([line.attachment_id.raw for line in paper])
            values["paper_attachment_id"] = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": _("Statements to print %s.pdf", self.date_to),
                        "raw": pdf,
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
                .id
            )
        self.sudo()._guarded_write(values)
        failed = self.line_ids.filtered(lambda line: line.state == "failed")
        body = _(
            "Statements finished: %(done)s made (%(email)s by e-mail, %(paper)s to "
            "print), %(failed)s failed.",
            done=self.done_count,
            email=len(
                self.line_ids.filtered(
                    lambda line: line.state == "done" and line.channel == "email"
                )
            ),
            paper=len(paper),
            failed=len(failed),
        )
        self.sudo().message_post(
            body=body,
            partner_ids=self.create_uid.partner_id.ids,
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
        )
        return body

    def _fail_lost_lines(self):
        """Lines whose job failed or was cancelled outside of the statement
        (a worker killed, retries exhausted) are failed with the job's reason."""
        waiting = self.line_ids.filtered(lambda line: line.state == "pending")
        if not waiting:
            return
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("uuid", "in", waiting.mapped("job_uuid")),
                    ("state", "in", ("failed", "cancelled")),
                ]
            )
        )
        by_uuid = {job.uuid: job for job in jobs}
        for line in waiting:
            job = by_uuid.get(line.job_uuid)
            if job:
                line.sudo()._guarded_write(
                    {
                        "state": "failed",
                        "error": job.exc_message
                        or job.exc_name
                        or _("The job was cancelled."),
                    }
                )

    # ------------------------------------------------------------------ actions
    def action_download_paper(self):
        self.ensure_one()
        if not self.paper_attachment_id:
            raise UserError(_("There are no statements to print in this run."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.paper_attachment_id.id}?download=true",
            "target": "self",
        }


class TimebankStatementRunLine(models.Model):
    _name = "timebank.statement.run.line"
    _description = "Monthly Statement of a Member"
    _inherit = ["timebank.guarded.mixin"]
    _order = "run_id, id"
    _guarded_fields = (
        "run_id",
        "member_id",
        "channel",
        "state",
        "error",
        "attachment_id",
        "job_uuid",
    )

    run_id = fields.Many2one(
        "timebank.statement.run",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    member_id = fields.Many2one(
        "timebank.member", required=True, ondelete="cascade", readonly=True
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("paper", "Paper")], required=True, readonly=True
    )
    state = fields.Selection(
        LINE_STATES, default="pending", required=True, readonly=True, index=True
    )
    error = fields.Text(string="Why It Failed", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Statement", readonly=True)
    job_uuid = fields.Char(string="Job", readonly=True, copy=False)

    def _guarded_hint(self):
        return _("They are set by the statement jobs.")

    def _generate(self):
        """Job: render this member's statement; mail it, or keep it to print.

        A failure is the member's: it is recorded on the line (the run goes on
        with the others) and the job ends; only a concurrency error is raised
        again, for queue_job to try the job once more."""
        self.ensure_one()
        if self.state != "pending":
            return _("Already made.")
        run = self.run_id
        try:
            with self.env.cr.savepoint():
                values = self._render(run)
        except OperationalError as error:
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            values = self._failure(error)
        except Exception as error:  # noqa: BLE001 - the member's failure, recorded
            values = self._failure(error)
        self.sudo()._guarded_write(values)
        return values.get("error") or _("Done.")

    def _render(self, run):
        member = self.member_id
        period = run._period_context()
        if self.channel == "email":
            template = self.env.ref(
                "timebank_core.mail_template_statement"
            ).with_context(**period)
            template.send_mail(member.id)
            return {"state": "done", "error": False}
        # a PDF also under the test runner, which renders HTML otherwise
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, **period)
            ._render_qweb_pdf(
                "timebank_core.action_report_statement",
                member.ids,
                data=dict(period, member_ids=member.ids),
            )
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": _("Statement %s.pdf", member.number or member.id),
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        return {"state": "done", "error": False, "attachment_id": attachment.id}

    def _failure(self, error):
        _logger.info(
            "Statement of member %s failed: %s", self.member_id.id, error, exc_info=True
        )
        message = (
            getattr(error, "args", None) and str(error.args[0]) or repr(error)
        ).strip()
        return {"state": "failed", "error": message}
