from odoo import api, fields, models
from odoo.exceptions import UserError

KIND_DECISION_FIELDS = (
    "kind_reason_user_id",
    "kind_reason_date",
    "kind_reason_kind_id",
)


class TimebankGrantExpense(models.Model):
    """What an expenditure is: its kind of spending within the budget
    categories of the program, proposed from the product, the expense account
    or the label of its journal item; where the proposal is a kind the funder
    does not pay for, another kind needs the accountant's written reason."""

    _inherit = "timebank.grant.expense"
    _guarded_fields = KIND_DECISION_FIELDS

    proposed_kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        compute="_compute_proposed_kind_id",
        store=True,
        help="The kind of spending the program's rules see in the journal item "
        "(its product, expense account or label) when it was imported.",
    )
    proposed_rule_id = fields.Many2one(
        "timebank.grant.kind.rule",
        string="Proposed by",
        compute="_compute_proposed_kind_id",
        store=True,
        ondelete="set null",
    )
    proposed_excluded = fields.Boolean(related="proposed_kind_id.excluded")
    kind_reason = fields.Text(
        string="Kind Decision",
        tracking=True,
        copy=False,
        help="Why the expenditure is of another kind than the excluded kind "
        "proposed: kept with who decided and when.",
    )
    kind_reason_user_id = fields.Many2one(
        "res.users", string="Kind Decided by", readonly=True, copy=False
    )
    kind_reason_date = fields.Datetime(
        string="Kind Decided on", readonly=True, copy=False
    )
    kind_reason_kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Kind Decided",
        readonly=True,
        copy=False,
        help="The kind the decision is for; another kind needs a new decision.",
    )

    @api.depends("move_line_id")
    def _compute_proposed_kind_id(self):
        """Proposed once, from the rules at import: later rules do not change
        what was proposed (Propose Kinds again does, before assignment)."""
        Rule = self.env["timebank.grant.kind.rule"]
        for program in self.program_id:
            expenses = self.filtered(lambda e, p=program: e.program_id == p)
            proposals = Rule._proposals(program, expenses.move_line_id)
            for expense in expenses:
                rule = proposals.get(expense.move_line_id, Rule)
                expense.proposed_rule_id = rule
                expense.proposed_kind_id = rule.kind_id
        for expense in self.filtered(lambda e: not e.program_id):
            expense.proposed_rule_id = False
            expense.proposed_kind_id = False

    @api.model_create_multi
    def create(self, vals_list):
        expenses = super().create(vals_list)
        for expense in expenses.filtered(
            lambda e: not e.kind_id and e.proposed_kind_id
        ):
            expense.kind_id = expense.proposed_kind_id
        return expenses

    def write(self, vals):
        if "kind_reason" in vals and self.filtered(lambda e: e.state == "assigned"):
            raise UserError(
                self.env._(
                    "Unassign the expenditure before changing its kind decision."
                )
            )
        result = super().write(vals)
        if "kind_reason" in vals:
            self._stamp_kind_reason()
        return result

    def _stamp_kind_reason(self):
        """Who decided the kind, when, and for which kind."""
        decided = self.filtered(lambda e: (e.kind_reason or "").strip())
        (self - decided)._guarded_write(dict.fromkeys(KIND_DECISION_FIELDS, False))
        for expense in decided:
            expense._guarded_write(
                {
                    "kind_reason_user_id": self.env.user.id,
                    "kind_reason_date": fields.Datetime.now(),
                    "kind_reason_kind_id": expense.kind_id.id,
                }
            )
            expense.message_post(
                body=self.env._(
                    "%(user)s decided that this is %(kind)s, not %(proposed)s: "
                    "%(reason)s",
                    user=self.env.user.name,
                    kind=expense.kind_id.name or "",
                    proposed=expense.proposed_kind_id.name or "",
                    reason=expense.kind_reason,
                )
            )

    def _eligibility_problems(self):
        problems = super()._eligibility_problems()
        problem = self._category_problem() or self._proposal_problem()
        if problem:
            problems.append(problem)
        return problems

    def _category_problem(self):
        """Fee kinds on the fee line only, the other kinds on their category's
        lines."""
        self.ensure_one()
        kind, line = self.kind_id, self.line_id
        if not (kind and line) or kind.program_id != line.kind_id.program_id:
            return None
        problem = kind._category_problem(line.kind_id)
        return problem and self.env._(
            "%(expense)s: %(problem)s", expense=self.display_name, problem=problem
        )

    def _proposal_problem(self):
        """An excluded (or personnel) kind proposed and another kind chosen
        without the accountant's written decision for that kind."""
        self.ensure_one()
        proposed, kind = self.proposed_kind_id, self.kind_id
        if (
            not (proposed.excluded or proposed.personnel)
            or not kind
            or kind == proposed
            or (self.kind_reason and self.kind_reason_kind_id == kind)
        ):
            return None
        return self.env._(
            "%(expense)s looks like %(proposed)s (%(match)s), which %(program)s "
            "does not pay for: keep %(proposed)s, or write in Kind Decision why it "
            "is %(kind)s.",
            expense=self.display_name,
            proposed=proposed.name,
            match=self.proposed_rule_id._match_label()
            if self.proposed_rule_id
            else self.env._("a rule since deleted"),
            program=self.program_id.display_name,
            kind=kind.name,
        )

    def action_unassign(self):
        """Unassigning a credit note gives its line back what it took: the
        line keeps no more than its budget assigned."""
        lines = self.line_id
        result = super().action_unassign()
        problems = lines._assigned_problems()
        if problems:
            raise UserError("\n".join(problems))
        return result

    def action_propose_kind(self):
        """Propose the kinds again from today's rules, for expenditures still
        to assign."""
        todo = self.filtered(lambda e: e.state == "new")
        names = ["proposed_kind_id", "proposed_rule_id"]
        for name in names:
            self.env.add_to_compute(self._fields[name], todo)
        todo._recompute_recordset(names)
        for expense in todo.filtered("proposed_kind_id"):
            expense.kind_id = expense.proposed_kind_id
        return True
