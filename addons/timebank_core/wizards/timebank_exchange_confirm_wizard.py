from odoo import fields, models

from ..models.timebank_exchange import BROKER_CHANNELS, CONFIRMATION_CHANNELS


class TimebankExchangeConfirmWizard(models.TransientModel):
    """A broker confirms services for the receiver and says how they agreed."""

    _name = "timebank.exchange.confirm.wizard"
    _description = "Confirm Services for the Receiver"

    exchange_ids = fields.Many2many("timebank.exchange", string="Services")
    channel = fields.Selection(
        [item for item in CONFIRMATION_CHANNELS if item[0] in BROKER_CHANNELS],
        string="The Receiver Agreed",
        required=True,
        default="phone",
    )
    proof_ids = fields.Many2many(
        "ir.attachment",
        string="Photo of the Signed Sheet",
        help="Attach the photo or scan of the sheet the receiver signed.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.exchange_ids.action_confirm(self.channel, self.proof_ids.ids)
        return {"type": "ir.actions.act_window_close"}
