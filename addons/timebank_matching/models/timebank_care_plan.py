from datetime import datetime, time, timedelta

import pytz
from dateutil import rrule

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.timebank_core.models.timebank_weekly_slot import WEEKDAYS


class TimebankCarePlan(models.Model):
    _name = "timebank.care.plan"
    _description = "Recurring Care Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.workflow.mixin"]
    _check_company_auto = True
    _order = "state, name"
    _workflow_records_key = "plans"
    _guarded_fields = ("state",)

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    member_id = fields.Many2one(
        "timebank.member",
        string="Visited Member",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    item_id = fields.Many2one(
        "timebank.service.item",
        string="Service",
        required=True,
        tracking=True,
        check_company=True,
    )
    provider_id = fields.Many2one(
        "timebank.member",
        string="Regular Volunteer",
        tracking=True,
        check_company=True,
        help="Visits are assigned to this volunteer; without one they are "
        "published for volunteers to claim.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Broker",
        default=lambda self: self.env.user,
        tracking=True,
        help="Told when a visit is missed.",
    )
    rhythm = fields.Selection(
        [("weekly", "Weekly"), ("monthly", "Monthly")],
        required=True,
        default="weekly",
        tracking=True,
    )
    interval = fields.Integer(
        string="Every",
        default=1,
        required=True,
        help="Every how many weeks or months.",
    )
    weekday = fields.Selection(
        WEEKDAYS, default="0", help="Day of the week of the visit (weekly plans)."
    )
    hour = fields.Float(string="Time", default=10.0, required=True)
    duration = fields.Float(default=1.0, required=True, help="Hours of the visit.")
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        required=True,
        default=lambda self: self.env.user.tz or "UTC",
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today
    )
    date_end = fields.Date(string="End")
    description = fields.Text()
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("stopped", "Stopped")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    request_ids = fields.One2many("timebank.request", "care_plan_id", string="Visits")
    request_count = fields.Integer(compute="_compute_request_count")

    def _compute_request_count(self):
        for plan in self:
            plan.request_count = len(plan.request_ids)

    @api.constrains("interval", "hour", "duration", "date_start", "date_end")
    def _check_rhythm(self):
        for plan in self:
            if plan.interval < 1:
                raise ValidationError(_("A care plan repeats at least every 1 week."))
            if not 0 <= plan.hour < 24 or not 0 < plan.duration <= 24:
                raise ValidationError(
                    _(
                        "Care plan %(plan)s: the visit starts within the day and "
                        "lasts between a minute and 24 hours.",
                        plan=plan.name,
                    )
                )
            if plan.date_end and plan.date_end < plan.date_start:
                raise ValidationError(
                    _("Care plan %(plan)s ends before it starts.", plan=plan.name)
                )

    def _guarded_hint(self):
        return _(
            "A care plan moves with its buttons (Start, Stop), and Start creates "
            "its visits."
        )

    def action_start(self):
        self._check_state(
            ("draft", "stopped"),
            _("Care plan %(plans)s is already running."),
        )
        self._guarded_write({"state": "running"})
        self._generate_requests(fields.Date.context_today(self))
        return True

    def action_stop(self):
        """Stop the plan: the visits still to come are cancelled."""
        self._check_state(
            ("running",),
            _("Only a running care plan can be stopped: %(plans)s is %(state)s."),
        )
        self._guarded_write({"state": "stopped"})
        now = fields.Datetime.now()
        self.request_ids.filtered(
            lambda r: (
                r.state in ("draft", "published", "claimed", "assigned")
                and r.date_from > now
            )
        ).sudo()._guarded_write(
            {"state": "cancelled", "reason": _("The care plan stopped.")}
        )
        return True

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_matching.timebank_request_action"
        )
        action["domain"] = [("care_plan_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _visit_dates(self, date_from, date_to):
        """Visit days of the plan from ``date_from`` to ``date_to`` included."""
        self.ensure_one()
        start = max(date_from, self.date_start)
        end = min(date_to, self.date_end) if self.date_end else date_to
        if end < start:
            return []
        if self.rhythm == "weekly":
            rule = rrule.rrule(
                rrule.WEEKLY,
                interval=self.interval,
                byweekday=int(self.weekday or 0),
                dtstart=datetime.combine(self.date_start, time()),
            )
        else:
            rule = rrule.rrule(
                rrule.MONTHLY,
                interval=self.interval,
                dtstart=datetime.combine(self.date_start, time()),
            )
        return [
            day.date()
            for day in rule.between(
                datetime.combine(start, time()),
                datetime.combine(end, time()),
                inc=True,
            )
        ]

    def _visit_window(self, day):
        """(start, end) of the visit on ``day``, naive UTC."""
        local = pytz.timezone(self.tz or "UTC").localize(
            datetime.combine(day, time()) + timedelta(hours=self.hour)
        )
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(hours=self.duration)

    def _generate_requests(self, today):
        """The visits of the coming days that do not exist yet."""
        Request = self.env["timebank.request"]
        created = Request
        for plan in self.filtered(lambda p: p.state == "running"):
            horizon = today + timedelta(days=plan.company_id.timebank_care_plan_days)
            known = set(plan.request_ids.mapped("visit_date"))
            vals_list = []
            for day in plan._visit_dates(today, horizon):
                if day in known:
                    continue
                start, end = plan._visit_window(day)
                vals_list.append(
                    {
                        "company_id": plan.company_id.id,
                        "member_id": plan.member_id.id,
                        "item_id": plan.item_id.id,
                        "intake_channel": "home_visit",
                        "description": plan.description,
                        "duration": plan.duration,
                        "tz": plan.tz,
                        "care_plan_id": plan.id,
                        "visit_date": day,
                        "window_ids": [
                            fields.Command.create({"date_from": start, "date_to": end})
                        ],
                    }
                )
            requests = Request._guarded_create(vals_list)
            if plan.provider_id:
                for request in requests:
                    request._check_provider(plan.provider_id)
                    request._take(plan.provider_id, "assigned")
            else:
                requests._guarded_write({"state": "published"})
            created |= requests
        return created

    @api.model
    def _cron_generate(self):
        """Daily: create the visits of the running care plans ahead of time.

        Plan after plan, with the cron's progress (plans done, plans left); a
        plan whose visits cannot be made (its volunteer no longer fits, say) is
        undone alone: the reason goes on the plan and to the bank's managers,
        and the other plans go on."""
        plans = self.sudo().search([("state", "=", "running")])
        today = fields.Date.context_today(self)
        Cron = self.env["ir.cron"]
        created = self.env["timebank.request"]
        for done, plan in enumerate(plans):
            try:
                with self.env.cr.savepoint():
                    created |= plan._generate_requests(today)
            except (UserError, ValidationError) as error:
                reason = error.args[0] if error.args else str(error)
                plan.message_post(
                    body=_("The visits of this plan could not be made: %s", reason)
                )
                plan.company_id._timebank_report_failure(
                    _("Care plan %s", plan.display_name), error
                )
            Cron._notify_progress(done=done + 1, remaining=len(plans) - done - 1)
        return created
