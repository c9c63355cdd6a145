from odoo import api, fields, models
from odoo.exceptions import UserError


class TimebankGrantClaim(models.Model):
    _inherit = "timebank.grant.claim"  # pylint: disable=consider-merging-classes-inherited

    reconciliation_warning = fields.Text(
        compute="_compute_reconciliation_warning",
        help="What the reconciliation of the claim's period with the general "
        "ledger leaves unexplained, and the credit notes of the period no "
        "budget line takes back.",
    )

    @api.depends("grant_id", "date_from", "date_to", "state")
    def _compute_reconciliation_warning(self):
        for claim in self:
            problems = claim._ledger_problems() if claim.state == "draft" else []
            claim.reconciliation_warning = "\n".join(problems) or False

    def _ledger_problems(self):
        self.ensure_one()
        if not (self.grant_id and self.date_from and self.date_to):
            return []
        return self.grant_id._reconciliation_problems(
            self.date_from, self.date_to, claim=True
        )

    def action_submit(self):
        """Submit warns (or refuses, as the program says) while the period
        does not reconcile with the general ledger."""
        self._check_state(("draft",))
        warnings = {claim: claim._ledger_problems() for claim in self}
        refused = [
            f"{claim.name}: {problem}"
            for claim, problems in warnings.items()
            if claim.grant_id.program_id.unexplained_policy == "refuse"
            for problem in problems
        ]
        if refused:
            raise UserError(
                self.env._(
                    "The claim cannot be submitted while the reconciliation of "
                    "its period with the general ledger is not explained:\n"
                    "%(problems)s"
                )
                % {"problems": "\n".join(refused)}
            )
        result = super().action_submit()
        for claim, problems in warnings.items():
            if problems:
                claim.message_post(
                    body=self.env._(
                        "Submitted while the reconciliation with the general "
                        "ledger warns: %(problems)s",
                        problems="; ".join(problems),
                    )
                )
        return result
