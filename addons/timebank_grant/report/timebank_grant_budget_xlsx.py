from odoo import models


class TimebankGrantBudgetXlsx(models.AbstractModel):
    """Budget against actual spending, by budget line, as a workbook."""

    _name = "report.timebank_grant.budget_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Grant Budget vs Actual (XLSX)"

    def generate_xlsx_report(self, workbook, data, objs):
        _ = self.env._
        bold = workbook.add_format({"bold": True})
        for grant in objs:
            digits = grant.currency_id.decimal_places
            number_format = "#,##0." + "0" * digits if digits else "#,##0"
            money = workbook.add_format({"num_format": number_format})
            bold_money = workbook.add_format(
                {"bold": True, "num_format": number_format}
            )
            sheet = workbook.add_worksheet(_("Budget vs Actual"))
            sheet.write(0, 0, grant.display_name, bold)
            sheet.write(1, 0, _("Award Number"))
            sheet.write(1, 1, grant.award_number or "")
            sheet.write(2, 0, _("Program"))
            sheet.write(2, 1, grant.program_id.display_name)
            sheet.write(3, 0, _("Currency"))
            sheet.write(3, 1, grant.currency_id.name)
            headers = grant._budget_headers()
            header_row = 5
            for col, header in enumerate(headers):
                sheet.write(header_row, col, header, bold)
            rows, total = grant._budget_rows()
            keys = list(total)[2:]
            for index, row in enumerate(rows + [total]):
                row_num = header_row + 1 + index
                style = bold_money if row is total else money
                sheet.write(row_num, 0, row["kind"], bold if row is total else None)
                sheet.write(row_num, 1, row["name"], bold if row is total else None)
                for col, key in enumerate(keys, start=2):
                    sheet.write_number(row_num, col, row[key], style)
            sheet.set_column(0, 1, 28)
            sheet.set_column(2, len(headers) - 1, 16)
