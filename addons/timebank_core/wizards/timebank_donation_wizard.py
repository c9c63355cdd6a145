from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.timebank_account import format_minutes


class TimebankDonationWizard(models.TransientModel):
    _name = "timebank.donation.wizard"
    _description = "Give Time Credits"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    donor_id = fields.Many2one(
        "timebank.member",
        string="From",
        required=True,
        domain="[('company_id', '=', company_id), ('state', '=', 'active')]",
    )
    recipient = fields.Selection(
        [("member", "Another member"), ("pool", "The community pool")],
        string="To",
        required=True,
        default="pool",
    )
    recipient_id = fields.Many2one(
        "timebank.member",
        string="Member",
        domain="[('company_id', '=', company_id), ('state', '=', 'active'), "
        "('id', '!=', donor_id)]",
    )
    hours = fields.Float(string="Time", help="Hours and minutes to give.")
    note = fields.Char()
    donor_balance = fields.Char(
        string="Balance of the Giver", compute="_compute_donor_balance"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "timebank.member":
            values["donor_id"] = self.env.context.get("active_id")
        return values

    @api.depends("donor_id")
    def _compute_donor_balance(self):
        for wizard in self:
            wizard.donor_balance = format_minutes(wizard.donor_id.balance)

    def action_give(self):
        self.ensure_one()
        minutes = round(self.hours * 60)
        donor = self.donor_id
        if minutes <= 0:
            raise UserError(_("Give at least one minute."))
        if self.recipient == "member" and not self.recipient_id:
            raise UserError(_("Choose the member who receives the credits."))
        if self.recipient_id == donor:
            raise UserError(_("A member cannot give credits to themselves."))
        if minutes > donor.balance:
            raise UserError(
                _(
                    "%(member)s has %(balance)s and cannot give %(amount)s: only "
                    "credits already earned can be given.",
                    member=donor.display_name,
                    balance=format_minutes(donor.balance),
                    amount=format_minutes(minutes),
                )
            )
        if self.recipient == "member":
            target = self.recipient_id.account_id
            label = _("Gift to %(member)s", member=self.recipient_id.display_name)
        else:
            target = self.env["timebank.account"]._get_system(self.company_id, "pool")
            label = _("Gift to the community pool")
        journal = self.env["timebank.journal"]._get(self.company_id, "donation")
        entry = (
            self.env["timebank.entry"]
            .sudo()
            ._transfer(
                journal,
                donor.account_id,
                target,
                minutes,
                self.note or label,
                debit_label=label,
                credit_label=_("Gift from %(member)s", member=donor.display_name),
            )
        )
        donor.message_post(
            body=_(
                "%(label)s: %(amount)s (%(entry)s).",
                label=label,
                amount=format_minutes(minutes),
                entry=entry.name,
            )
        )
        return {"type": "ir.actions.act_window_close"}
