from odoo import fields, models


class TimebankGrantOverrideWizard(models.TransientModel):
    _name = "timebank.grant.override.wizard"
    _description = "Override a Grant Exclusion"

    expense_ids = fields.Many2many(
        "timebank.grant.expense",
        string="Expenditures",
        default=lambda self: self.env.context.get("active_ids"),
    )
    reason = fields.Text(
        required=True,
        help="Why the funder's exclusion does not apply: kept on the expenditure "
        "and in its history.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.expense_ids._override_exclusion(self.reason)
        return {"type": "ir.actions.act_window_close"}
