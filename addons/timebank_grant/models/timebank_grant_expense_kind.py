from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TimebankGrantExpenseKind(models.Model):
    """A kind of spending as a funder's program sees it: a budget category
    (training and activities, management fee) or a kind the funder refuses."""

    _name = "timebank.grant.expense.kind"
    _description = "Grant Expense Kind"
    _order = "program_id, sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    program_id = fields.Many2one(
        "timebank.grant.program", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    category_id = fields.Many2one(
        "timebank.grant.expense.kind",
        string="Budget Category",
        domain="[('program_id', '=', program_id), ('category_id', '=', False)]",
        index=True,
        help="The approved item (budget category) this kind of spending is spent "
        "under: an expenditure of this kind goes on a budget line of that category "
        "only. Left empty, the kind goes on any line that is not the management "
        "fee.",
    )
    is_management_fee = fields.Boolean(
        string="Management Fee",
        help="Spending of this kind counts toward the program's management fee cap.",
    )
    recurrent = fields.Boolean(
        default=True,
        help="Recurrent (not capital) spending: the base of the management fee cap.",
    )
    personnel = fields.Boolean(
        string="Personnel Cost", help="Personnel costs are never eligible."
    )
    excluded = fields.Boolean(
        help="The funder does not pay for this kind of spending; only a grant "
        "manager may let an expense of this kind through, with a written reason.",
    )
    note = fields.Text(translate=True)

    @api.constrains("category_id", "program_id", "is_management_fee")
    def _check_category(self):
        for kind in self.filtered("category_id"):
            category = kind.category_id
            if category.program_id != kind.program_id or category.category_id:
                raise ValidationError(
                    self.env._(
                        "%(kind)s: its budget category %(category)s must be a "
                        "category of the same program, not a kind within another "
                        "category.",
                        kind=kind.name,
                        category=category.name,
                    )
                )
            if category.is_management_fee and not kind.is_management_fee:
                raise ValidationError(
                    self.env._(
                        "%(kind)s belongs to %(category)s, so it counts toward the "
                        "management fee too: tick Management Fee.",
                        kind=kind.name,
                        category=category.name,
                    )
                )

    def _category(self):
        """The budget category the kind is spent under (itself for a category)."""
        self.ensure_one()
        return self.category_id or self

    def _category_problem(self, line_kind):
        """Why spending of this kind may not go on a budget line of
        ``line_kind``, or None."""
        self.ensure_one()
        category, line_category = self._category(), line_kind._category()
        fee_line = line_category.is_management_fee
        if category == line_category or not (self.category_id or fee_line):
            return None
        if not self.category_id:
            return self.env._(
                "%(kind)s is not a kind of the management fee: it is not spent "
                "under %(line)s.",
                kind=self.name,
                line=line_category.name,
            )
        return self.env._(
            "%(kind)s is spent under %(category)s, not under %(line)s.",
            kind=self.name,
            category=category.name,
            line=line_category.name,
        )
