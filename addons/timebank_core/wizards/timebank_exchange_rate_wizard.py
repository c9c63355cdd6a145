from odoo import fields, models


class TimebankExchangeRateWizard(models.TransientModel):
    _name = "timebank.exchange.rate.wizard"
    _description = "Rate a One-off Service"

    exchange_id = fields.Many2one("timebank.exchange", required=True)
    coefficient = fields.Float(
        string="Rate",
        required=True,
        default=1.0,
        digits=(4, 2),
        help="Credited time = time worked x this rate.",
    )
    reason = fields.Text(string="Why", required=True)

    def action_rate(self):
        self.ensure_one()
        self.exchange_id.action_rate_case(self.coefficient, self.reason)
        return {"type": "ir.actions.act_window_close"}
