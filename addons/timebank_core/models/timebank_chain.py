from odoo import fields, models


class TimebankChain(models.Model):
    """Head of the hash chain of a bank's posted entries.

    One row per bank. Every posting locks and updates it, so two postings of a
    bank can never chain onto the same entry.
    """

    _name = "timebank.chain"
    _description = "Time Bank Hash Chain"
    _inherit = ["timebank.guarded.mixin"]
    _guarded_fields = ("company_id", "last_hash", "entry_count")

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    last_hash = fields.Char(readonly=True, copy=False)
    entry_count = fields.Integer(readonly=True, copy=False, default=0)

    _sql_constraints = [
        ("company_uniq", "unique (company_id)", "A time bank has one hash chain."),
    ]

    def _create_for_companies(self, companies):
        existing = self.search([("company_id", "in", companies.ids)]).company_id
        return self._guarded_create(
            [{"company_id": c.id} for c in companies - existing]
        )
