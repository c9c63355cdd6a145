from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

WEIGHT_FIELDS = (
    "timebank_weight_skill",
    "timebank_weight_availability",
    "timebank_weight_distance",
    "timebank_weight_reliability",
    "timebank_weight_fairness",
    "timebank_weight_generation",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    timebank_weight_skill = fields.Integer(
        string="Skill Fit Weight",
        default=30,
        help="How much the candidate's skills for the service count in the score.",
    )
    timebank_weight_availability = fields.Integer(
        string="Availability Weight",
        default=20,
        help="How much the overlap of the candidate's weekly availability with the "
        "preferred time windows counts.",
    )
    timebank_weight_distance = fields.Integer(
        string="Distance Weight",
        default=25,
        help="How much nearness to the place of the need counts: nearest first.",
    )
    timebank_weight_reliability = fields.Integer(
        string="Reliability Weight",
        default=10,
        help="How much completed tasks, confirmed services and the absence of "
        "disputes count.",
    )
    timebank_weight_fairness = fields.Integer(
        string="Fairness Weight",
        default=10,
        help="How much a light recent workload counts, to spread the work.",
    )
    timebank_weight_generation = fields.Integer(
        string="Cross-generation Weight",
        default=5,
        help="How much a candidate of another generation than the requester counts.",
    )
    timebank_distance_scale_km = fields.Float(
        string="Distance Scale (km)",
        default=2.0,
        help="At this distance the distance factor is one half; nearer is higher.",
    )
    timebank_fairness_days = fields.Integer(
        string="Workload Period (days)",
        default=30,
        help="Tasks and services of this many past days make up the recent workload.",
    )
    timebank_candidate_count = fields.Integer(
        string="Candidates Shown",
        default=10,
        help="How many ranked candidates a request shows.",
    )
    timebank_notify_count = fields.Integer(
        string="Candidates Notified",
        default=3,
        help="How many of the top candidates 'Notify' reaches.",
    )
    timebank_care_plan_days = fields.Integer(
        string="Care Plan Horizon (days)",
        default=14,
        help="Care plans create their visits this many days ahead.",
    )
    timebank_missed_visit_hours = fields.Integer(
        string="Missed Visit After (hours)",
        default=2,
        help="A visit without check-in this many hours after its time window is "
        "reported to the broker as missed.",
    )

    @api.constrains(*WEIGHT_FIELDS)
    def _check_timebank_weights(self):
        for company in self:
            weights = [company[name] for name in WEIGHT_FIELDS]
            if min(weights) < 0 or not sum(weights):
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: matching weights cannot be negative and "
                        "at least one must be above zero.",
                        bank=company.name,
                    )
                )

    @api.constrains(
        "timebank_distance_scale_km",
        "timebank_fairness_days",
        "timebank_candidate_count",
        "timebank_notify_count",
        "timebank_care_plan_days",
        "timebank_missed_visit_hours",
    )
    def _check_timebank_matching_settings(self):
        for company in self:
            if company.timebank_distance_scale_km <= 0:
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the distance scale must be above zero.",
                        bank=company.name,
                    )
                )
            if (
                min(
                    company.timebank_fairness_days,
                    company.timebank_candidate_count,
                    company.timebank_notify_count,
                    company.timebank_care_plan_days,
                )
                < 1
                or company.timebank_missed_visit_hours < 0
            ):
                raise ValidationError(
                    _(
                        "Time bank %(bank)s: the workload period, candidates shown "
                        "and notified and the care plan horizon must be at least 1, "
                        "the missed visit delay at least 0.",
                        bank=company.name,
                    )
                )

    def _timebank_weights(self):
        """{factor: weight} of this bank's matching engine."""
        self.ensure_one()
        return {
            name.removeprefix("timebank_weight_"): self[name] for name in WEIGHT_FIELDS
        }
