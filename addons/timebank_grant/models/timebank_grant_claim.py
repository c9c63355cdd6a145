from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.timebank_core.models.timebank_guarded_mixin import (
    GUARDED_CONTEXT_KEY,
    GUARDED_WRITE,
)


class TimebankGrantClaim(models.Model):
    """A reimbursement claim: the eligible assigned expenditures of a period."""

    _name = "timebank.grant.claim"
    _description = "Grant Reimbursement Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True
    _guarded_fields = ("name", "state", "expense_ids", "line_ids")

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
    line_ids = fields.One2many(
        "timebank.grant.claim.line",
        "claim_id",
        string="Submitted Expenditures",
        readonly=True,
        help="The expenditures and amounts as the claim was submitted.",
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
        "state",
        "line_ids.subsidy_amount",
        "line_ids.self_funded_amount",
        "expense_ids.subsidy_amount",
        "expense_ids.self_funded_amount",
        "grant_id.currency_id",
    )
    def _compute_amounts(self):
        """A draft adds up its expenditures; once submitted, the claim adds up
        what it was submitted with."""
        for claim in self:
            currency = claim.currency_id or claim.company_id.currency_id
            rows = claim._claimed_rows()
            subsidy = currency.round(sum(rows.mapped("subsidy_amount")))
            self_funded = currency.round(sum(rows.mapped("self_funded_amount")))
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
        self._check_guarded_create(vals_list)
        for vals in vals_list:
            vals["name"] = (
                self.env["ir.sequence"].next_by_code("timebank.grant.claim") or "/"
            )
        return (
            super(
                TimebankGrantClaim,
                self.with_context(**self._guarded_allow({"name"})),
            )
            .create(vals_list)
            .with_env(self.env)
        )

    def write(self, vals):
        frozen = {"grant_id", "date_from", "date_to"} & set(vals)
        submitted = self.filtered(lambda c: c.state != "draft")
        if frozen and submitted:
            raise UserError(
                self.env._(
                    "Claims %(claims)s keep the grant and period they were "
                    "submitted with.",
                    claims=", ".join(submitted.mapped("name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        if self.filtered(lambda c: c.state != "draft"):
            raise UserError(self.env._("Only a draft claim can be deleted."))

    def _guarded_hint(self):
        return self.env._(
            "A claim moves with its buttons (Collect Expenditures, Submit, Approved "
            "by Funder, Paid, Back to Draft)."
        )

    def _claimed_rows(self):
        """The expenditures of a draft, the submitted lines of the others."""
        self.ensure_one()
        return self.expense_ids if self.state == "draft" else self.line_ids

    def _totals_by_line(self):
        """[(budget line, subsidy, self-funded, total)], one row per budget line."""
        self.ensure_one()
        currency = self.currency_id
        rows = self._claimed_rows()
        return [
            (
                line,
                currency.round(subsidy),
                currency.round(self_funded),
                currency.round(subsidy + self_funded),
            )
            for line, subsidy, self_funded in rows._read_group(
                [("id", "in", rows.ids)],
                ["line_id"],
                ["subsidy_amount:sum", "self_funded_amount:sum"],
                order="line_id",
            )
        ]

    # ------------------------------------------------------------ rules
    def _check_state(self, states):
        wrong = self.filtered(lambda c: c.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "Claims %(claims)s are not at the right stage for this.",
                    claims=", ".join(wrong.mapped("name")),
                )
            )

    def _claim_problems(self):
        """What Submit checks (and Approve checks again), with what Assign
        checked of each expenditure."""
        _ = self.env._
        problems = []
        empty = self.filtered(lambda c: not c.expense_ids)
        if empty:
            problems.append(
                _(
                    "Claims %(claims)s have no expenditures: collect them first.",
                    claims=", ".join(empty.mapped("name")),
                )
            )
        unassigned = self.expense_ids.filtered(
            lambda e: e.state != "assigned" or e.parent_state != "posted"
        )
        if unassigned:
            problems.append(
                _(
                    "%(expenses)s are not assigned to a budget line or their "
                    "journal entries are not posted.",
                    expenses=", ".join(unassigned.mapped("display_name")),
                )
            )
        # what Assign checked still holds: eligibility, override, budget lines
        problems += (self.expense_ids - unassigned)._rule_problems()
        for claim in self:
            outside = claim.expense_ids.filtered(
                lambda e, claim=claim: (
                    e.grant_id != claim.grant_id
                    or not claim.date_from <= e.date <= claim.date_to
                )
            )
            if outside:
                problems.append(
                    _(
                        "%(expenses)s are not expenditures of %(grant)s from "
                        "%(date_from)s to %(date_to)s: collect the claim again.",
                        expenses=", ".join(outside.mapped("display_name")),
                        grant=claim.grant_id.display_name,
                        date_from=claim.date_from,
                        date_to=claim.date_to,
                    )
                )
        return problems

    def _snapshot_problems(self):
        """Where the expenditures differ from what the claim was submitted with."""
        problems = []
        for claim in self:
            currency = claim.currency_id
            submitted = {line.expense_id: line for line in claim.line_ids}
            # taken out of the claim, or put in after it was submitted
            changed = (claim.expense_ids - claim.line_ids.expense_id) | (
                claim.line_ids.expense_id - claim.expense_ids
            )
            for expense in claim.expense_ids & claim.line_ids.expense_id:
                line = submitted[expense]
                if (
                    line.move_line_id != expense.move_line_id
                    or line.line_id != expense.line_id
                    or line.kind_id != expense.kind_id
                    or currency.compare_amounts(line.amount, expense.amount)
                    or currency.compare_amounts(
                        line.subsidy_amount, expense.subsidy_amount
                    )
                    or currency.compare_amounts(
                        line.self_funded_amount, expense.self_funded_amount
                    )
                ):
                    changed |= expense
            if changed:
                problems.append(
                    self.env._(
                        "%(expenses)s are not as they were when claim %(claim)s "
                        "was submitted.",
                        expenses=", ".join(changed.mapped("display_name")),
                        claim=claim.name,
                    )
                )
        return problems

    def _snapshot(self):
        """Record the expenditures and their amounts as the claim is submitted."""
        self.env["timebank.grant.claim.line"].sudo()._guarded_create(
            [
                {
                    "claim_id": claim.id,
                    "expense_id": expense.id,
                    "move_line_id": expense.move_line_id.id,
                    "name": expense.display_name,
                    "date": expense.date,
                    "partner_id": expense.partner_id.id,
                    "line_id": expense.line_id.id,
                    "kind_id": expense.kind_id.id,
                    "amount": expense.amount,
                    "subsidy_amount": expense.subsidy_amount,
                    "self_funded_amount": expense.self_funded_amount,
                }
                for claim in self
                for expense in claim.expense_ids
            ]
        )

    # ------------------------------------------------------------ actions
    def action_collect(self):
        """Put the period's assigned, unclaimed expenditures in the claim."""
        self._check_state(("draft",))
        Expense = self.env["timebank.grant.expense"]
        for claim in self:
            claim.expense_ids._guarded_write({"claim_id": False})
            Expense.search(
                [
                    ("grant_id", "=", claim.grant_id.id),
                    ("state", "=", "assigned"),
                    ("claim_id", "=", False),
                    ("date", ">=", claim.date_from),
                    ("date", "<=", claim.date_to),
                ]
            )._guarded_write({"claim_id": claim.id})
        return True

    def action_submit(self):
        self._check_state(("draft",))
        problems = self._claim_problems()
        if problems:
            raise UserError("\n".join(problems))
        self._snapshot()
        self._guarded_write({"state": "submitted"})
        return True

    def action_approve(self):
        """The funder approved the claim: as it was submitted, and only if
        everything Submit checked still holds."""
        self._check_state(("submitted",))
        problems = self._claim_problems() + self._snapshot_problems()
        if problems:
            raise UserError(
                self.env._("The claim cannot be approved:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )
        self._guarded_write({"state": "approved"})
        return True

    def action_paid(self):
        self._check_state(("approved",))
        self._guarded_write({"state": "paid"})
        return True

    def action_draft(self):
        self._check_state(("submitted",))
        self.line_ids.sudo().with_context(
            **{GUARDED_CONTEXT_KEY: GUARDED_WRITE}
        ).unlink()
        self._guarded_write({"state": "draft"})
        return True


class TimebankGrantClaimLine(models.Model):
    """An expenditure of a claim as it was submitted: what the funder was
    asked to pay, kept as it was."""

    _name = "timebank.grant.claim.line"
    _description = "Grant Claim Line"
    _inherit = ["timebank.guarded.mixin"]
    _order = "claim_id, date, id"
    _check_company_auto = True
    _guarded_fields = (
        "claim_id",
        "expense_id",
        "move_line_id",
        "name",
        "date",
        "partner_id",
        "line_id",
        "kind_id",
        "amount",
        "subsidy_amount",
        "self_funded_amount",
    )

    claim_id = fields.Many2one(
        "timebank.grant.claim", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="claim_id.company_id", store=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    expense_id = fields.Many2one(
        "timebank.grant.expense",
        string="Expenditure",
        required=True,
        ondelete="restrict",
        index=True,
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", required=True, ondelete="restrict"
    )
    name = fields.Char(string="Document")
    date = fields.Date()
    partner_id = fields.Many2one("res.partner", string="Vendor")
    line_id = fields.Many2one("timebank.grant.line", string="Budget Line")
    kind_id = fields.Many2one("timebank.grant.expense.kind", string="Kind of Spending")
    amount = fields.Monetary()
    subsidy_amount = fields.Monetary(string="Subsidy")
    self_funded_amount = fields.Monetary(string="Self-Funded")
    receipt_count = fields.Integer(related="expense_id.receipt_count")

    @api.ondelete(at_uninstall=False)
    def _unlink_only_back_to_draft(self):
        if not self._guarded_allowed():
            raise UserError(
                self.env._(
                    "A claim keeps the expenditures it was submitted with: set the "
                    "claim back to draft instead."
                )
            )

    def _guarded_hint(self):
        return self.env._(
            "A claim records them when it is submitted (Submit) and lets them go "
            "when it is set back to draft (Back to Draft)."
        )
