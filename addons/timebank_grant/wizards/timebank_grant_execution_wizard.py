import io
from datetime import timedelta

import xlsxwriter

from odoo import api, fields, models


def half_year(day):
    """First and last day of the half year of ``day``."""
    if day.month <= 6:
        return day.replace(month=1, day=1), day.replace(month=6, day=30)
    return day.replace(month=7, day=1), day.replace(month=12, day=31)


class TimebankGrantExecutionWizard(models.TransientModel):
    """The execution report the funder asks for twice a year (seed Attachment 2)."""

    _name = "timebank.grant.execution.wizard"
    _description = "Grant Execution Report"

    grant_id = fields.Many2one("timebank.grant", required=True)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: half_year(fields.Date.context_today(self))[0],
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: half_year(fields.Date.context_today(self))[1],
    )

    @api.model
    def _execution_data(self, grant, date_from, date_to):
        """Members with age distribution and hours by item, from the ledger of
        the grant's time bank. Time bank records are private to brokers: the
        accountant reads only these totals."""
        bank = grant.company_id
        kpis = (
            self.env["timebank.kpi.wizard"]
            .sudo()
            .create({"company_id": bank.id, "date_from": date_from, "date_to": date_to})
            ._kpis()
        )
        Exchange = self.env["timebank.exchange"].sudo()
        by_item = Exchange._read_group(
            [
                ("company_id", "=", bank.id),
                ("state", "=", "posted"),
                ("date_start", ">=", fields.Datetime.to_datetime(date_from)),
                (
                    "date_start",
                    "<",
                    fields.Datetime.to_datetime(date_to) + timedelta(days=1),
                ),
            ],
            ["item_id"],
            ["posted_minutes:sum", "__count"],
            order="item_id",
        )
        return {
            "members": kpis["active_members"],
            "new_members": kpis["new_members"],
            "by_age_band": kpis["by_age_band"],
            "served_by_category": kpis["served_by_category"],
            "hours": kpis["minutes"] / 60.0,
            "services": kpis["services"],
            "ratings": kpis["ratings"],
            "satisfied": kpis["satisfied"],
            "satisfaction": kpis["satisfaction"],
            "rating_average": kpis["rating_average"],
            "by_item": [
                (item.display_name, minutes / 60.0, count)
                for item, minutes, count in by_item
            ],
        }

    def _execution_xlsx(self):
        self.ensure_one()
        _ = self.env._
        grant = self.grant_id
        data = self._execution_data(grant, self.date_from, self.date_to)
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        head = workbook.add_format(
            {"bold": True, "text_wrap": True, "border": 1, "valign": "top"}
        )
        sheet = workbook.add_worksheet(_("Execution Report"))
        sheet.write(0, 0, _("Organization"), bold)
        sheet.write(0, 1, grant.company_id.name)
        sheet.write(
            1,
            0,
            _(
                "Execution of the %(program)s (time bank) grant %(grant)s",
                program=grant.program_id.display_name,
                grant=grant.award_number or grant.name,
            ),
            bold,
        )
        sheet.write(2, 0, _("Period reported"), bold)
        sheet.write(2, 1, fields.Date.to_string(self.date_from))
        sheet.write(2, 2, fields.Date.to_string(self.date_to))
        headers = [
            _("Eligibility of participants"),
            _("Kinds of people served"),
            _("Exchange items"),
            _("Deposit and withdrawal mechanism"),
            _("Summary of activities"),
            _("Results achieved"),
            _("Members (with age distribution)"),
            _("Hours exchanged (by item)"),
            _("Remarks"),
        ]
        for col, header in enumerate(headers):
            sheet.write(4, col, header, head)
        members = "\n".join(
            [_("Active members: %(count)s", count=data["members"])]
            + [f"{band}: {count}" for band, count in data["by_age_band"].items()]
        )
        hours = "\n".join(
            [_("Hours exchanged: %(hours).1f", hours=data["hours"])]
            + [f"{item}: {item_hours:.1f}" for item, item_hours, _c in data["by_item"]]
        )
        results = grant.exec_results or ""
        if data["ratings"]:
            results = "\n".join(
                filter(
                    None,
                    [
                        results,
                        _(
                            "Satisfaction: %(percent)s%% of the %(count)s services "
                            "rated by the persons helped were rated 4 or 5 of 5 "
                            "(average %(average)s).",
                            percent=data["satisfaction"],
                            count=data["ratings"],
                            average=data["rating_average"],
                        ),
                    ],
                )
            )
        values = [
            grant.exec_eligibility or "",
            grant.exec_people_served or "",
            "\n".join(
                f"{index}. {item}"
                for index, (item, _h, _c) in enumerate(data["by_item"], start=1)
            ),
            grant.exec_deposit or "",
            grant.exec_summary or "",
            results,
            members,
            hours,
            grant.exec_notes or "",
        ]
        for col, value in enumerate(values):
            sheet.write_string(5, col, value, wrap)
        sheet.set_column(0, len(headers) - 1, 24)

        ages = workbook.add_worksheet(_("Members by Age"))
        ages.write_row(0, 0, [_("Age"), _("Members")], bold)
        for row, (band, count) in enumerate(data["by_age_band"].items(), start=1):
            ages.write_string(row, 0, band)
            ages.write_number(row, 1, count)
        ages.write(len(data["by_age_band"]) + 1, 0, _("Active members"), bold)
        ages.write_number(len(data["by_age_band"]) + 1, 1, data["members"], bold)

        served = workbook.add_worksheet(_("Members Served by Category"))
        served.write_row(0, 0, [_("Category"), _("Members served")], bold)
        for row, (category, count) in enumerate(
            data["served_by_category"].items(), start=1
        ):
            served.write_string(row, 0, category)
            served.write_number(row, 1, count)

        items = workbook.add_worksheet(_("Hours by Item"))
        items.write_row(0, 0, [_("Item"), _("Hours"), _("Services")], bold)
        for row, (item, item_hours, count) in enumerate(data["by_item"], start=1):
            items.write_string(row, 0, item)
            items.write_number(row, 1, item_hours)
            items.write_number(row, 2, count)
        total_row = len(data["by_item"]) + 1
        items.write(total_row, 0, _("Total"), bold)
        items.write_number(total_row, 1, data["hours"], bold)
        items.write_number(total_row, 2, data["services"], bold)

        satisfaction = workbook.add_worksheet(_("Satisfaction"))
        satisfaction.write_row(0, 0, [_("Indicator"), _("Value")], bold)
        for row, (label, value) in enumerate(
            [
                (_("Services rated by the persons helped"), data["ratings"]),
                (_("Rated 4 or 5 of 5"), data["satisfied"]),
                (_("Satisfaction (%)"), data["satisfaction"] or 0.0),
                (_("Average rating (1 to 5)"), data["rating_average"]),
            ],
            start=1,
        ):
            satisfaction.write_string(row, 0, label)
            satisfaction.write_number(row, 1, value)
        workbook.close()
        return output.getvalue()

    def action_print_xlsx(self):
        self.ensure_one()
        return self.grant_id._download(
            self._execution_xlsx(),
            f"{self.grant_id.award_number or self.grant_id.name} - execution "
            f"{self.date_from} {self.date_to}.xlsx",
        )
