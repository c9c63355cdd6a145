from odoo import api, models

# what a grant expenditure takes from its journal item
LINE_LOCKED_FIELDS = {
    "move_id",
    "account_id",
    "analytic_distribution",
    "balance",
    "debit",
    "credit",
    "amount_currency",
    "currency_id",
    "price_unit",
    "quantity",
    "discount",
    "tax_ids",
    "date",
    "name",
    "partner_id",
    "display_type",
    "company_id",
}
# what an expenditure assigned to a budget line was checked with: its amount,
# its share on the grant's analytic account, its date
LINE_ASSIGNED_FIELDS = LINE_LOCKED_FIELDS - {"account_id", "name", "partner_id"}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def write(self, vals):
        if LINE_LOCKED_FIELDS & set(vals):
            expenses = self.move_id._timebank_grant_expenses(lines=self)
            expenses._refuse_entry_change_if_claimed()
            # only a real change of what the expenditure was checked with
            Move = self.env["account.move"]
            expenses.filtered(
                lambda e: Move._timebank_grant_changes(
                    e.move_line_id, vals, LINE_ASSIGNED_FIELDS
                )
            )._refuse_entry_change_if_assigned()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_claimed(self):
        expenses = self.move_id._timebank_grant_expenses(lines=self)
        expenses._refuse_entry_change_if_claimed()
        expenses._refuse_entry_change_if_assigned()
