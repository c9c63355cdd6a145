from odoo import models


class TimebankGrantEstimateXlsx(models.AbstractModel):
    """The budget in the layout of the plan's budget estimate (經費概算表):
    item | subsidy requested | self-funded | total | remarks, one row per item
    (kind of spending) with the budget lines of the item in the remarks."""

    _name = "report.timebank_grant.estimate_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Grant Budget Estimate (XLSX)"

    def _estimate_rows(self, grant):
        """[(item, subsidy, self-funded, total, remarks)] and the total row."""
        currency = grant.currency_id
        number_format = f",.{currency.decimal_places}f"
        items = {}
        for line in grant.line_ids:
            items.setdefault(line.kind_id, self.env["timebank.grant.line"])
            items[line.kind_id] |= line
        rows = []
        for kind, lines in items.items():
            subsidy = currency.round(sum(lines.mapped("subsidy_amount")))
            self_funded = currency.round(sum(lines.mapped("self_funded_amount")))
            remarks = "\n".join(
                self.env._(
                    "%(line)s: %(amount)s",
                    line=line.name,
                    amount=format(
                        line.subsidy_amount + line.self_funded_amount, number_format
                    ),
                )
                for line in lines
                if line.name
            )
            rows.append(
                (
                    kind.name,
                    subsidy,
                    self_funded,
                    currency.round(subsidy + self_funded),
                    remarks,
                )
            )
        total = (
            self.env._("Grand Total"),
            currency.round(sum(row[1] for row in rows)),
            currency.round(sum(row[2] for row in rows)),
            currency.round(sum(row[3] for row in rows)),
            "",
        )
        return rows, total

    def generate_xlsx_report(self, workbook, data, objs):
        _ = self.env._
        bold = workbook.add_format({"bold": True})
        head = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        text = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        for grant in objs:
            digits = grant.currency_id.decimal_places
            number_format = "#,##0." + "0" * digits if digits else "#,##0"
            money = workbook.add_format(
                {"num_format": number_format, "border": 1, "valign": "top"}
            )
            bold_money = workbook.add_format(
                {"num_format": number_format, "border": 1, "bold": True}
            )
            sheet = workbook.add_worksheet(_("Budget Estimate"))
            sheet.write(0, 0, grant.company_id.name, bold)
            sheet.write(1, 0, _("Budget Estimate"), bold)
            sheet.write(2, 0, grant.name)
            sheet.write(2, 1, grant.award_number or "")
            sheet.write(3, 0, _("Currency"))
            sheet.write(3, 1, grant.currency_id.name)
            sheet.merge_range(4, 0, 5, 0, _("Item Name"), head)
            sheet.merge_range(4, 1, 4, 2, _("Total Project Budget"), head)
            sheet.write(5, 1, _("Subsidy Requested"), head)
            sheet.write(5, 2, _("Self-Funded"), head)
            sheet.merge_range(4, 3, 5, 3, _("Total"), head)
            sheet.merge_range(
                4, 4, 5, 4, _("Remarks (list what the item covers)"), head
            )
            rows, total = self._estimate_rows(grant)
            for row_num, row in enumerate(rows, start=6):
                sheet.write_string(row_num, 0, row[0], text)
                for col in (1, 2, 3):
                    sheet.write_number(row_num, col, row[col], money)
                sheet.write_string(row_num, 4, row[4], text)
            total_row = 6 + len(rows)
            sheet.write_string(total_row, 0, total[0], head)
            for col in (1, 2, 3):
                sheet.write_number(total_row, col, total[col], bold_money)
            sheet.write_string(total_row, 4, "", text)
            sheet.set_column(0, 0, 24)
            sheet.set_column(1, 3, 16)
            sheet.set_column(4, 4, 40)
