from odoo import _, api, fields, models
from odoo.exceptions import UserError

RECONCILIATION_CATEGORIES = [
    ("assigned", "Assigned"),
    ("unassigned", "To Assign"),
    ("excluded", "Excluded Kind"),
    ("tax", "Tax Lines"),
    ("refund", "Credit Notes"),
    ("draft", "Draft or Cancelled Bills"),
    ("exchange", "Exchange Differences"),
    ("missing", "Not Imported"),
    ("changed", "Changed Since Import"),
    ("analytic", "Analytic Entries Only"),
]
# what the accountant still has to explain
UNEXPLAINED_CATEGORIES = ("missing", "changed", "analytic")
REFUND_TYPES = ("in_refund", "out_refund")


class TimebankGrantReconciliation(models.TransientModel):
    """The general ledger on a grant's analytic account against the grant's
    expenditures, for a period: every difference explained to the cent."""

    _name = "timebank.grant.reconciliation"
    _description = "Grant Reconciliation"
    _check_company_auto = True

    grant_id = fields.Many2one("timebank.grant", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="grant_id.company_id")
    currency_id = fields.Many2one(related="grant_id.currency_id")
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    line_ids = fields.One2many(
        "timebank.grant.reconciliation.line", "reconciliation_id", readonly=True
    )
    ledger_total = fields.Monetary(
        string="General Ledger",
        compute="_compute_totals",
        help="What the general ledger books on the grant's analytic account in "
        "the period.",
    )
    grant_total = fields.Monetary(
        string="On the Grant",
        compute="_compute_totals",
        help="The expenditures of the grant in the period.",
    )
    difference = fields.Monetary(compute="_compute_totals")
    explained_total = fields.Monetary(
        string="Explained",
        compute="_compute_totals",
        help="The part of the difference that draft or cancelled bills and "
        "exchange differences explain.",
    )
    unexplained_total = fields.Monetary(
        string="Unexplained",
        compute="_compute_totals",
        help="Journal items not imported, or imported with another amount than "
        "the ledger's now.",
    )
    unexplained_count = fields.Integer(compute="_compute_totals")

    @api.depends(
        "line_ids.ledger_amount", "line_ids.grant_amount", "line_ids.expected_amount"
    )
    def _compute_totals(self):
        for wizard in self:
            totals = wizard.grant_id._reconciliation_totals(
                [line._row() for line in wizard.line_ids]
            )
            for name, value in totals.items():
                wizard[name] = value

    @api.depends("grant_id")
    def _compute_display_name(self):
        # the title of the page and its breadcrumb, not the model's name
        for wizard in self:
            wizard.display_name = _(
                "Reconciliation: %(grant)s", grant=wizard.grant_id.display_name
            )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._fill()
        return wizards

    def _fill(self):
        for wizard in self:
            # the ledger is read with every right: only for a grant one may see
            wizard.grant_id.check_access("read")
            wizard.line_ids.unlink()
            rows = wizard.grant_id._reconciliation_rows(
                wizard.date_from, wizard.date_to
            )
            self.env["timebank.grant.reconciliation.line"].create(
                [dict(row, reconciliation_id=wizard.id) for row in rows]
            )

    def action_refresh(self):
        self.ensure_one()
        self._fill()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }


class TimebankGrantReconciliationLine(models.TransientModel):
    _name = "timebank.grant.reconciliation.line"
    _description = "Grant Reconciliation Line"
    _order = "category, date, id"

    reconciliation_id = fields.Many2one(
        "timebank.grant.reconciliation", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="reconciliation_id.currency_id")
    category = fields.Selection(RECONCILIATION_CATEGORIES, required=True)
    explained = fields.Boolean(compute="_compute_explained")
    move_line_id = fields.Many2one("account.move.line", string="Journal Item")
    move_id = fields.Many2one("account.move", string="Journal Entry")
    expense_id = fields.Many2one("timebank.grant.expense", string="Expenditure")
    date = fields.Date()
    name = fields.Char(string="Label")
    ledger_amount = fields.Monetary(
        string="General Ledger", help="Booked on the grant's analytic account."
    )
    expected_amount = fields.Monetary(
        string="Expected", help="What the grant should hold of it."
    )
    grant_amount = fields.Monetary(string="Grant", help="What the grant holds of it.")
    difference = fields.Monetary(compute="_compute_explained")
    note = fields.Char()

    @api.depends("category", "ledger_amount", "grant_amount")
    def _compute_explained(self):
        for line in self:
            line.explained = line.category not in UNEXPLAINED_CATEGORIES
            line.difference = line.ledger_amount - line.grant_amount

    def _row(self):
        self.ensure_one()
        return {
            "category": self.category,
            "ledger_amount": self.ledger_amount,
            "expected_amount": self.expected_amount,
            "grant_amount": self.grant_amount,
        }


