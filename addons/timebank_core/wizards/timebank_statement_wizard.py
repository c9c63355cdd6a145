from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


def previous_month(today):
    first = today.replace(day=1) - relativedelta(months=1)
    return first, first + relativedelta(months=1, days=-1)


class TimebankStatementWizard(models.TransientModel):
    _name = "timebank.statement.wizard"
    _description = "Monthly Statements"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: previous_month(fields.Date.context_today(self))[0],
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: previous_month(fields.Date.context_today(self))[1],
    )
    member_ids = fields.Many2many(
        "timebank.member",
        string="Members",
        domain="[('state', 'in', ('active', 'suspended'))]",
    )
    email_count = fields.Integer(compute="_compute_counts", string="By E-mail")
    paper_count = fields.Integer(compute="_compute_counts", string="On Paper")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "timebank.member" and context.get(
            "active_ids"
        ):
            values["member_ids"] = [fields.Command.set(context["active_ids"])]
        elif "member_ids" in fields_list:
            members = self.env["timebank.member"].search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("state", "in", ("active", "suspended")),
                ]
            )
            values["member_ids"] = [fields.Command.set(members.ids)]
        return values

    @api.depends("member_ids.email")
    def _compute_counts(self):
        for wizard in self:
            with_email = wizard.member_ids.filtered("email")
            wizard.email_count = len(with_email)
            wizard.paper_count = len(wizard.member_ids) - len(with_email)

    def _period_context(self):
        return {
            "timebank_statement_from": fields.Date.to_string(self.date_from),
            "timebank_statement_to": fields.Date.to_string(self.date_to),
        }

    def action_send(self):
        """Order the statements: made in the background, one job per member
        (e-mailed to members with an address, kept to print for the others);
        the run shows how far it is and what failed."""
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(_("The statement period ends before it starts."))
        if not self.member_ids:
            raise UserError(_("Choose the members who get a statement."))
        # one run per bank: each bank's statements go out in its own name
        runs = self.env["timebank.statement.run"].create(
            [
                {
                    "company_id": bank.id,
                    "date_from": self.date_from,
                    "date_to": self.date_to,
                    "member_ids": [
                        fields.Command.set(
                            self.member_ids.filtered(
                                lambda m, bank=bank: m.company_id == bank
                            ).ids
                        )
                    ],
                }
                for bank in self.member_ids.company_id
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_core.timebank_statement_run_action"
        )
        if len(runs) == 1:
            action.update(res_id=runs.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", runs.ids)]
        return action

    def action_print(self):
        self.ensure_one()
        return self.env.ref("timebank_core.action_report_statement").report_action(
            self.member_ids,
            data=dict(self._period_context(), member_ids=self.member_ids.ids),
        )
