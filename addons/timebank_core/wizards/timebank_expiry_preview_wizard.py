from datetime import timedelta

from odoo import api, fields, models


class TimebankExpiryPreviewWizard(models.TransientModel):
    _name = "timebank.expiry.preview.wizard"
    _description = "Time Bank Expiry Preview"

    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    date_to = fields.Date(
        string="Up To",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=365),
    )
    line_ids = fields.One2many(
        "timebank.expiry.preview.line", "wizard_id", string="Expiries", readonly=True
    )
    total_minutes = fields.Integer(string="Total", compute="_compute_total_minutes")
    member_count = fields.Integer(string="Members", compute="_compute_total_minutes")

    @api.depends("line_ids.minutes")
    def _compute_total_minutes(self):
        for wizard in self:
            wizard.total_minutes = sum(wizard.line_ids.mapped("minutes"))
            wizard.member_count = len(wizard.line_ids.member_id)

    def action_preview(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        members = self.env["timebank.member"].search(
            [("company_id", "=", self.company_id.id), ("account_id", "!=", False)]
        )
        preview = members._expiry_preview(today, self.date_to)
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": [
                    fields.Command.create(
                        {
                            "member_id": member.id,
                            "expiry_date": day,
                            "minutes": minutes,
                            "announced": announced,
                        }
                    )
                    for member, items in preview.items()
                    for day, minutes, announced in sorted(items, key=lambda i: i[0])
                ]
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Expiry Preview"),
        }


class TimebankExpiryPreviewLine(models.TransientModel):
    _name = "timebank.expiry.preview.line"
    _description = "Time Bank Expiry Preview Line"
    _order = "expiry_date, member_id"

    wizard_id = fields.Many2one(
        "timebank.expiry.preview.wizard", required=True, ondelete="cascade"
    )
    member_id = fields.Many2one("timebank.member", readonly=True)
    expiry_date = fields.Date(string="Expires On", readonly=True)
    minutes = fields.Integer(readonly=True)
    announced = fields.Boolean(
        readonly=True,
        help="The member has been told. Otherwise the notice goes out with the next "
        "run of the expiry job, and the credits expire the warning days after.",
    )
