from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# claims in these states hold their expenditures and their journal items
CLAIM_LOCKED_STATES = ("submitted", "approved", "paid")
OVERRIDE_FIELDS = (
    "override_reason",
    "override_user_id",
    "override_date",
    "override_kind_id",
    "override_amount",
)


class TimebankGrantExpense(models.Model):
    """A journal item on the grant's analytic account, as the accountant
    reconciles it against a budget line."""

    _name = "timebank.grant.expense"
    _description = "Grant Expenditure"
    _inherit = ["mail.thread", "timebank.guarded.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _guarded_fields = ("grant_id", "move_line_id", "state", "claim_id") + (
        OVERRIDE_FIELDS
    )

    grant_id = fields.Many2one(
        "timebank.grant", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="grant_id.company_id", store=True)
    currency_id = fields.Many2one(related="grant_id.currency_id", store=True)
    program_id = fields.Many2one(related="grant_id.program_id")
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    move_id = fields.Many2one(related="move_line_id.move_id", store=True)
    parent_state = fields.Selection(
        related="move_line_id.parent_state", string="Entry Status"
    )
    date = fields.Date(related="move_line_id.date", store=True)
    partner_id = fields.Many2one(related="move_line_id.partner_id", store=True)
    name = fields.Char(related="move_line_id.name", store=True)
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        help="The share of the journal item on the grant's analytic account.",
    )
    line_id = fields.Many2one(
        "timebank.grant.line",
        string="Budget Line",
        domain="[('grant_id', '=', grant_id)]",
        tracking=True,
    )
    kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Kind of Spending",
        domain="[('program_id', '=', program_id)]",
        tracking=True,
        help="What the money was spent on, as the funder's rules name it.",
    )
    subsidy_amount = fields.Monetary(
        string="Subsidy",
        compute="_compute_subsidy_amount",
        store=True,
        readonly=False,
        tracking=True,
    )
    self_funded_amount = fields.Monetary(
        string="Self-Funded", compute="_compute_self_funded_amount", store=True
    )
    state = fields.Selection(
        [("new", "To Assign"), ("assigned", "Assigned")],
        default="new",
        required=True,
        tracking=True,
    )
    claim_id = fields.Many2one(
        "timebank.grant.claim", readonly=True, copy=False, index=True
    )
    is_paid = fields.Boolean(
        compute="_compute_is_paid", help="The bill is paid (spent, not only committed)."
    )
    receipt_count = fields.Integer(compute="_compute_receipt_count")
    override_reason = fields.Text(readonly=True, copy=False, tracking=True)
    override_user_id = fields.Many2one(
        "res.users", string="Overridden by", readonly=True, copy=False
    )
    override_date = fields.Datetime(readonly=True, copy=False)
    override_kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Overridden Kind",
        readonly=True,
        copy=False,
        help="The one excluded kind of spending the override lets through.",
    )
    override_amount = fields.Monetary(
        string="Overridden Subsidy",
        readonly=True,
        copy=False,
        help="The subsidy the override lets through; another amount needs a new "
        "override.",
    )

    _sql_constraints = [
        (
            "move_line_unique",
            "UNIQUE(grant_id, move_line_id)",
            "This journal item is already an expenditure of the grant.",
        ),
    ]

    @api.depends(
        "move_line_id.balance",
        "move_line_id.amount_currency",
        "move_line_id.analytic_distribution",
        "grant_id.analytic_account_id",
    )
    def _compute_amount(self):
        for grant in self.grant_id:
            expenses = self.filtered(lambda e, grant=grant: e.grant_id == grant)
            shares = grant._shares_of(expenses.move_line_id)
            for expense in expenses:
                expense.amount = shares.get(expense.move_line_id, 0.0)
        (self - self.filtered("grant_id")).amount = 0.0

    @api.depends("amount")
    def _compute_subsidy_amount(self):
        for expense in self:
            expense.subsidy_amount = expense.amount

    @api.depends("amount", "subsidy_amount")
    def _compute_self_funded_amount(self):
        for expense in self:
            expense.self_funded_amount = expense.amount - expense.subsidy_amount

    @api.depends(
        "move_id.move_type",
        "move_id.payment_state",
        "move_id.reversed_entry_id.payment_state",
    )
    def _compute_is_paid(self):
        """A bill taken back by its credit note (reversed) was not spent, nor
        was the credit note that took it back."""
        for expense in self:
            move = expense.move_id
            expense.is_paid = move.move_type == "entry" or (
                move.payment_state in ("paid", "in_payment")
                and move.reversed_entry_id.payment_state != "reversed"
            )

    def _receipt_counts(self):
        """{(model, id): attachments} of the expenses and their bills."""
        Attachment = self.env["ir.attachment"]
        domain = [
            "|",
            "&",
            ("res_model", "=", "account.move"),
            ("res_id", "in", self.move_id.ids),
            "&",
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
        ]
        return dict(
            ((model, res_id), count)
            for model, res_id, count in Attachment._read_group(
                domain, ["res_model", "res_id"], ["__count"]
            )
        )

    @api.depends("move_id")
    def _compute_receipt_count(self):
        counts = self._receipt_counts()
        for expense in self:
            expense.receipt_count = counts.get(
                ("account.move", expense.move_id.id), 0
            ) + counts.get((self._name, expense.id), 0)

    def write(self, vals):
        locked = {"line_id", "kind_id", "subsidy_amount"} & set(vals)
        if locked and self.filtered(lambda e: e.state == "assigned"):
            raise UserError(
                self.env._(
                    "Unassign the expenditure before changing its budget line, "
                    "kind or amounts."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_unassigned(self):
        claimed = self._claimed()
        if claimed:
            raise UserError(claimed._claimed_message())
        assigned = self.filtered(lambda e: e.state == "assigned")
        if assigned:
            raise UserError(
                self.env._(
                    "%(expenses)s are assigned: unassign them before deleting them.",
                    expenses=", ".join(assigned.mapped("display_name")),
                )
            )

    def _guarded_hint(self):
        return self.env._(
            "Expenditures come in with Import Expenditures and move with their "
            "buttons (Assign, Override Exclusion, Unassign); a claim takes them "
            "with Collect Expenditures."
        )

    def _claimed(self):
        """The expenses held by a submitted, approved or paid claim."""
        return self.filtered(lambda e: e.claim_id.state in CLAIM_LOCKED_STATES)

    def _claimed_message(self):
        states = dict(
            self.env["timebank.grant.claim"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        return self.env._(
            "%(expenses)s belong to claim %(claims)s (%(state)s): they stay in the "
            "claim as it was submitted.",
            expenses=", ".join(self.mapped("display_name")),
            claims=", ".join(self.claim_id.mapped("name")),
            state=", ".join(sorted({states[c.state] for c in self.claim_id})),
        )

    def _refuse_entry_change_if_claimed(self, reversal=False):
        """Refuse to change, delete or reverse the journal items of the
        expenses that a submitted, approved or paid claim holds."""
        claimed = self._claimed()
        if not claimed:
            return
        claims = claimed.claim_id
        states = dict(claims._fields["state"]._description_selection(self.env))
        values = {
            "entries": ", ".join(claimed.move_id.mapped("display_name")),
            "claims": ", ".join(claims.mapped("name")),
            "state": ", ".join(sorted({states[c.state] for c in claims})),
        }
        if reversal:
            raise UserError(
                self.env._(
                    "%(entries)s: grant claim %(claims)s (%(state)s) holds "
                    "expenditures of these entries, so they cannot be reversed "
                    "or refunded while the claim is submitted, approved or paid.",
                    **values,
                )
            )
        raise UserError(
            self.env._(
                "%(entries)s: grant claim %(claims)s (%(state)s) holds expenditures "
                "of these journal items, so they cannot be reset to draft, edited "
                "or deleted while the claim is submitted, approved or paid.",
                **values,
            )
        )

    def _refuse_entry_change_if_assigned(self):
        """Refuse to reset to draft, change or delete the journal items of
        assigned expenses: Assign checked their amounts against the budget
        line and the funder's rules. Unassign first; Assign checks again."""
        assigned = self.filtered(lambda e: e.state == "assigned")
        if assigned:
            raise UserError(
                self.env._(
                    "%(expenses)s are assigned to budget lines of %(grants)s: "
                    "unassign them (Unassign) before resetting their journal "
                    "entries to draft or changing or deleting their journal "
                    "items, then assign them again.",
                    expenses=", ".join(assigned.mapped("display_name")),
                    grants=", ".join(assigned.grant_id.mapped("display_name")),
                )
            )

    def _override_covers(self, kind):
        """The manager's override lets this kind through at this subsidy."""
        self.ensure_one()
        return bool(
            self.override_reason
            and self.override_kind_id == kind
            and not self.currency_id.compare_amounts(
                self.subsidy_amount, self.override_amount
            )
        )

    # ------------------------------------------------------------ rules
    def _assignment_problems(self):
        """Why each expense may not be assigned, one message per problem."""
        assigned = self.filtered(lambda e: e.state != "new")
        return [
            self.env._("%(expense)s is already assigned.", expense=expense.display_name)
            for expense in assigned
        ] + (self - assigned)._rule_problems()

    def _rule_problems(self):
        """What Assign checks, and Submit and Approve of a claim check again of
        its assigned expenses: a posted entry of an open grant, a budget line and
        a kind the funder pays for (or a manager's override for this kind at this
        subsidy), a receipt, and the budget line's amounts with the other
        expenses assigned to it."""
        _ = self.env._
        problems = []
        receipts = self._receipt_counts()
        used = {
            line: (subsidy, self_funded)
            for line, subsidy, self_funded in self.sudo()._read_group(
                [
                    ("line_id", "in", self.line_id.ids),
                    ("state", "=", "assigned"),
                    ("id", "not in", self.ids),
                ],
                ["line_id"],
                ["subsidy_amount:sum", "self_funded_amount:sum"],
            )
        }
        for expense in self:
            label = expense.display_name
            currency = expense.currency_id
            kind = expense.kind_id
            line = expense.line_id
            if expense.parent_state != "posted":
                problems.append(
                    _(
                        "%(expense)s: the journal entry is not posted any more.",
                        expense=label,
                    )
                )
            if expense.grant_id.state not in ("approved", "running", "closing"):
                problems.append(
                    _(
                        "%(expense)s: the grant is not approved or running.",
                        expense=label,
                    )
                )
            if not line:
                problems.append(_("%(expense)s: choose a budget line.", expense=label))
            if not kind:
                problems.append(
                    _("%(expense)s: choose the kind of spending.", expense=label)
                )
            problems += expense._eligibility_problems()
            if not (
                receipts.get(("account.move", expense.move_id.id))
                or receipts.get((self._name, expense.id))
            ):
                problems.append(
                    _(
                        "%(expense)s: no receipt is attached to the bill or to "
                        "the expenditure.",
                        expense=label,
                    )
                )
            if currency.compare_amounts(expense.self_funded_amount, 0) < 0 or (
                currency.compare_amounts(expense.subsidy_amount, 0) < 0
                and currency.compare_amounts(expense.amount, 0) > 0
            ):
                problems.append(
                    _(
                        "%(expense)s: the subsidy part must lie between zero and "
                        "the amount.",
                        expense=label,
                    )
                )
            if line:
                subsidy_used, self_used = used.get(line, (0.0, 0.0))
                for part, spent, budget in (
                    (
                        _("subsidy"),
                        subsidy_used + expense.subsidy_amount,
                        line.subsidy_amount,
                    ),
                    (
                        _("self-funded"),
                        self_used + expense.self_funded_amount,
                        line.self_funded_amount,
                    ),
                ):
                    if currency.compare_amounts(spent, budget) > 0:
                        problems.append(
                            _(
                                "%(expense)s takes budget line %(line)s over its "
                                "%(part)s budget of %(budget)s by %(over)s.",
                                expense=label,
                                line=line.display_name,
                                part=part,
                                budget=expense.grant_id._format(budget),
                                over=expense.grant_id._format(spent - budget),
                            )
                        )
                used[line] = (
                    subsidy_used + expense.subsidy_amount,
                    self_used + expense.self_funded_amount,
                )
        return problems

    def _eligibility_problems(self):
        """Whether the funder pays for what the expense is: a line of its grant,
        a kind of its program, no personnel cost, no excluded kind unless a
        manager's override covers it."""
        self.ensure_one()
        _ = self.env._
        problems = []
        expense, label = self, self.display_name
        kind, line = self.kind_id, self.line_id
        if line and line.grant_id != expense.grant_id:
            problems.append(
                _(
                    "%(expense)s: budget line %(line)s is not a line of %(grant)s.",
                    expense=label,
                    line=line.display_name,
                    grant=expense.grant_id.display_name,
                )
            )
        if kind and kind.program_id != expense.program_id:
            problems.append(
                _(
                    "%(expense)s: %(kind)s is not a kind of spending of %(program)s.",
                    expense=label,
                    kind=kind.name,
                    program=expense.program_id.display_name,
                )
            )
        if kind.personnel or line.kind_id.personnel:
            problems.append(
                _(
                    "%(expense)s: personnel costs are not eligible under %(program)s.",
                    expense=label,
                    program=expense.program_id.display_name,
                )
            )
        for excluded in (kind | line.kind_id).filtered("excluded"):
            if expense.override_reason and not expense._override_covers(excluded):
                problems.append(
                    _(
                        "%(expense)s: the override was for %(kind)s with a "
                        "subsidy of %(amount)s, not for %(excluded)s with a "
                        "subsidy of %(subsidy)s.",
                        expense=label,
                        kind=expense.override_kind_id.name,
                        amount=expense.grant_id._format(expense.override_amount),
                        excluded=excluded.name,
                        subsidy=expense.grant_id._format(expense.subsidy_amount),
                    )
                )
            elif not expense.override_reason:
                problems.append(
                    _(
                        "%(expense)s: %(kind)s is not eligible under %(program)s.",
                        expense=label,
                        kind=excluded.name,
                        program=expense.program_id.display_name,
                    )
                )
        return problems

    @api.depends("move_id", "name")
    def _compute_display_name(self):
        for expense in self:
            expense.display_name = " - ".join(
                filter(None, [expense.move_id.name, expense.name])
            )

    # ------------------------------------------------------------ actions
    def action_assign(self):
        """Assign the expenses to their budget lines, or say why not."""
        problems = self._assignment_problems()
        if problems:
            raise UserError(
                self.env._("The expenditure cannot be assigned:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )
        self._guarded_write({"state": "assigned"})
        return True

    def action_unassign(self):
        """Back to the expenditures to assign, out of its draft claim; a
        manager's override does not outlive the assignment."""
        claimed = self._claimed()
        if claimed:
            raise UserError(
                self.env._(
                    "%(expenses)s belong to a submitted claim and stay assigned.",
                    expenses=", ".join(claimed.mapped("display_name")),
                )
            )
        self._guarded_write(
            dict.fromkeys(OVERRIDE_FIELDS, False) | {"state": "new", "claim_id": False}
        )
        return True

    def _override_exclusion(self, reason):
        """A grant manager lets excluded spending through, with a written reason."""
        if not self.env.user.has_group("timebank_grant.group_grant_manager"):
            raise AccessError(
                self.env._("Only a grant manager may override an exclusion.")
            )
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Write the reason for overriding the exclusion.")
            )
        for expense in self:
            # for this kind and this subsidy only
            expense._guarded_write(
                {
                    "override_reason": reason,
                    "override_user_id": self.env.user.id,
                    "override_date": fields.Datetime.now(),
                    "override_kind_id": expense.kind_id.id,
                    "override_amount": expense.subsidy_amount,
                }
            )
        for expense in self:
            body = self.env._(
                "Exclusion overridden by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
            expense.message_post(body=body)
            expense.grant_id.message_post(
                body=self.env._(
                    "%(expense)s: %(body)s", expense=expense.display_name, body=body
                )
            )
        return self.action_assign()
