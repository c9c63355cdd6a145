from odoo import fields, models


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
