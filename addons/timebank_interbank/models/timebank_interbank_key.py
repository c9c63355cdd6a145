import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from . import protocol


class TimebankInterbankKey(models.Model):
    """A signing key of this bank. The current one signs; older ones are kept
    so that what they signed can still be shown to be ours."""

    _name = "timebank.interbank.key"
    _description = "Time Bank Signing Key"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "company_id, id desc"
    _guarded_fields = ("company_id", "key_id", "public_key", "private_key", "current")

    company_id = fields.Many2one(
        "res.company", string="Time Bank", required=True, readonly=True, index=True
    )
    key_id = fields.Char(string="Key Id", required=True, readonly=True)
    public_key = fields.Char(readonly=True, required=True)
    private_key = fields.Text(readonly=True, groups="base.group_system", copy=False)
    fingerprint = fields.Char(compute="_compute_fingerprint")
    current = fields.Boolean(readonly=True, default=True)

    _sql_constraints = [
        ("key_id_uniq", "unique (key_id)", "A key id names one key."),
    ]

    @api.depends("public_key")
    def _compute_fingerprint(self):
        for key in self:
            key.fingerprint = protocol.fingerprint(key.public_key)

    def _guarded_hint(self):
        return _("Keys are made by the bank and rotated by its administrator.")

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _("A signing key is never deleted: what it signed must stay verifiable.")
        )

    @api.model
    def _ensure_current(self, companies):
        have = set(
            self.sudo()
            .search([("company_id", "in", companies.ids), ("current", "=", True)])
            .company_id.ids
        )
        for company in companies:
            if company.id not in have:
                self._make_key(company)

    @api.model
    def _make_key(self, company):
        private_pem, public_b64 = protocol.generate_key()
        count = (
            self.sudo()
            .with_context(active_test=False)
            .search_count([("company_id", "=", company.id)])
        )
        ledger = self.sudo()
        ledger.search(
            [("company_id", "=", company.id), ("current", "=", True)]
        )._guarded_write({"current": False})
        return ledger._guarded_create(
            [
                {
                    "company_id": company.id,
                    # unique even when a rotation was undone after a partner
                    # bank had taken its key
                    "key_id": f"{company.timebank_bank_code}-K{count + 1}-"
                    f"{secrets.token_hex(4)}",
                    "public_key": public_b64,
                    "private_key": private_pem,
                    "current": True,
                }
            ]
        )

    @api.model
    def _current(self, company):
        key = self.sudo().search(
            [("company_id", "=", company.id), ("current", "=", True)], limit=1
        )
        if not key:
            company._timebank_interbank_ensure()
            key = self.sudo().search(
                [("company_id", "=", company.id), ("current", "=", True)], limit=1
            )
        return key

    def _seal(self, payload):
        """The envelope of ``payload`` signed with this key."""
        self.ensure_one()
        return protocol.seal(payload, self.key_id, self.sudo().private_key)
