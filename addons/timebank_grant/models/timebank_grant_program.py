from odoo import api, fields, models


class TimebankGrantProgram(models.Model):
    _name = "timebank.grant.program"
    _description = "Grant Program"
    _inherit = ["mail.thread"]
    _order = "year desc, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    funder_id = fields.Many2one("res.partner", tracking=True)
    year = fields.Integer(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the program between time banks."
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    max_per_case = fields.Monetary(
        string="Maximum per Case",
        tracking=True,
        help="Highest subsidy of one grant (0: no maximum). Self-funded amounts "
        "do not count.",
    )
    fee_rate = fields.Float(
        string="Management Fee Rate (%)",
        default=10.0,
        tracking=True,
        help="The management fee may not exceed this share of its base.",
    )
    fee_base = fields.Selection(
        [
            ("recurrent_excl_fee", "Approved recurrent subsidy, excluding the fee"),
            ("subsidy_excl_fee", "Approved subsidy, excluding the fee"),
        ],
        string="Management Fee Base",
        required=True,
        default="recurrent_excl_fee",
    )
    kind_ids = fields.One2many(
        "timebank.grant.expense.kind", "program_id", string="Kinds of Spending"
    )
    deadline_ids = fields.One2many(
        "timebank.grant.deadline", "program_id", string="Report Deadlines"
    )
    reminder_days = fields.Integer(
        default=30, help="Days before a report deadline when the reminder is due."
    )
    rules = fields.Html(translate=True)
    unexplained_policy = fields.Selection(
        [("warn", "Warn"), ("refuse", "Refuse")],
        string="Unreconciled Claims",
        required=True,
        default="warn",
        help="What Submit does with a claim whose period does not reconcile "
        "with the general ledger: warn (in the claim and its chatter) or refuse.",
    )

    _sql_constraints = [
        (
            "fee_rate_range",
            "CHECK(fee_rate >= 0 AND fee_rate <= 100)",
            "The management fee rate is a percentage between 0 and 100.",
        ),
        (
            "max_per_case_positive",
            "CHECK(max_per_case >= 0)",
            "The maximum per case cannot be negative.",
        ),
    ]

    @api.depends("name", "year")
    def _compute_display_name(self):
        for program in self:
            program.display_name = f"{program.year} {program.name}"


class TimebankGrantDeadline(models.Model):
    _name = "timebank.grant.deadline"
    _description = "Grant Report Deadline"
    _order = "program_id, month, day"

    program_id = fields.Many2one(
        "timebank.grant.program", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    name = fields.Char(required=True, translate=True)
    month = fields.Integer(required=True)
    day = fields.Integer(required=True, default=31)

    _sql_constraints = [
        (
            "month_range",
            "CHECK(month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31)",
            "A deadline needs a month from 1 to 12 and a day from 1 to 31.",
        ),
    ]
