from odoo import api, fields, models

from ..models.timebank_rating import DIRECTIONS, SCORES


class TimebankRatingWizard(models.TransientModel):
    """A broker writes down the rating a member gave by phone or on paper."""

    _name = "timebank.rating.wizard"
    _description = "Record a Rating Given by Phone or on Paper"

    exchange_id = fields.Many2one("timebank.exchange", required=True)
    direction = fields.Selection(DIRECTIONS, required=True, default="service")
    rater_id = fields.Many2one(
        "timebank.member", string="Rated By", compute="_compute_sides"
    )
    rated_id = fields.Many2one(
        "timebank.member", string="Member Rated", compute="_compute_sides"
    )
    score = fields.Selection(SCORES, string="Rating", required=True)
    comment = fields.Text()
    shared = fields.Boolean(
        string="Shared With the Member Rated",
        help="The rater agrees that the member rated reads this rating.",
    )

    @api.depends("exchange_id", "direction")
    def _compute_sides(self):
        for wizard in self:
            if wizard.exchange_id and wizard.direction:
                rater, rated = wizard.exchange_id._rating_sides(wizard.direction)
            else:
                rater = rated = self.env["timebank.member"]
            wizard.rater_id = rater
            wizard.rated_id = rated

    def action_record(self):
        self.ensure_one()
        self.exchange_id.action_give_rating(
            self.direction, self.score, self.comment, self.shared
        )
        return {"type": "ir.actions.act_window_close"}
