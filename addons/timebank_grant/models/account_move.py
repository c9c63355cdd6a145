from odoo import api, models
from odoo.exceptions import UserError

from .timebank_grant_expense import CLAIM_LOCKED_STATES

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


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        if vals.get("state", "posted") != "posted" or MOVE_LOCKED_FIELDS & set(vals):
            self._timebank_grant_check_unclaimed()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_claimed(self):
        self._timebank_grant_check_unclaimed()

    def button_draft(self):
        self._timebank_grant_check_unclaimed()
        return super().button_draft()

    def _timebank_grant_check_unclaimed(self, lines=None):
        """Refuse to change entries (or these journal items of them) whose
        expenditures a submitted, approved or paid grant claim holds."""
        if lines is not None:
            where = ("move_line_id", "in", lines.ids)
        else:
            where = ("move_id", "in", self.ids)
        if not where[2]:
            return
        expenses = (
            self.env["timebank.grant.expense"]
            .sudo()
            .search([where, ("claim_id.state", "in", CLAIM_LOCKED_STATES)])
        )
        if not expenses:
            return
        claims = expenses.claim_id
        states = dict(claims._fields["state"]._description_selection(self.env))
        raise UserError(
            self.env._(
                "%(entries)s: grant claim %(claims)s (%(state)s) holds expenditures "
                "of these journal items, so they cannot be reset to draft, edited "
                "or deleted while the claim is submitted, approved or paid.",
                entries=", ".join(expenses.move_id.mapped("display_name")),
                claims=", ".join(claims.mapped("name")),
                state=", ".join(sorted({states[c.state] for c in claims})),
            )
        )
