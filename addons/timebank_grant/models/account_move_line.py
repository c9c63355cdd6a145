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


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def write(self, vals):
        if LINE_LOCKED_FIELDS & set(vals):
            self.move_id._timebank_grant_check_unclaimed(lines=self)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_claimed(self):
        self.move_id._timebank_grant_check_unclaimed(lines=self)
