import base64
import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.timebank_account import format_minutes


class TimebankSealWizard(models.TransientModel):
    """The head of a bank's hash chain as a file an auditor keeps (and signs)
    outside the database, and the check of the ledger against such a file."""

    _name = "timebank.seal.wizard"
    _description = "Chain Seal"

    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    entry_count = fields.Integer(string="Entries Chained")
    last_hash = fields.Char()
    pending_count = fields.Integer(string="Entries Pending")
    seal_file = fields.Binary(string="Seal", attachment=False)
    seal_filename = fields.Char()

    @api.model
    def _head_values(self, company):
        head = self.env["timebank.chain"].sudo()._head(company)
        return {
            "entry_count": head["entry_count"],
            "last_hash": head["last_hash"],
            "pending_count": head["pending"],
        }

    @api.model
    def default_get(self, fields_list):
        """The head as the wizard opens (a form of a single-bank database does
        not even send the bank)."""
        values = super().default_get(fields_list)
        company = self.env["res.company"].browse(
            values.get("company_id") or self.env.company.id
        )
        values.update(self._head_values(company))
        return values

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if self.company_id:
            self.update(self._head_values(self.company_id._origin))

    def _check_bank(self):
        if not self.env.user.has_group("timebank_core.group_timebank_manager"):
            raise AccessError(_("Only a time bank manager seals or checks the chain."))
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                _("You can only verify the ledger of your own time banks.")
            )

    def action_export(self):
        """Write the seal of the chain as it stands and download it."""
        self.ensure_one()
        self._check_bank()
        Chain = self.env["timebank.chain"].sudo()
        seal = Chain._seal(self.company_id)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.company_id.name).strip("-")
        filename = f"chain-seal-{slug or self.company_id.id}-{seal['entry_count']}.json"
        self.write(
            {
                "seal_file": base64.b64encode(Chain._seal_text(seal).encode()),
                "seal_filename": filename,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/seal_file/{filename}"
            "?download=true",
            "target": "self",
        }

    def action_verify(self):
        """Verify the chain against the seal uploaded in the wizard."""
        self.ensure_one()
        self._check_bank()
        if not self.seal_file:
            raise UserError(_("Upload the seal file to check the ledger against."))
        seal = base64.b64decode(self.seal_file)
        result = self.env["timebank.entry"].verify_chain(
            self.company_id.id, seals=[seal]
        )
        if not result["seals_checked"] and result["ok"]:
            raise UserError(
                _(
                    "This seal is not one of %(bank)s in this database.",
                    bank=self.company_id.name,
                )
            )
        if result["ok"]:
            message = _(
                "The ledger of %(bank)s matches the seal: %(count)s posted entries "
                "checked, every balance matches its lines.",
                bank=result["bank"],
                count=result["checked"],
            )
        else:
            parts = (
                [
                    _(
                        "The chain breaks at %(entry)s: %(reason)s.",
                        entry=result["first_broken"] or "-",
                        reason=result["reason"],
                    )
                ]
                if result["reason"]
                else []
            )
            parts += [
                _(
                    "%(account)s shows %(kept)s but its lines add up to %(computed)s.",
                    account=account,
                    kept=format_minutes(kept),
                    computed=format_minutes(computed),
                )
                for account, kept, computed in result["balance_mismatches"]
            ]
            message = "\n".join(parts)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Ledger verification"),
                "message": message,
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
            },
        }
