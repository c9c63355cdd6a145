from odoo import _, api, fields, models


class TimebankRequestCandidate(models.Model):
    _name = "timebank.request.candidate"
    _description = "Ranked Candidate of a Request"
    _inherit = ["timebank.guarded.mixin"]
    _order = "request_id, rank"
    # the engine ranks, Notify the Top Candidates notifies
    _guarded_fields = (
        "request_id",
        "member_id",
        "rank",
        "score",
        "skill_score",
        "availability_score",
        "distance_score",
        "reliability_score",
        "fairness_score",
        "generation_score",
        "distance_km",
        "has_distance",
        "explanation",
        "notified",
    )

    request_id = fields.Many2one(
        "timebank.request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    member_id = fields.Many2one(
        "timebank.member", string="Candidate", required=True, ondelete="cascade"
    )
    phone = fields.Char(related="member_id.phone")
    contact_channel = fields.Selection(related="member_id.contact_channel")
    rank = fields.Integer(required=True)
    score = fields.Float(digits=(5, 1), aggregator=None)
    skill_score = fields.Float(string="Skill Fit", digits=(3, 2), aggregator=None)
    availability_score = fields.Float(
        string="Availability", digits=(3, 2), aggregator=None
    )
    distance_score = fields.Float(string="Nearness", digits=(3, 2), aggregator=None)
    reliability_score = fields.Float(
        string="Reliability", digits=(3, 2), aggregator=None
    )
    fairness_score = fields.Float(string="Fairness", digits=(3, 2), aggregator=None)
    generation_score = fields.Float(
        string="Cross-generation", digits=(3, 2), aggregator=None
    )
    distance_km = fields.Float(string="Distance (km)", digits=(6, 1), aggregator=None)
    has_distance = fields.Boolean()
    distance_text = fields.Char(
        string="Distance",
        compute="_compute_distance_text",
        help="How far the volunteer lives from the place of the service; unknown "
        "while either address has no position on the map.",
    )
    explanation = fields.Text(help="Each factor of the score and what it weighs.")
    notified = fields.Boolean(readonly=True)

    @api.depends("distance_km", "has_distance")
    def _compute_distance_text(self):
        for candidate in self:
            km = f"{candidate.distance_km:.1f}"
            candidate.distance_text = (
                self.env._("%(km)s km", km=km)
                if candidate.has_distance
                else self.env._("Unknown")
            )

    def _guarded_hint(self):
        return _(
            "Candidates are ranked by Find Candidates on the request and told by "
            "Notify the Top Candidates."
        )

    def action_assign(self):
        self.ensure_one()
        return self.request_id.action_assign(self.member_id)