class TimebankGrant(models.Model):
    _inherit = "timebank.grant"  # pylint: disable=consider-merging-classes-inherited

    def _reconciliation_rows(self, date_from, date_to):
        """One row per journal item of the period on the grant's analytic
        account (posted, draft or cancelled), per realised exchange difference
        of its bills, per expenditure of the grant and per analytic entry
        without a journal item: what the ledger books, what the grant should
        hold and what it holds."""
        self.ensure_one()
        _ = self.env._
        items = self._ledger_items(
            date_from, date_to, states=("posted", "draft", "cancel")
        )
        exchange = self._exchange_items(date_from, date_to)
        expenses = (
            self.env["timebank.grant.expense"]
            .sudo()
            .search(
                [
                    ("grant_id", "=", self.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ]
            )
        )
        items = (items | exchange | expenses.move_line_id).sudo()
        shares = self._shares_of(items)
        by_item = {expense.move_line_id: expense for expense in expenses}
        rows = []
        for item in items.sorted(lambda i: (i.date, i.id)):
            expense = by_item.get(item)
            posted = item.parent_state == "posted"
            on_account = posted and bool(self._percent_of(item))
            ledger = shares[item] if on_account else 0.0
            held = expense.amount if expense else 0.0
            note = False
            if not posted:
                category, expected = "draft", held
                note = _(
                    "%(amount)s on the analytic account once posted.",
                    amount=self._format(shares[item]),
                )
            else:
                expected = shares[item] if item in exchange else ledger
                if self.currency_id.compare_amounts(expected, held):
                    category = "changed" if expense else "missing"
                elif item in exchange:
                    category = "exchange"
                elif item.move_id.move_type in REFUND_TYPES:
                    category = "refund"
                elif item.display_type == "tax":
                    category = "tax"
                elif expense and expense.state == "assigned":
                    category = "assigned"
                elif expense and (
                    expense.kind_id.excluded or expense.kind_id.personnel
                ):
                    category = "excluded"
                else:
                    category = "unassigned"
                if category in ("refund", "tax", "exchange") and expense:
                    states = dict(
                        expense._fields["state"]._description_selection(self.env)
                    )
                    note = states[expense.state]
            rows.append(
                {
                    "category": category,
                    "move_line_id": item.id,
                    "move_id": item.move_id.id,
                    "expense_id": expense.id if expense else False,
                    "date": item.date,
                    "name": item.name or item.move_id.name,
                    "ledger_amount": ledger,
                    "expected_amount": expected,
                    "grant_amount": held,
                    "note": note,
                }
            )
        rows += self._analytic_only_rows(date_from, date_to)
        return rows

    def _analytic_only_rows(self, date_from, date_to):
        """Analytic entries on the grant's account that no journal item made."""
        account = self.analytic_account_id
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    (account.plan_id._column_name(), "=", account.id),
                    ("company_id", "in", [self.company_id.id, False]),
                    ("move_line_id", "=", False),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ]
            )
        )
        rows = []
        for line in lines:
            amount = self.currency_id.round(
                line.currency_id._convert(
                    -line.amount,
                    self.currency_id,
                    self.company_id,
                    line.date,
                    round=False,
                )
            )
            rows.append(
                {
                    "category": "analytic",
                    "date": line.date,
                    "name": line.name,
                    "ledger_amount": amount,
                    "expected_amount": amount,
                    "grant_amount": 0.0,
                }
            )
        return rows

    def _reconciliation_totals(self, rows):
        """The totals of the rows: the difference between the ledger and the
        grant is what the categories explain plus what is unexplained."""
        self.ensure_one()
        currency = self.currency_id
        ledger = currency.round(sum(row["ledger_amount"] for row in rows))
        held = currency.round(sum(row["grant_amount"] for row in rows))
        unexplained = [row for row in rows if row["category"] in UNEXPLAINED_CATEGORIES]
        unexplained_total = currency.round(
            sum(row["ledger_amount"] - row["grant_amount"] for row in unexplained)
        )
        return {
            "ledger_total": ledger,
            "grant_total": held,
            "difference": currency.round(ledger - held),
            "explained_total": currency.round(ledger - held - unexplained_total),
            "unexplained_total": unexplained_total,
            "unexplained_count": len(unexplained),
        }

    def _reconciliation_problems(self, date_from, date_to, claim=False):
        """What the accountant still has to explain in the period; for a claim,
        also the credit notes of the period that no budget line takes back."""
        self.ensure_one()
        _ = self.env._
        labels = dict(
            self.env["timebank.grant.reconciliation.line"]
            ._fields["category"]
            ._description_selection(self.env)
        )
        problems = []
        for row in self._reconciliation_rows(date_from, date_to):
            name = row["name"] or ""
            if row["category"] in UNEXPLAINED_CATEGORIES:
                problems.append(
                    _(
                        "%(category)s: %(name)s of %(date)s, %(ledger)s in the "
                        "general ledger, %(grant)s on the grant.",
                        category=labels[row["category"]],
                        name=name,
                        date=row["date"],
                        ledger=self._format(row["ledger_amount"]),
                        grant=self._format(row["grant_amount"]),
                    )
                )
            elif claim and row["category"] == "refund":
                expense = self.env["timebank.grant.expense"].browse(row["expense_id"])
                if expense.sudo().state != "assigned":
                    problems.append(
                        _(
                            "Credit note %(name)s of %(date)s (%(amount)s) is not "
                            "assigned to a budget line: the claim would not take "
                            "it back.",
                            name=name,
                            date=row["date"],
                            amount=self._format(row["ledger_amount"]),
                        )
                    )
        return problems

    def action_reconcile(self):
        """The reconciliation of the grant's whole period."""
        self.ensure_one()
        wizard = self.env["timebank.grant.reconciliation"].create(
            {
                "grant_id": self.id,
                "date_from": self.date_start,
                "date_to": self.date_end,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reconciliation"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_close(self):
        problems = []
        for grant in self:
            problems += [
                f"{grant.display_name}: {problem}"
                for problem in grant._reconciliation_problems(
                    grant.date_start, grant.date_end
                )
            ]
        if problems:
            raise UserError(
                self.env._(
                    "The grant cannot be closed while the reconciliation with "
                    "the general ledger leaves something unexplained:\n%(problems)s"
                )
                % {"problems": "\n".join(problems)}
            )
        return super().action_close()
