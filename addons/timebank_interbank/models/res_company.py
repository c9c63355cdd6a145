import secrets

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    timebank_bank_code = fields.Char(
        string="Bank Code",
        readonly=True,
        copy=False,
        index=True,
        help="How other time banks name this bank in their messages; give it to "
        "the admin of a partner bank with the fingerprint of the key.",
    )

    _sql_constraints = [
        (
            "timebank_bank_code_uniq",
            "unique (timebank_bank_code)",
            "Two time banks cannot share a bank code.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._timebank_interbank_ensure()
        return companies

    def _timebank_interbank_ensure(self):
        """A bank code and a current key pair for each bank that lacks them."""
        for company in self.sudo().filtered(lambda c: not c.timebank_bank_code):
            company.timebank_bank_code = "TB-" + secrets.token_hex(6).upper()
        self.env["timebank.interbank.key"].sudo()._ensure_current(self)
