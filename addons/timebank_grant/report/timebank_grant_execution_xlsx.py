from odoo import models

from .form_format import form_hours, form_hours_text, form_period, form_year


class TimebankGrantExecutionXlsx(models.AbstractModel):
    """The execution report the funder asks for twice a year, laid out as the
    call's Attachment 2 (執行成果表), with its detail sheets."""

    _name = "report.timebank_grant.execution_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Grant Execution Report (XLSX)"

    def _members_text(self, data):
        _ = self.env._
        return "\n".join(
            [
                _(
                    "Members: %(count)s (new in the period: %(new)s)",
                    count=data["members"],
                    new=data["new_members"],
                )
            ]
            + [f"{band}: {count}" for band, count in data["by_age_band"].items()]
        )

    def _hours_text(self, data):
        _ = self.env._
        return "\n".join(
            [
                _(
                    "Hours worked: %(worked)s h; hours credited: %(credited)s h",
                    worked=form_hours_text(data["worked_minutes"]),
                    credited=form_hours_text(data["credited_minutes"]),
                )
            ]
            + [
                _(
                    "%(item)s: %(worked)s h worked, %(credited)s h credited, "
                    "services: %(count)s",
                    item=item,
                    worked=form_hours_text(worked),
                    credited=form_hours_text(credited),
                    count=count,
                )
                for item, worked, credited, count in data["by_item"]
            ]
        )

    def _results_text(self, grant, data):
        results = grant.exec_results or ""
        if not data["ratings"]:
            return results
        return "\n".join(
            filter(
                None,
                [
                    results,
                    self.env._(
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

    def generate_xlsx_report(self, workbook, data, objs):
        for wizard in objs:
            self._execution_sheets(workbook, wizard)

    def _execution_sheets(self, workbook, wizard):
        _ = self.env._
        grant = wizard.grant_id
        program = grant.program_id
        data = wizard._execution_data(grant, wizard.date_from, wizard.date_to)
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
        head = workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
            }
        )
        hours = workbook.add_format({"num_format": "0.00"})
        bold_hours = workbook.add_format({"num_format": "0.00", "bold": True})

        sheet = workbook.add_worksheet(_("Execution Report"))
        sheet.write(
            0,
            0,
            _("Organization: %(organization)s", organization=grant.company_id.name),
            bold,
        )
        sheet.write(
            1,
            0,
            _(
                "Execution report of the %(year)s %(program)s (time bank) "
                "grant %(grant)s",
                year=form_year(self.env, program.year),
                program=program.name,
                grant=grant.award_number or grant.name,
            ),
            bold,
        )
        sheet.write(
            2,
            0,
            _(
                "Period reported: %(period)s",
                period=form_period(self.env, wizard.date_from, wizard.date_to),
            ),
            bold,
        )
        # the form's header: one column each, but the service statistics
        # over two (members, hours exchanged)
        for col, header in enumerate(
            [
                _("Eligibility of participants"),
                _("Kinds of people served"),
                _("Exchange items (as a list)"),
                _("Deposit and withdrawal mechanism"),
                _("Summary of activities"),
                _("Results achieved (by the plan's evaluation indicators)"),
            ]
        ):
            sheet.merge_range(3, col, 4, col, header, head)
        sheet.merge_range(3, 6, 3, 7, _("Service statistics"), head)
        sheet.write(4, 6, _("Members (with age distribution / analysis)"), head)
        sheet.write(4, 7, _("Hours exchanged (with analysis by item)"), head)
        sheet.merge_range(
            3, 8, 4, 8, _("Remarks (other figures may be given here)"), head
        )
        values = [
            grant.exec_eligibility or "",
            grant.exec_people_served or "",
            "\n".join(
                f"{index}. {item}"
                for index, (item, _w, _c, _n) in enumerate(data["by_item"], start=1)
            ),
            grant.exec_deposit or "",
            grant.exec_summary or "",
            self._results_text(grant, data),
            self._members_text(data),
            self._hours_text(data),
            grant.exec_notes or "",
        ]
        for col, value in enumerate(values):
            sheet.write_string(5, col, value, wrap)
        sheet.write(
            6,
            0,
            _(
                "Note: add rows where the table is too small for the service "
                "items, withdrawal mechanism or results; fill in the table with "
                "what the organization actually did, and the figures in full."
            ),
        )
        sheet.set_column(0, 8, 24)
        sheet.set_row(5, 120)

        ages = workbook.add_worksheet(_("Members by Age"))
        ages.write_row(0, 0, [_("Age"), _("Members")], bold)
        for row, (band, count) in enumerate(data["by_age_band"].items(), start=1):
            ages.write_string(row, 0, band)
            ages.write_number(row, 1, count)
        ages.write(len(data["by_age_band"]) + 1, 0, _("Members"), bold)
        ages.write_number(len(data["by_age_band"]) + 1, 1, data["members"], bold)

        served = workbook.add_worksheet(_("Members Served by Category"))
        served.write_row(0, 0, [_("Category"), _("Members served")], bold)
        for row, (category, count) in enumerate(
            data["served_by_category"].items(), start=1
        ):
            served.write_string(row, 0, category)
            served.write_number(row, 1, count)

        items = workbook.add_worksheet(_("Hours by Item"))
        items.write_row(
            0,
            0,
            [_("Item"), _("Services"), _("Hours Worked"), _("Hours Credited")],
            bold,
        )
        for row, (item, worked, credited, count) in enumerate(data["by_item"], start=1):
            items.write_string(row, 0, item)
            items.write_number(row, 1, count)
            items.write_number(row, 2, form_hours(worked), hours)
            items.write_number(row, 3, form_hours(credited), hours)
        total_row = len(data["by_item"]) + 1
        items.write(total_row, 0, _("Total"), bold)
        items.write_number(total_row, 1, data["services"], bold)
        items.write_number(total_row, 2, form_hours(data["worked_minutes"]), bold_hours)
        items.write_number(
            total_row, 3, form_hours(data["credited_minutes"]), bold_hours
        )
        items.set_column(0, 0, 28)
        items.set_column(1, 3, 14)

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
