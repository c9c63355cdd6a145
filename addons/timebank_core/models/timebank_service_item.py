from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round


class TimebankServiceItem(models.Model):
    _name = "timebank.service.item"
    _description = "Time Bank Service Item"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "category_sequence, category_id, sequence, name"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category_id = fields.Many2one(
        "timebank.service.category",
        required=True,
        index=True,
        check_company=True,
    )
    category_sequence = fields.Integer(
        related="category_id.sequence", store=True, string="Category Order"
    )
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the item with every time bank.",
    )
    coefficient = fields.Float(
        string="Difficulty Coefficient",
        digits=(4, 2),
        default=1.0,
        aggregator=None,
        required=True,
        tracking=True,
        help="Credited time = actual time x coefficient. 1.0 is the equal-time rule.",
    )
    cap_minutes = fields.Integer(
        string="Cap per Session (minutes)",
        default=0,
        aggregator=None,
        tracking=True,
        help="Most credited minutes for one session; 0 means no cap.",
    )
    cap_hours = fields.Float(
        string="Cap per Session",
        compute="_compute_cap_hours",
        aggregator=None,
        inverse="_inverse_cap_hours",
        help="Most credited hours for one session; 0:00 means no cap.",
    )
    funding = fields.Selection(
        [("reciprocal", "Reciprocal"), ("community", "Community")],
        required=True,
        default="reciprocal",
        tracking=True,
        help="Reciprocal: the receiver pays the credits. "
        "Community: the bank's community pool pays them.",
    )
    rated_case_by_case = fields.Boolean(
        string="One-off, Rated Case by Case",
        tracking=True,
        help="For services outside the catalog: no fixed coefficient, a broker "
        "rates each service (with the reason) before it is confirmed, without "
        "creating a new item.",
    )
    requires_background_check = fields.Boolean(
        tracking=True,
        help="Only providers with a valid background check may provide this service.",
    )

    _sql_constraints = [
        (
            "coefficient_positive",
            "CHECK (coefficient > 0)",
            "The difficulty coefficient must be greater than zero.",
        ),
        (
            "cap_minutes_not_negative",
            "CHECK (cap_minutes >= 0)",
            "The cap per session cannot be negative.",
        ),
    ]

    @api.depends("cap_minutes")
    def _compute_cap_hours(self):
        for item in self:
            item.cap_hours = item.cap_minutes / 60.0

    def _inverse_cap_hours(self):
        for item in self:
            item.cap_minutes = round(item.cap_hours * 60)

    @api.constrains("coefficient", "cap_minutes")
    def _check_coefficient_and_cap(self):
        for item in self:
            if item.coefficient <= 0:
                raise ValidationError(
                    _(
                        "The difficulty coefficient of %(item)s must be greater than "
                        "zero (it is %(value)s).",
                        item=item.name,
                        value=item.coefficient,
                    )
                )
            if item.cap_minutes < 0:
                raise ValidationError(
                    _(
                        "The cap per session of %(item)s cannot be negative; use 0 "
                        "for no cap.",
                        item=item.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if {"coefficient", "cap_minutes", "cap_hours"} & set(vals):
            # services not yet confirmed follow the catalog; the others keep the
            # terms they were confirmed with
            self.env["timebank.exchange"].sudo().search(
                [("item_id", "in", self.ids), ("state", "in", ("draft", "submitted"))]
            )._refresh_item_terms()
        return result

    def _credit_minutes(self, actual_minutes):
        """Credited minutes for ``actual_minutes`` of this service today."""
        self.ensure_one()
        return self._credit_minutes_for(
            actual_minutes, self.coefficient, self.cap_minutes
        )

    @api.model
    def _credit_minutes_for(self, actual_minutes, coefficient, cap_minutes):
        """min(actual minutes x coefficient, cap), rounded half up to the minute."""
        if actual_minutes < 0:
            raise ValidationError(_("A service cannot last a negative time."))
        credited = int(float_round(actual_minutes * coefficient, precision_digits=0))
        if cap_minutes:
            credited = min(credited, cap_minutes)
        return credited
