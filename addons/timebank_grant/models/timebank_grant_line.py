from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TimebankGrantLine(models.Model):
    _name = "timebank.grant.line"
    _description = "Grant Budget Line"
    _order = "grant_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    grant_id = fields.Many2one(
        "timebank.grant", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="grant_id.company_id", store=True)
    currency_id = fields.Many2one(related="grant_id.currency_id")
    program_id = fields.Many2one(related="grant_id.program_id")
    kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Category",
        required=True,
        domain="[('program_id', '=', program_id)]",
    )
    name = fields.Char(string="Description", translate=True)
    subsidy_amount = fields.Monetary(string="Subsidy")
    self_funded_amount = fields.Monetary(string="Self-Funded")
    expense_ids = fields.One2many("timebank.grant.expense", "line_id")
    subsidy_committed = fields.Monetary(compute="_compute_actual")
    subsidy_spent = fields.Monetary(compute="_compute_actual")
    subsidy_remaining = fields.Monetary(compute="_compute_actual")
    self_funded_committed = fields.Monetary(
        string="Self-Funded Committed", compute="_compute_actual"
    )
    self_funded_spent = fields.Monetary(
        string="Self-Funded Spent", compute="_compute_actual"
    )
    self_funded_remaining = fields.Monetary(
        string="Self-Funded Remaining", compute="_compute_actual"
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(subsidy_amount >= 0 AND self_funded_amount >= 0)",
            "Budget amounts cannot be negative.",
        ),
    ]

    @api.depends("kind_id", "name")
    def _compute_display_name(self):
        for line in self:
            line.display_name = " / ".join(filter(None, [line.kind_id.name, line.name]))

    @api.depends(
        "subsidy_amount",
        "self_funded_amount",
        "expense_ids.state",
        "expense_ids.subsidy_amount",
        "expense_ids.self_funded_amount",
        "expense_ids.move_id.payment_state",
        "expense_ids.move_id.state",
    )
    def _compute_actual(self):
        """Committed: assigned expenses of posted bills not paid yet; spent:
        paid. A draft or cancelled bill commits nothing."""
        for line in self:
            currency = line.currency_id or line.company_id.currency_id
            expenses = line.expense_ids.filtered(
                lambda e: e.state == "assigned" and e.parent_state == "posted"
            )
            paid = expenses.filtered("is_paid")
            unpaid = expenses - paid
            for part in ("subsidy", "self_funded"):
                field = f"{part}_amount"
                committed = currency.round(sum(unpaid.mapped(field)))
                spent = currency.round(sum(paid.mapped(field)))
                line[f"{part}_committed"] = committed
                line[f"{part}_spent"] = spent
                line[f"{part}_remaining"] = line[field] - committed - spent

    @api.constrains("subsidy_amount", "self_funded_amount", "kind_id", "grant_id")
    def _check_budget_rules(self):
        self.grant_id._check_budget_rules()

    @api.constrains("subsidy_amount", "self_funded_amount", "grant_id")
    def _check_assigned_expenses(self):
        problems = self._assigned_problems()
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("default_grant_id") and not all(
            vals.get("grant_id") for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "A budget line belongs to a grant: add it on the Budget tab "
                    "of the grant."
                )
            )
        lines = super().create(vals_list)
        lines.grant_id._check_budget_open()
        return lines

    def write(self, vals):
        grants = self.grant_id
        grants._check_budget_open()
        result = super().write(vals)
        if "grant_id" in vals:
            self.grant_id._check_budget_open()
            # the grant the lines left keeps the funder's rules too
            (grants - self.grant_id)._check_budget_rules()
        return result

    def unlink(self):
        grants = self.grant_id
        grants._check_budget_open()
        result = super().unlink()
        # an approved budget keeps the funder's rules without the deleted lines
        grants.exists()._check_budget_rules()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_without_assigned_expenses(self):
        assigned = self.expense_ids.filtered(lambda e: e.state == "assigned")
        if assigned:
            raise UserError(
                self.env._(
                    "Budget lines %(lines)s have assigned expenditures "
                    "(%(expenses)s): unassign them first.",
                    lines=", ".join(assigned.line_id.mapped("display_name")),
                    expenses=", ".join(assigned.mapped("display_name")),
                )
            )

    def _assigned_problems(self):
        """Where a line no longer holds what is assigned to it: its budget below
        the assigned expenditures (a negative remaining amount), or the line
        moved to another grant than theirs."""
        _ = self.env._
        problems = []
        rows = (
            self.env["timebank.grant.expense"]
            .sudo()
            ._read_group(
                [("line_id", "in", self.ids), ("state", "=", "assigned")],
                ["line_id", "grant_id"],
                ["id:recordset", "subsidy_amount:sum", "self_funded_amount:sum"],
            )
        )
        for line, grant, expenses, subsidy, self_funded in rows:
            line = line.with_env(self.env)
            if grant != line.grant_id:
                problems.append(
                    _(
                        "Budget line %(line)s has assigned expenditures of "
                        "%(grant)s (%(expenses)s): it cannot move to another "
                        "grant before they are unassigned.",
                        line=line.display_name,
                        grant=grant.display_name,
                        expenses=", ".join(expenses.mapped("display_name")),
                    )
                )
                continue
            for part, assigned, budget in (
                (_("subsidy"), subsidy, line.subsidy_amount),
                (_("self-funded"), self_funded, line.self_funded_amount),
            ):
                if line.currency_id.compare_amounts(assigned, budget) > 0:
                    problems.append(
                        _(
                            "Budget line %(line)s: %(assigned)s of %(part)s is "
                            "assigned to expenditures, more than the new %(part)s "
                            "budget of %(amount)s.",
                            line=line.display_name,
                            assigned=grant._format(assigned),
                            part=part,
                            amount=grant._format(budget),
                        )
                    )
        return problems
