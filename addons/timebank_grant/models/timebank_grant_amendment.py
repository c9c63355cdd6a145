from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Only the amendment's own code passes this object in the context: a client
# cannot send a Python object over RPC, so no user writes a running grant's
# budget lines but through an amendment.
AMENDMENT_WRITE = object()
AMENDMENT_CONTEXT_KEY = "timebank_grant_amendment"
AMOUNTS = ("subsidy", "self_funded")


class TimebankGrantAmendment(models.Model):
    """A versioned change of a running grant's budget: who asked, when and
    why, each line's old and new amounts, and who approved it. Version 1 is
    the budget as the grant started; each applied amendment is the next
    version, kept as it was applied."""

    _name = "timebank.grant.amendment"
    _description = "Grant Budget Amendment"
    _inherit = ["mail.thread", "timebank.guarded.mixin"]
    _order = "grant_id, version desc, id desc"
    _check_company_auto = True
    _guarded_fields = (
        "state",
        "version",
        "requires_approval",
        "request_user_id",
        "request_date",
        "approve_user_id",
        "approve_date",
        "subsidy_total",
        "self_funded_total",
        "fee_amount",
        "fee_cap",
    )

    grant_id = fields.Many2one(
        "timebank.grant",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="grant_id.company_id", store=True)
    currency_id = fields.Many2one(related="grant_id.currency_id", store=True)
    name = fields.Char(compute="_compute_name")
    version = fields.Integer(
        readonly=True, copy=False, help="The budget version this amendment made."
    )
    reason = fields.Text(required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("approved", "Applied"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    requires_approval = fields.Boolean(
        readonly=True,
        copy=False,
        help="The amendment changes what an approved item (budget category) "
        "holds, so a grant manager approves it; moves within an item are applied "
        "at once.",
    )
    request_user_id = fields.Many2one(
        "res.users", string="Requested by", readonly=True, copy=False
    )
    request_date = fields.Datetime(string="Requested on", readonly=True, copy=False)
    approve_user_id = fields.Many2one(
        "res.users", string="Approved by", readonly=True, copy=False
    )
    approve_date = fields.Datetime(string="Applied on", readonly=True, copy=False)
    line_ids = fields.One2many(
        "timebank.grant.amendment.line", "amendment_id", string="Budget Lines"
    )
    subsidy_total = fields.Monetary(string="Subsidy", readonly=True, copy=False)
    self_funded_total = fields.Monetary(string="Self-Funded", readonly=True, copy=False)
    fee_amount = fields.Monetary(string="Management Fee", readonly=True, copy=False)
    fee_cap = fields.Monetary(string="Management Fee Cap", readonly=True, copy=False)

    @api.depends("grant_id", "version", "state")
    def _compute_name(self):
        for amendment in self:
            if amendment.version:
                amendment.name = self.env._(
                    "%(grant)s, budget version %(version)s",
                    grant=amendment.grant_id.display_name,
                    version=amendment.version,
                )
            else:
                amendment.name = self.env._(
                    "%(grant)s, budget amendment", grant=amendment.grant_id.display_name
                )

    @api.onchange("grant_id")
    def _onchange_grant_id(self):
        """The form shows the budget lines as they are, to change."""
        if self.grant_id and not self.line_ids:
            self.line_ids = [
                fields.Command.create(self._line_values(line))
                for line in self.grant_id._origin.line_ids
            ]

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        grants = self.env["timebank.grant"].browse(
            [vals.get("grant_id") for vals in vals_list if vals.get("grant_id")]
        )
        if not self._guarded_allowed():
            # what no one writes is refused first, then what the grant allows
            self._check_guarded_create(vals_list)
            grants._check_amendable()
            grants._ensure_budget_version()
        amendments = super().create(vals_list)
        for amendment in amendments:
            amendment._load_lines()
            if not amendment.request_user_id:
                amendment._guarded_write(
                    {
                        "request_user_id": self.env.user.id,
                        "request_date": fields.Datetime.now(),
                    }
                )
        return amendments

    def write(self, vals):
        self._check_draft_lines()
        if "grant_id" in vals and not self._guarded_allowed():
            raise UserError(
                self.env._("An amendment stays with its grant: delete the draft.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        decided = self.filtered(lambda a: a.state != "draft")
        if decided:
            raise UserError(
                self.env._(
                    "%(amendments)s: only a draft amendment can be deleted.",
                    amendments=", ".join(decided.mapped("name")),
                )
            )

    def _guarded_hint(self):
        return self.env._(
            "An amendment moves with its buttons (Confirm, Approve, Refuse, Back "
            "to Draft)."
        )

    def _load_lines(self):
        """One line per budget line of the grant, its amounts as they are."""
        self.ensure_one()
        missing = self.grant_id.line_ids - self.line_ids.grant_line_id
        self.env["timebank.grant.amendment.line"]._guarded_create(
            [dict(self._line_values(line), amendment_id=self.id) for line in missing]
        )

    @api.model
    def _line_values(self, line):
        """An amendment line of the budget line, its amounts as they are."""
        return {
            "grant_line_id": line.id,
            "kind_id": line.kind_id.id,
            "name": line.name,
            "old_subsidy": line.subsidy_amount,
            "old_self_funded": line.self_funded_amount,
            "new_subsidy": line.subsidy_amount,
            "new_self_funded": line.self_funded_amount,
        }

    # ------------------------------------------------------------ rules
    def _problems(self):
        """Every reason why the amendment may not be applied."""
        self.ensure_one()
        _ = self.env._
        grant = self.grant_id
        currency = self.currency_id
        problems = []
        if grant.state != "running":
            problems.append(_("%(grant)s is not running.", grant=grant.display_name))
        if not (self.reason or "").strip():
            problems.append(_("Write why the budget changes."))
        used = grant.line_ids._used_amounts()
        for line in self.line_ids:
            label = line.kind_id.name or ""
            if line.name:
                label = f"{label} / {line.name}"
            for part, new in (
                (_("subsidy"), line.new_subsidy),
                (_("self-funded"), line.new_self_funded),
            ):
                if currency.compare_amounts(new, 0) < 0:
                    problems.append(
                        _(
                            "Budget line %(line)s: the new %(part)s cannot be "
                            "negative.",
                            line=label,
                            part=part,
                        )
                    )
            if line.grant_line_id and line.grant_line_id.grant_id != grant:
                problems.append(
                    _(
                        "Budget line %(line)s is not a line of %(grant)s.",
                        line=label,
                        grant=grant.display_name,
                    )
                )
            subsidy_used, self_used = used.get(line.grant_line_id, (0.0, 0.0))
            for part, new, spent in (
                (_("subsidy"), line.new_subsidy, subsidy_used),
                (_("self-funded"), line.new_self_funded, self_used),
            ):
                if currency.compare_amounts(spent, new) > 0:
                    problems.append(
                        _(
                            "Budget line %(line)s: %(used)s of %(part)s is used "
                            "already, more than the new %(part)s of %(amount)s "
                            "(%(left)s would be left).",
                            line=label,
                            used=grant._format(spent),
                            part=part,
                            amount=grant._format(new),
                            left=grant._format(new - spent),
                        )
                    )
            kind = line.kind_id
            if kind.program_id != grant.program_id:
                problems.append(
                    _(
                        "Budget line %(line)s: %(kind)s is not a kind of spending "
                        "of %(program)s.",
                        line=label,
                        kind=kind.name,
                        program=grant.program_id.display_name,
                    )
                )
            elif (kind.excluded or kind.personnel) and currency.compare_amounts(
                line.new_subsidy, 0
            ):
                problems.append(
                    _(
                        "Budget line %(line)s: %(kind)s is not eligible under "
                        "%(program)s.",
                        line=label,
                        kind=kind.name,
                        program=grant.program_id.display_name,
                    )
                )
        if all(
            not currency.compare_amounts(line.old_subsidy, line.new_subsidy)
            and not currency.compare_amounts(line.old_self_funded, line.new_self_funded)
            for line in self.line_ids
        ):
            problems.append(_("The amendment changes no amount."))
        problems += self._budget_rule_problems()
        return problems

    def _budget_rule_problems(self):
        """The fee cap and the maximum per case, on the new amounts."""
        _ = self.env._
        grant, program, currency = (
            self.grant_id,
            self.grant_id.program_id,
            self.currency_id,
        )
        fee_lines = self.line_ids.filtered(lambda line: line.kind_id.is_management_fee)
        base_lines = self.line_ids - fee_lines
        if program.fee_base == "recurrent_excl_fee":
            base_lines = base_lines.filtered(lambda line: line.kind_id.recurrent)
        subsidy = currency.round(sum(self.line_ids.mapped("new_subsidy")))
        fee = currency.round(sum(fee_lines.mapped("new_subsidy")))
        base = currency.round(sum(base_lines.mapped("new_subsidy")))
        cap = currency.round(base * program.fee_rate / 100.0)
        problems = []
        if currency.compare_amounts(fee, cap) > 0:
            problems.append(
                _(
                    "The management fee of %(fee)s exceeds its cap of %(cap)s "
                    "(%(rate)s%% of %(base)s).",
                    fee=grant._format(fee),
                    cap=grant._format(cap),
                    rate=program.fee_rate,
                    base=grant._format(base),
                )
            )
        if (
            program.max_per_case
            and currency.compare_amounts(subsidy, program.max_per_case) > 0
        ):
            problems.append(
                _(
                    "The subsidy of %(total)s exceeds the maximum of %(maximum)s "
                    "per case.",
                    total=grant._format(subsidy),
                    maximum=grant._format(program.max_per_case),
                )
            )
        return problems

    def _category_totals(self, prefix):
        """{budget category: (subsidy, self-funded)} of the old or new amounts."""
        totals = {}
        for line in self.line_ids:
            category = line.kind_id._category()
            subsidy, self_funded = totals.get(category, (0.0, 0.0))
            totals[category] = (
                subsidy + line[f"{prefix}_subsidy"],
                self_funded + line[f"{prefix}_self_funded"],
            )
        return totals

    def _moves_within_items(self):
        """Whether every approved item (budget category) keeps its subsidy and
        its self-funded amount: a move between the lines of an item only."""
        self.ensure_one()
        currency = self.currency_id
        old, new = self._category_totals("old"), self._category_totals("new")
        return all(
            not currency.compare_amounts(
                old.get(category, (0.0, 0.0))[index],
                new.get(category, (0.0, 0.0))[index],
            )
            for category in set(old) | set(new)
            for index in (0, 1)
        )

    def _check_draft_lines(self):
        """The lines of an amendment change while it is a draft only."""
        if self._guarded_allowed():
            return
        decided = self.filtered(lambda a: a.state != "draft")
        if decided:
            raise UserError(
                self.env._(
                    "%(amendments)s: only a draft amendment changes; an applied "
                    "one stays as it was applied.",
                    amendments=", ".join(decided.mapped("name")),
                )
            )

    def _raise_problems(self, problems):
        if problems:
            raise UserError(
                self.env._("The budget amendment cannot be applied:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )

    # ------------------------------------------------------------ actions
    def action_confirm(self):
        """The accountant asks for the amendment: a move within an approved
        item is applied at once, any other waits for a grant manager."""
        for amendment in self:
            if amendment.state != "draft":
                raise UserError(
                    self.env._(
                        "%(amendment)s is not a draft.", amendment=amendment.name
                    )
                )
            amendment._raise_problems(amendment._problems())
            free = amendment._moves_within_items()
            amendment._guarded_write(
                {
                    "requires_approval": not free,
                    "request_user_id": self.env.user.id,
                    "request_date": fields.Datetime.now(),
                }
            )
            if free:
                amendment._apply()
            else:
                amendment._guarded_write({"state": "to_approve"})
                amendment.message_post(
                    body=self.env._(
                        "%(user)s asks for this budget amendment: %(reason)s",
                        user=self.env.user.name,
                        reason=amendment.reason,
                    )
                )
        return True

    def _check_manager(self):
        if not self.env.user.has_group("timebank_grant.group_grant_manager"):
            raise AccessError(
                self.env._(
                    "Only a grant manager may approve or refuse a budget amendment."
                )
            )

    def action_approve(self):
        self._check_manager()
        for amendment in self:
            if amendment.state != "to_approve":
                raise UserError(
                    self.env._(
                        "%(amendment)s is not waiting for approval.",
                        amendment=amendment.name,
                    )
                )
            amendment._raise_problems(amendment._problems())
            amendment._apply()
        return True

    def action_refuse(self):
        self._check_manager()
        waiting = self.filtered(lambda a: a.state == "to_approve")
        if waiting != self:
            raise UserError(
                self.env._(
                    "%(amendments)s are not waiting for approval.",
                    amendments=", ".join((self - waiting).mapped("name")),
                )
            )
        waiting._guarded_write(
            {
                "state": "refused",
                "approve_user_id": self.env.user.id,
                "approve_date": fields.Datetime.now(),
            }
        )
        return True

    def action_draft(self):
        wrong = self.filtered(lambda a: a.state not in ("to_approve", "refused"))
        if wrong:
            raise UserError(
                self.env._(
                    "%(amendments)s: only an amendment waiting for approval or "
                    "refused goes back to draft.",
                    amendments=", ".join(wrong.mapped("name")),
                )
            )
        self._guarded_write(
            {"state": "draft", "approve_user_id": False, "approve_date": False}
        )
        return True

    def _apply(self):
        """Write the new amounts on the budget lines, as the next version,
        and keep what the version is (names, amounts, totals) as it is now."""
        self.ensure_one()
        grant = self.grant_id
        Line = self.env["timebank.grant.line"].with_context(
            **{AMENDMENT_CONTEXT_KEY: AMENDMENT_WRITE}
        )
        for line in self.line_ids:
            values = {
                "subsidy_amount": line.new_subsidy,
                "self_funded_amount": line.new_self_funded,
            }
            if line.grant_line_id:
                Line.browse(line.grant_line_id.id).write(values)
            else:
                new_line = Line.create(
                    dict(
                        values,
                        grant_id=grant.id,
                        kind_id=line.kind_id.id,
                        name=line.name,
                    )
                )
                line._guarded_write({"grant_line_id": new_line.id})
        # the funder's rules, on the whole budget as amended
        grant._check_budget_rules()
        self.line_ids._freeze()
        version = max(grant.amendment_ids.mapped("version") or [0]) + 1
        self._guarded_write(
            {
                "state": "approved",
                "version": version,
                "approve_user_id": self.env.user.id,
                "approve_date": fields.Datetime.now(),
                "subsidy_total": grant.subsidy_total,
                "self_funded_total": grant.self_funded_total,
                "fee_amount": grant.fee_amount,
                "fee_cap": grant.fee_cap,
            }
        )
        grant.message_post(
            body=self.env._(
                "Budget version %(version)s (%(approved)s by %(user)s): %(reason)s",
                version=version,
                approved=self.env._("approved")
                if self.requires_approval
                else self.env._("a move within approved items"),
                user=self.env.user.name,
                reason=self.reason,
            )
        )
        return True

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "timebank_grant.timebank_grant_amendment_report"
        ).report_action(self, data={})


class TimebankGrantAmendmentLine(models.Model):
    _name = "timebank.grant.amendment.line"
    _description = "Grant Budget Amendment Line"
    _inherit = ["timebank.guarded.mixin"]
    _order = "amendment_id, sequence, id"
    _guarded_fields = (
        "old_subsidy",
        "old_self_funded",
        "kind_name",
        "line_name",
    )

    sequence = fields.Integer(default=10)
    amendment_id = fields.Many2one(
        "timebank.grant.amendment", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="amendment_id.company_id", store=True)
    currency_id = fields.Many2one(related="amendment_id.currency_id")
    program_id = fields.Many2one(related="amendment_id.grant_id.program_id")
    grant_line_id = fields.Many2one(
        "timebank.grant.line",
        string="Budget Line",
        ondelete="set null",
        help="Empty for a line the amendment adds.",
    )
    kind_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Category",
        required=True,
        domain="[('program_id', '=', program_id)]",
    )
    name = fields.Char(string="Description")
    kind_name = fields.Char(
        string="Category as Applied",
        translate=True,
        readonly=True,
        help="The category's name when the version was applied.",
    )
    line_name = fields.Char(string="Description as Applied", readonly=True)
    old_subsidy = fields.Monetary(readonly=True)
    old_self_funded = fields.Monetary(string="Old Self-Funded", readonly=True)
    new_subsidy = fields.Monetary()
    new_self_funded = fields.Monetary(string="New Self-Funded")

    _sql_constraints = [
        (
            "grant_line_unique",
            "UNIQUE(amendment_id, grant_line_id)",
            "A budget line appears once in an amendment.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        amendments = self.env["timebank.grant.amendment"].browse(
            [vals.get("amendment_id") for vals in vals_list]
        )
        amendments._check_draft_lines()
        lines = self.env["timebank.grant.line"]
        for vals in vals_list:
            # the old amounts are the budget line's, whatever is sent
            line = lines.browse(vals.get("grant_line_id"))
            vals["old_subsidy"] = line.subsidy_amount
            vals["old_self_funded"] = line.self_funded_amount
            if line:
                vals.setdefault("kind_id", line.kind_id.id)
        return super(
            TimebankGrantAmendmentLine,
            self.with_context(
                **self._guarded_allow({"old_subsidy", "old_self_funded"})
            ),
        ).create(vals_list)

    def write(self, vals):
        self.amendment_id._check_draft_lines()
        if {"amendment_id", "grant_line_id"} & set(
            vals
        ) and not self._guarded_allowed():
            raise UserError(
                self.env._(
                    "An amendment line stays with its amendment and its budget line."
                )
            )
        if "kind_id" in vals and self.filtered("grant_line_id"):
            raise UserError(
                self.env._(
                    "A budget line keeps its category: give it a zero amount and "
                    "add a line of the other category."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new_lines(self):
        self.amendment_id._check_draft_lines()
        if self.filtered("grant_line_id"):
            raise UserError(
                self.env._(
                    "A budget line stays in the amendment: give it its new amounts "
                    "instead."
                )
            )

    def _freeze(self):
        """Keep the names as they are, in every installed language."""
        for lang, _name in self.env["res.lang"].get_installed():
            for line in self.with_context(lang=lang):
                line._guarded_write(
                    {
                        "kind_name": line.kind_id.name,
                        "line_name": line.grant_line_id.name or line.name,
                    }
                )
