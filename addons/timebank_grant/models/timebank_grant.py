import calendar
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

COI_ANSWERS = [("yes", "Yes"), ("no", "No")]
OPEN_STATES = ("approved", "running", "closing")
# states in which the budget lines may still change (as the form allows)
BUDGET_OPEN_STATES = ("draft", "approved")
# what an approved grant keeps as it was approved
APPROVED_FIELDS = {"program_id", "analytic_account_id", "company_id"}


class TimebankGrant(models.Model):
    _name = "timebank.grant"
    _description = "Grant"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _guarded_fields = ("state",)

    name = fields.Char(required=True, tracking=True)
    award_number = fields.Char(tracking=True, copy=False)
    program_id = fields.Many2one(
        "timebank.grant.program",
        required=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", related="program_id.currency_id", store=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Accountant",
        default=lambda self: self.env.user,
        tracking=True,
        help="Receives the report deadline reminders.",
    )
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True, tracking=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        check_company=True,
        copy=False,
        help="Journal items carrying this analytic account are the grant's "
        "expenditures. Left empty, one is created in the Grants plan.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("approved", "Approved"),
            ("running", "Running"),
            ("closing", "Closing"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "timebank.grant.line", "grant_id", string="Budget Lines", copy=True
    )
    expense_ids = fields.One2many("timebank.grant.expense", "grant_id")
    claim_ids = fields.One2many("timebank.grant.claim", "grant_id")
    expense_count = fields.Integer(compute="_compute_counts")
    claim_count = fields.Integer(compute="_compute_counts")
    subsidy_total = fields.Monetary(
        string="Approved Subsidy", compute="_compute_budget", store=True
    )
    self_funded_total = fields.Monetary(
        string="Self-Funded", compute="_compute_budget", store=True
    )
    fee_amount = fields.Monetary(
        string="Management Fee", compute="_compute_budget", store=True
    )
    fee_base_amount = fields.Monetary(
        string="Management Fee Base",
        compute="_compute_budget",
        store=True,
        help="The subsidy the fee cap is a share of (the fee itself excluded).",
    )
    fee_cap = fields.Monetary(
        string="Management Fee Cap", compute="_compute_budget", store=True
    )
    fee_headroom = fields.Monetary(
        string="Fee Cap Headroom",
        compute="_compute_budget",
        store=True,
        help="How much more management fee the budget allows (negative: over the cap).",
    )
    case_headroom = fields.Monetary(
        string="Maximum per Case Headroom",
        compute="_compute_budget",
        store=True,
        help="How much more subsidy the program's maximum per case allows.",
    )
    # Execution report (seed Attachment 2): what the time bank writes itself,
    # in each language it reports in
    exec_eligibility = fields.Text(string="Eligibility of Participants", translate=True)
    exec_people_served = fields.Text(string="Kinds of People Served", translate=True)
    exec_deposit = fields.Text(
        string="Deposit and Withdrawal Mechanism", translate=True
    )
    exec_summary = fields.Text(string="Summary of Activities", translate=True)
    exec_results = fields.Text(string="Results Achieved", translate=True)
    exec_notes = fields.Text(string="Remarks", translate=True)
    # Conflict-of-interest self-check (seed Attachment 3)
    coi_officer = fields.Selection(
        COI_ANSWERS,
        string="Public official in charge",
        tracking=True,
        help="Does a public official under the Conflict of Interest Act serve "
        "as the responsible person, director, independent director, supervisor, "
        "manager or in a similar position of the organization?",
    )
    coi_spouse = fields.Selection(
        COI_ANSWERS,
        string="Spouse or household member in charge",
        tracking=True,
        help="Does the spouse or a household member of such a public official "
        "serve in one of these positions?",
    )
    coi_relative = fields.Selection(
        COI_ANSWERS,
        string="Relative within the second degree in charge",
        tracking=True,
        help="Does a relative within the second degree of such a public official "
        "serve in one of these positions?",
    )
    coi_disclosure_required = fields.Boolean(
        string="Disclosure Required", compute="_compute_coi_disclosure_required"
    )
    coi_disclosure = fields.Text(
        string="Identity Disclosure",
        tracking=True,
        help="Required when any answer is yes: the public official, the relation "
        "and the position (Article 14(2) disclosure form).",
    )
    coi_date = fields.Date(string="Self-Check Date")

    _sql_constraints = [
        (
            "dates_order",
            "CHECK(date_end >= date_start)",
            "A grant cannot end before it starts.",
        ),
    ]

    @api.depends("expense_ids", "claim_ids")
    def _compute_counts(self):
        for grant in self:
            grant.expense_count = len(grant.expense_ids)
            grant.claim_count = len(grant.claim_ids)

    @api.depends(
        "line_ids.subsidy_amount",
        "line_ids.self_funded_amount",
        "line_ids.kind_id",
        "program_id.fee_rate",
        "program_id.fee_base",
        "program_id.max_per_case",
    )
    def _compute_budget(self):
        for grant in self:
            currency = grant.currency_id or grant.company_id.currency_id
            program = grant.program_id
            lines = grant.line_ids
            fee_lines = lines.filtered(lambda line: line.kind_id.is_management_fee)
            base_lines = lines - fee_lines
            if program.fee_base == "recurrent_excl_fee":
                base_lines = base_lines.filtered(lambda line: line.kind_id.recurrent)
            subsidy = currency.round(sum(lines.mapped("subsidy_amount")))
            fee = currency.round(sum(fee_lines.mapped("subsidy_amount")))
            base = currency.round(sum(base_lines.mapped("subsidy_amount")))
            cap = currency.round(base * program.fee_rate / 100.0)
            grant.subsidy_total = subsidy
            grant.self_funded_total = currency.round(
                sum(lines.mapped("self_funded_amount"))
            )
            grant.fee_amount = fee
            grant.fee_base_amount = base
            grant.fee_cap = cap
            grant.fee_headroom = cap - fee
            grant.case_headroom = (
                program.max_per_case - subsidy if program.max_per_case else 0.0
            )

    @api.depends("coi_officer", "coi_spouse", "coi_relative")
    def _compute_coi_disclosure_required(self):
        for grant in self:
            grant.coi_disclosure_required = "yes" in (
                grant.coi_officer,
                grant.coi_spouse,
                grant.coi_relative,
            )

    @api.constrains("coi_officer", "coi_spouse", "coi_relative", "coi_disclosure")
    def _check_coi_disclosure(self):
        for grant in self:
            if (
                grant.coi_disclosure_required
                and not (grant.coi_disclosure or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "%(grant)s: a conflict-of-interest answer is yes, so the "
                        "identity disclosure must be filled in.",
                        grant=grant.display_name,
                    )
                )

    @api.constrains("state", "program_id", "coi_officer", "coi_spouse", "coi_relative")
    def _check_budget_rules(self):
        for grant in self.filtered(lambda g: g.state in OPEN_STATES):
            problems = grant._budget_problems()
            if problems:
                raise ValidationError("\n".join(problems))

    @api.model_create_multi
    def create(self, vals_list):
        grants = super().create(vals_list)
        for grant in grants.filtered(lambda g: not g.analytic_account_id):
            grant.analytic_account_id = grant._create_analytic_account()
        return grants

    def write(self, vals):
        approved = self.filtered(lambda g: g.state != "draft")
        if approved and any(
            self._fields[name].convert_to_write(grant[name], grant) != vals[name]
            for grant in approved
            for name in APPROVED_FIELDS & set(vals)
        ):
            raise UserError(
                self.env._(
                    "%(grants)s: an approved grant keeps its program, analytic "
                    "account and bank. Set it back to draft first.",
                    grants=", ".join(approved.mapped("display_name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        approved = self.filtered(lambda g: g.state != "draft")
        if approved:
            raise UserError(
                self.env._(
                    "%(grants)s: only a draft grant can be deleted.",
                    grants=", ".join(approved.mapped("display_name")),
                )
            )

    def _guarded_hint(self):
        return self.env._(
            "A grant moves with its buttons (Approve, Start, Start Closing, Close, "
            "Back to Draft)."
        )

    def _create_analytic_account(self):
        self.ensure_one()
        return self.env["account.analytic.account"].create(
            {
                "name": self.name,
                "code": self.award_number,
                "plan_id": self.env.ref(
                    "timebank_grant.account_analytic_plan_grants"
                ).id,
                "company_id": self.company_id.id,
            }
        )

    # ------------------------------------------------------------ rules
    def _budget_problems(self):
        """Every reason why the budget breaks the funder's rules."""
        self.ensure_one()
        _ = self.env._
        currency = self.currency_id
        program = self.program_id
        problems = []
        if not self.line_ids:
            problems.append(_("The budget has no lines."))
        for line in self.line_ids:
            if line.kind_id.program_id != program:
                problems.append(
                    _(
                        "Budget line %(line)s: %(kind)s is not a kind of spending "
                        "of %(program)s.",
                        line=line.display_name,
                        kind=line.kind_id.name,
                        program=program.display_name,
                    )
                )
            elif line.kind_id.personnel:
                problems.append(
                    _(
                        "Budget line %(line)s: personnel costs are not eligible "
                        "under %(program)s.",
                        line=line.display_name,
                        program=program.display_name,
                    )
                )
            elif line.kind_id.excluded:
                problems.append(
                    _(
                        "Budget line %(line)s: %(kind)s is not eligible under "
                        "%(program)s.",
                        line=line.display_name,
                        kind=line.kind_id.name,
                        program=program.display_name,
                    )
                )
        if currency.compare_amounts(self.fee_amount, self.fee_cap) > 0:
            problems.append(
                _(
                    "The management fee of %(fee)s exceeds its cap of %(cap)s "
                    "(%(rate)s%% of %(base)s).",
                    fee=self._format(self.fee_amount),
                    cap=self._format(self.fee_cap),
                    rate=program.fee_rate,
                    base=self._format(self.fee_base_amount),
                )
            )
        if (
            program.max_per_case
            and currency.compare_amounts(self.subsidy_total, program.max_per_case) > 0
        ):
            problems.append(
                _(
                    "The subsidy of %(total)s exceeds the maximum of %(maximum)s "
                    "per case.",
                    total=self._format(self.subsidy_total),
                    maximum=self._format(program.max_per_case),
                )
            )
        if not all((self.coi_officer, self.coi_spouse, self.coi_relative)):
            problems.append(
                _("Answer every question of the conflict-of-interest self-check.")
            )
        return problems

    def _check_budget_open(self):
        """The budget changes while the grant is a draft or approved only."""
        locked = self.filtered(lambda g: g.state not in BUDGET_OPEN_STATES)
        if locked:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The budget of %(grants)s cannot change: the grant is %(state)s.",
                    grants=", ".join(locked.mapped("display_name")),
                    state=", ".join(sorted({states[g.state] for g in locked})),
                )
            )

    def _format(self, amount):
        return f"{self.currency_id.name} {amount:,.{self.currency_id.decimal_places}f}"

    # ------------------------------------------------------------ actions
    def action_approve(self):
        problems = []
        for grant in self:
            if grant.state != "draft":
                problems.append(
                    self.env._("%(grant)s is not a draft.", grant=grant.display_name)
                )
                continue
            problems += [
                f"{grant.display_name}: {problem}"
                for problem in grant._budget_problems()
            ]
        if problems:
            raise UserError(
                self.env._("The budget cannot be approved:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )
        self._guarded_write({"state": "approved"})
        return True

    def _move_state(self, from_states, to_state):
        wrong = self.filtered(lambda g: g.state not in from_states)
        if wrong:
            raise UserError(
                self.env._(
                    "%(grants)s cannot go to this stage from their current stage.",
                    grants=", ".join(wrong.mapped("display_name")),
                )
            )
        self._guarded_write({"state": to_state})
        return True

    def action_start(self):
        return self._move_state(("approved",), "running")

    def action_closing(self):
        return self._move_state(("running",), "closing")

    def action_close(self):
        open_claims = self.claim_ids.filtered(lambda c: c.state != "paid")
        if open_claims:
            raise UserError(
                self.env._(
                    "Claims %(claims)s are not paid yet: the grant cannot be closed.",
                    claims=", ".join(open_claims.mapped("name")),
                )
            )
        return self._move_state(("closing",), "closed")

    def action_draft(self):
        used = self.filtered(
            lambda g: (
                g.claim_ids or g.expense_ids.filtered(lambda e: e.state == "assigned")
            )
        )
        if used:
            raise UserError(
                self.env._(
                    "%(grants)s already have assigned expenditures or claims: "
                    "they stay approved.",
                    grants=", ".join(used.mapped("display_name")),
                )
            )
        return self._move_state(("approved",), "draft")

    def action_import_expenses(self):
        """Import the new expenditures and show them."""
        expenses = self._import_expenses()
        if not expenses:
            # nothing new: say so, rather than open an empty list
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "No new expenditure: every posted journal item of the "
                        "period on the grant's analytic account is imported "
                        "already."
                    ),
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_grant.timebank_grant_expense_action"
        )
        action["domain"] = [("id", "in", expenses.ids)]
        action["context"] = {"create": False}
        return action

    def _import_expenses(self):
        """Create an expense for each posted journal item on the analytic
        account (products, taxes, anything Odoo books there) and for each
        realised exchange difference of the grant's paid bills."""
        Expense = self.env["timebank.grant.expense"]
        created = Expense
        for grant in self:
            if grant.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "%(grant)s: expenditures are imported once the grant is "
                        "approved.",
                        grant=grant.display_name,
                    )
                )
            known = grant.expense_ids.move_line_id
            items = grant._ledger_items(grant.date_start, grant.date_end)
            items |= grant._exchange_items(grant.date_start, grant.date_end)
            items = (items - known).sorted(lambda item: (item.date, item.id))
            shares = grant._shares_of(items)
            created |= Expense._guarded_create(
                [
                    {"grant_id": grant.id, "move_line_id": item.id}
                    for item in items
                    if shares[item]
                ]
            )
        return created

    def _ledger_items(self, date_from, date_to, states=("posted",)):
        """The journal items of the period on the grant's analytic account."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("parent_state", "in", list(states)),
                    ("display_type", "not in", ("line_section", "line_note")),
                    ("analytic_distribution", "in", [self.analytic_account_id.id]),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ]
            )
            .with_env(self.env)
        )

    def _exchange_items(self, date_from, date_to):
        """The realised exchange differences of the period of the paid bills
        on the grant's analytic account whose currency is not the grant's:
        the grant spent what the payment cost, not what the bill said."""
        self.ensure_one()
        company = self.company_id
        bills = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("parent_state", "=", "posted"),
                    ("analytic_distribution", "in", [self.analytic_account_id.id]),
                    ("currency_id", "!=", self.currency_id.id),
                    ("move_id.payment_state", "in", ("paid", "in_payment", "partial")),
                ]
            )
            .move_id
        )
        payable = bills.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        exchange_moves = (
            payable.matched_debit_ids.exchange_move_id
            | payable.matched_credit_ids.exchange_move_id
            | payable.full_reconcile_id.exchange_move_id
        )
        accounts = (
            company.income_currency_exchange_account_id
            | company.expense_currency_exchange_account_id
        )
        return exchange_moves.line_ids.filtered(
            lambda line: (
                line.parent_state == "posted"
                and line.account_id in accounts
                and date_from <= line.date <= date_to
            )
        ).with_env(self.env)

    def _share_of(self, item):
        """The part of a journal item's amount that the grant's analytic account
        carries, in the grant's currency."""
        self.ensure_one()
        return self._shares_of(item)[item]

    def _shares_of(self, items):
        """{journal item: the part of its amount that is the grant's, in the
        grant's currency}. In the company's currency, what the analytic ledger
        holds; in the item's own currency, its share of that amount; in any
        other, its share converted once: one rounding per amount. A realised
        exchange difference is the grant's in the share the grant has of the
        bill it settles."""
        self.ensure_one()
        items = items.sudo()
        currency = self.currency_id
        account = self.analytic_account_id
        ledger = {}
        if currency == self.company_id.currency_id and items:
            column = account.plan_id._column_name()
            ledger = {
                line: -amount
                for line, amount in self.env["account.analytic.line"]
                .sudo()
                ._read_group(
                    [("move_line_id", "in", items.ids), (column, "=", account.id)],
                    ["move_line_id"],
                    ["amount:sum"],
                )
            }
        shares = {}
        for item in items:
            percent = self._percent_of(item)
            if item in ledger and item.parent_state == "posted":
                amount = ledger[item]
            elif not percent:
                amount = self._exchange_share(item)
            elif item.currency_id == currency:
                amount = item.amount_currency * percent / 100.0
            else:
                amount = item.company_currency_id._convert(
                    item.balance * percent / 100.0,
                    currency,
                    item.company_id,
                    item.date,
                    round=False,
                )
            shares[item.with_env(self.env)] = currency.round(amount)
        return shares

    def _percent_of(self, item):
        """The percentage of a journal item on the grant's analytic account."""
        account_key = str(self.analytic_account_id.id)
        return sum(
            float(value)
            for key, value in (item.analytic_distribution or {}).items()
            if account_key in key.split(",")
        )

    def _exchange_share(self, item):
        """The grant's part, in the grant's currency and not yet rounded, of an
        exchange difference line: its amount times the share of the grant in
        the bills it settles (the bills in another currency than the grant's)."""
        self.ensure_one()
        move = item.move_id.sudo()
        Partial = self.env["account.partial.reconcile"].sudo()
        partials = Partial.search([("exchange_move_id", "=", move.id)])
        fulls = (
            self.env["account.full.reconcile"]
            .sudo()
            .search([("exchange_move_id", "=", move.id)])
        )
        settled = (
            partials.debit_move_id | partials.credit_move_id | fulls.reconciled_line_ids
        ).move_id.filtered(lambda m: m != move and m.is_invoice(include_receipts=True))
        share = 0.0
        for bill in settled.filtered(lambda b: b.currency_id != self.currency_id):
            lines = bill.line_ids.filtered(
                lambda line: line.display_type not in ("payment_term",)
            )
            total = sum(lines.mapped("balance"))
            if bill.company_currency_id.is_zero(total):
                continue
            ours = sum(line.balance * self._percent_of(line) / 100.0 for line in lines)
            share += item.balance * ours / total
        if not share:
            return 0.0
        return item.company_currency_id._convert(
            share, self.currency_id, item.company_id, item.date, round=False
        )

    def action_view_expenses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_grant.timebank_grant_expense_action"
        )
        action["domain"] = [("grant_id", "=", self.id)]
        # expenditures are imported, never created by hand
        action["context"] = {"create": False}
        return action

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_grant.timebank_grant_claim_action"
        )
        action["domain"] = [("grant_id", "=", self.id)]
        action["context"] = {"default_grant_id": self.id}
        return action

    # ------------------------------------------------------------ reminders
    @api.model
    def _cron_deadline_reminders(self):
        """An activity on each open grant before each report deadline."""
        today = fields.Date.context_today(self)
        todo = self.env.ref("mail.mail_activity_data_todo")
        grants = self.search([("state", "in", OPEN_STATES)])
        existing = {
            (activity.res_id, activity.date_deadline)
            for activity in self.env["mail.activity"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", grants.ids),
                    ("activity_type_id", "=", todo.id),
                ]
            )
        }
        for grant in grants:
            for deadline in grant.program_id.deadline_ids:
                due = date(
                    today.year,
                    deadline.month,
                    min(
                        deadline.day, calendar.monthrange(today.year, deadline.month)[1]
                    ),
                )
                days_left = (due - today).days
                if not 0 <= days_left <= grant.program_id.reminder_days:
                    continue
                in_period = (
                    grant.date_start <= due and due.replace(day=1) <= grant.date_end
                )
                if (grant.id, due) in existing or not in_period:
                    continue
                grant.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=due,
                    summary=self.env._(
                        "%(report)s due %(date)s",
                        report=deadline.name,
                        date=fields.Date.to_string(due),
                    ),
                    note=self.env._(
                        "Fill in the execution report and send it to the funder."
                    ),
                    user_id=(grant.user_id or self.env.user).id,
                )

    # ------------------------------------------------------------ budget vs actual
    def _budget_rows(self):
        """One row per budget line and a total row that foots exactly."""
        self.ensure_one()
        keys = (
            "subsidy_amount",
            "subsidy_committed",
            "subsidy_spent",
            "subsidy_remaining",
            "self_funded_amount",
            "self_funded_committed",
            "self_funded_spent",
            "self_funded_remaining",
        )
        rows = [
            dict(
                {"kind": line.kind_id.name or "", "name": line.name or ""},
                **{key: line[key] for key in keys},
            )
            for line in self.line_ids
        ]
        total = {"kind": "", "name": self.env._("Total")}
        for key in keys:
            total[key] = self.currency_id.round(sum(row[key] for row in rows))
        return rows, total

    def _budget_headers(self):
        _ = self.env._
        return [
            _("Category"),
            _("Budget Line"),
            _("Subsidy Budget"),
            _("Subsidy Committed"),
            _("Subsidy Spent"),
            _("Subsidy Remaining"),
            _("Self-Funded Budget"),
            _("Self-Funded Committed"),
            _("Self-Funded Spent"),
            _("Self-Funded Remaining"),
        ]

    def action_budget_xlsx(self):
        self.ensure_one()
        self.check_access("read")
        # data: no None in the action, which the external API cannot send
        return self.env.ref(
            "timebank_grant.timebank_grant_budget_xlsx_report"
        ).report_action(self, data={}, config=False)

    def action_execution_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_grant.timebank_grant_execution_wizard_action"
        )
        action["context"] = {"default_grant_id": self.id}
        return action

    def action_new_claim(self):
        self.ensure_one()
        claim = self.env["timebank.grant.claim"].create({"grant_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.grant.claim",
            "res_id": claim.id,
            "view_mode": "form",
        }
