from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..models.timebank_rpc import marshallable

PERIODS = [
    ("month", "Top contributors of the month"),
    ("quarter", "Stars of the quarter"),
    ("year", "Top ten of the year"),
]


class TimebankRecognitionWizard(models.TransientModel):
    _name = "timebank.recognition.wizard"
    _description = "Recognition of Contributors"

    period = fields.Selection(PERIODS, required=True, default="month")
    date = fields.Date(
        string="In the Period Of",
        required=True,
        default=lambda self: fields.Date.context_today(self) - relativedelta(months=1),
        help="Any day of the month, quarter or year to recognise.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(compute="_compute_dates")
    date_to = fields.Date(compute="_compute_dates")

    @api.depends("period", "date")
    def _compute_dates(self):
        for wizard in self:
            wizard.date_from, wizard.date_to = self._bounds(wizard.period, wizard.date)

    @api.model
    def _bounds(self, period, day):
        if period == "year":
            return day.replace(month=1, day=1), day.replace(month=12, day=31)
        if period == "quarter":
            first = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
            return first, first + relativedelta(months=3, days=-1)
        first = day.replace(day=1)
        return first, first + relativedelta(months=1, days=-1)

    def _ranking(self):
        """[(member, minutes, services)] of posted services, most minutes first."""
        self.ensure_one()
        groups = self.env["timebank.exchange"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("date_start", ">=", fields.Datetime.to_datetime(self.date_from)),
                (
                    "date_start",
                    "<",
                    fields.Datetime.to_datetime(self.date_to + relativedelta(days=1)),
                ),
            ],
            ["provider_id"],
            ["posted_minutes:sum", "__count"],
        )
        ranking = sorted(groups, key=lambda g: (-g[1], g[0].display_name))
        if self.period in ("month", "year"):
            ranking = ranking[:10]
        return ranking

    def action_print(self):
        self.ensure_one()
        return marshallable(
            self.env.ref("timebank_core.action_report_recognition").report_action(
                self, config=False
            )
        )

    def _report_title(self):
        return dict(self._fields["period"]._description_selection(self.env))[
            self.period
        ]

    def _rows(self):
        company = self.company_id
        return [
            {
                "rank": index,
                "member": member,
                "minutes": minutes,
                "services": count,
                "stars": company._timebank_stars(minutes)
                if self.period == "quarter"
                else 0,
            }
            for index, (member, minutes, count) in enumerate(self._ranking(), 1)
        ]
