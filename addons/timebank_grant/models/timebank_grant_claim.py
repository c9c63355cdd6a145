from odoo import api, fields, models
from odoo.exceptions import UserError


class TimebankGrantClaim(models.Model):
    """A reimbursement claim: the eligible assigned expenditures of a period."""

    _name = "timebank.grant.claim"
    _description = "Grant Reimbursement Claim"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    grant_id = fields.Many2one(
        "timebank.grant", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="grant_id.company_id", store=True)
    currency_id = fields.Many2one(related="grant_id.currency_id", store=True)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: fields.Date.context_today(self),
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("paid", "Paid"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    expense_ids = fields.One2many(
        "timebank.grant.expense", "claim_id", string="Expenditures", readonly=True
    )
    amount_subsidy = fields.Monetary(
        string="Subsidy", compute="_compute_amounts", store=True
    )
    amount_self_funded = fields.Monetary(
        string="Self-Funded", compute="_compute_amounts", store=True
    )
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True
    )
    receipt_ids = fields.Many2many(
        "ir.attachment", string="Receipts", compute="_compute_receipt_ids"
    )

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_to >= date_from)",
            "A claim period cannot end before it starts.",
        ),
    ]

    @api.depends(
        "expense_ids.subsidy_amount",
        "expense_ids.self_funded_amount",
        "grant_id.currency_id",
    )
    def _compute_amounts(self):
        for claim in self:
            currency = claim.currency_id or claim.company_id.currency_id
            subsidy = currency.round(sum(claim.expense_ids.mapped("subsidy_amount")))
            self_funded = currency.round(
                sum(claim.expense_ids.mapped("self_funded_amount"))
            )
            claim.amount_subsidy = subsidy
            claim.amount_self_funded = self_funded
            claim.amount_total = currency.round(subsidy + self_funded)

    @api.depends("expense_ids")
    def _compute_receipt_ids(self):
        for claim in self:
            expenses = claim.expense_ids
            claim.receipt_ids = self.env["ir.attachment"].search(
                [
                    "|",
                    "&",
                    ("res_model", "=", "account.move"),
                    ("res_id", "in", expenses.move_id.ids),
                    "&",
                    ("res_model", "=", "timebank.grant.expense"),
                    ("res_id", "in", expenses.ids),
                ]
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "timebank.grant.claim"
                )
        return super().create(vals_list)

    def _totals_by_line(self):
        """[(budget line, subsidy, self-funded, total)] and the grand total row."""
        self.ensure_one()
        currency = self.currency_id
        rows = [
            (
                line,
                currency.round(subsidy),
                currency.round(self_funded),
                currency.round(subsidy + self_funded),
            )
            for line, subsidy, self_funded in self.env[
                "timebank.grant.expense"
            ]._read_group(
                [("claim_id", "=", self.id)],
                ["line_id"],
                ["subsidy_amount:sum", "self_funded_amount:sum"],
                order="line_id",
            )
        ]
        return rows

    def _check_state(self, states):
        wrong = self.filtered(lambda c: c.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Claims %(claims)s are not at the right stage for this.",
                    claims=", ".join(wrong.mapped("name")),
                )
            )

    def action_collect(self):
        """Put the period's assigned, unclaimed expenditures in the claim."""
        self._check_state(("draft",))
        for claim in self:
            claim.expense_ids.write({"claim_id": False})
            self.env["timebank.grant.expense"].search(
                [
                    ("grant_id", "=", claim.grant_id.id),
                    ("state", "=", "assigned"),
                    ("claim_id", "=", False),
                    ("date", ">=", claim.date_from),
                    ("date", "<=", claim.date_to),
                ]
            ).write({"claim_id": claim.id})

    def action_submit(self):
        self._check_state(("draft",))
        empty = self.filtered(lambda c: not c.expense_ids)
        if empty:
            raise UserError(
                self.env._(
                    "Claims %(claims)s have no expenditures: collect them first.",
                    claims=", ".join(empty.mapped("name")),
                )
            )
        unassigned = self.expense_ids.filtered(
            lambda e: e.state != "assigned" or e.parent_state != "posted"
        )
        if unassigned:
            raise UserError(
                self.env._(
                    "%(expenses)s are not assigned to a budget line or their "
                    "journal entries are not posted.",
                    expenses=", ".join(unassigned.mapped("display_name")),
                )
            )
        self.write({"state": "submitted"})

    def action_approve(self):
        self._check_state(("submitted",))
        self.write({"state": "approved"})

    def action_paid(self):
        self._check_state(("approved",))
        self.write({"state": "paid"})

    def action_draft(self):
        self._check_state(("submitted",))
        self.write({"state": "draft"})

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        if self.filtered(lambda c: c.state != "draft"):
            raise UserError(self.env._("Only a draft claim can be deleted."))
