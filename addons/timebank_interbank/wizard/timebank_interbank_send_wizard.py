from odoo import _, api, fields, models
from odoo.exceptions import UserError


class TimebankInterbankSendWizard(models.TransientModel):
    """A broker sends credits of a member (one who keeps to paper, say) to a
    member of a partner bank, as the member would from the portal."""

    _name = "timebank.interbank.send.wizard"
    _description = "Send Credits to Another Time Bank"
    _check_company_auto = True

    member_id = fields.Many2one(
        "timebank.member",
        string="From Member",
        required=True,
        check_company=True,
        domain="[('state', '=', 'active')]",
    )
    company_id = fields.Many2one(related="member_id.company_id", string="Time Bank")
    peer_id = fields.Many2one(
        "timebank.peer",
        string="Partner Bank",
        required=True,
        check_company=True,
        domain="[('state', '=', 'accepted'), ('company_id', '=', company_id)]",
    )
    payee_number = fields.Char(
        string="Member Number There",
        required=True,
        help="The member number at the partner bank: only it and the time cross "
        "to the other bank.",
    )
    purpose = fields.Selection(
        [("gift", "Gift of Credits"), ("service", "Payment for a Service")],
        required=True,
        default="gift",
        help="Payment for a Service: the member received a service from a member "
        "of the partner bank, who is credited for it.",
    )
    minutes = fields.Integer(string="Time")
    service_date = fields.Date(default=fields.Date.context_today)
    service_duration = fields.Integer(
        string="Duration", help="How long the service lasted."
    )
    service_item_id = fields.Many2one(
        "timebank.service.item",
        string="Kind of Service",
        domain="[('company_id', 'in', (company_id, False))]",
        help="Its coefficient and cap turn the duration into credited time, as "
        "for a service inside the bank; without one the duration is credited 1:1.",
    )
    memo = fields.Char(help="Kept in this bank, never sent.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "timebank.member":
            values.setdefault("member_id", self.env.context.get("active_id"))
        return values

    def action_send(self):
        self.ensure_one()
        if not self.env.user.has_group("timebank_core.group_timebank_broker"):
            raise UserError(_("Only a broker sends credits for a member from here."))
        Transfer = self.env["timebank.interbank.transfer"]
        if self.purpose == "service":
            transfer_id = Transfer.send_service(
                self.peer_id.id,
                self.member_id.id,
                self.payee_number,
                self.service_duration,
                self.service_date,
                self.service_item_id.id,
                self.memo or "",
            )
        else:
            transfer_id = Transfer.send(
                self.peer_id.id,
                self.member_id.id,
                self.payee_number,
                self.minutes,
                self.memo or "",
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.interbank.transfer",
            "res_id": transfer_id,
            "view_mode": "form",
            "target": "current",
        }
