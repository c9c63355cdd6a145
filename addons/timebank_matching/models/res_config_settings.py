from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_weight_skill = fields.Integer(
        related="company_id.timebank_weight_skill", readonly=False
    )
    timebank_weight_availability = fields.Integer(
        related="company_id.timebank_weight_availability", readonly=False
    )
    timebank_weight_distance = fields.Integer(
        related="company_id.timebank_weight_distance", readonly=False
    )
    timebank_weight_reliability = fields.Integer(
        related="company_id.timebank_weight_reliability", readonly=False
    )
    timebank_weight_fairness = fields.Integer(
        related="company_id.timebank_weight_fairness", readonly=False
    )
    timebank_weight_generation = fields.Integer(
        related="company_id.timebank_weight_generation", readonly=False
    )
    timebank_distance_scale_km = fields.Float(
        related="company_id.timebank_distance_scale_km", readonly=False
    )
    timebank_fairness_days = fields.Integer(
        related="company_id.timebank_fairness_days", readonly=False
    )
    timebank_candidate_count = fields.Integer(
        related="company_id.timebank_candidate_count", readonly=False
    )
    timebank_notify_count = fields.Integer(
        related="company_id.timebank_notify_count", readonly=False
    )
    timebank_care_plan_days = fields.Integer(
        related="company_id.timebank_care_plan_days", readonly=False
    )
    timebank_missed_visit_hours = fields.Integer(
        related="company_id.timebank_missed_visit_hours", readonly=False
    )
