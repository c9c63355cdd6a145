from odoo import api, models

# what a claimed bill keeps (the journal items guard their own amounts)
MOVE_LOCKED_FIELDS = {
    "line_ids",
    "invoice_line_ids",
    "date",
    "invoice_date",
    "partner_id",
    "currency_id",
    "journal_id",
    "company_id",
}
# what the expenditures assigned to a budget line take from their bill
MOVE_ASSIGNED_FIELDS = {"date", "currency_id", "company_id"}


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        leaving = vals.get("state", "posted") != "posted"
        claimed = leaving or MOVE_LOCKED_FIELDS & set(vals)
        assigned = leaving or MOVE_ASSIGNED_FIELDS & set(vals)
        expenses = self._timebank_grant_expenses() if claimed or assigned else None
        if expenses:
            if claimed:
                expenses._refuse_entry_change_if_claimed()
            if not leaving:
                # only a real change of what the expenditure was checked with
                expenses = expenses.filtered(
                    lambda e: self._timebank_grant_changes(
                        e.move_id, vals, MOVE_ASSIGNED_FIELDS
                    )
                )
            expenses._refuse_entry_change_if_assigned()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_claimed(self):
        expenses = self._timebank_grant_expenses()
        expenses._refuse_entry_change_if_claimed()
        expenses._refuse_entry_change_if_assigned()

    def button_draft(self):
        expenses = self._timebank_grant_expenses()
        expenses._refuse_entry_change_if_claimed()
        expenses._refuse_entry_change_if_assigned()
        # an answer an XML-RPC client can carry (Odoo's button answers None)
        return super().button_draft() or True

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # a credit note (Reverse, Credit Note) takes back what a claim holds
        self._timebank_grant_expenses()._refuse_entry_change_if_claimed(reversal=True)
        return super()._reverse_moves(default_values_list, cancel=cancel)

    def _timebank_grant_expenses(self, lines=None):
        """The grant expenditures of these entries (or of these journal items),
        whoever changes them."""
        Expense = self.env["timebank.grant.expense"].sudo()
        if lines is not None:
            where = ("move_line_id", "in", lines.ids)
        else:
            where = ("move_id", "in", self.ids)
        return Expense.search([where]) if where[2] else Expense

    @api.model
    def _timebank_grant_changes(self, record, vals, names):
        """Whether writing ``vals`` changes one of these fields of ``record``."""
        for name in set(names) & set(vals):
            field = record._fields[name]
            if field.type in ("date", "datetime"):
                if field.convert_to_cache(vals[name], record) != record[name]:
                    return True
            elif self._field_will_change(record, vals, name):
                return True
        return False
