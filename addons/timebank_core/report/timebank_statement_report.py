from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.timebank_account import format_minutes
from ..wizards.timebank_statement_wizard import previous_month

EXPIRY_HORIZON_DAYS = 90


class ReportTimebankStatement(models.AbstractModel):
    _name = "report.timebank_core.report_statement"
    _description = "Time Bank Member Statement"

    @api.model
    def _period(self, data):
        data = data or {}
        context = self.env.context
        date_from = data.get("timebank_statement_from") or context.get(
            "timebank_statement_from"
        )
        date_to = data.get("timebank_statement_to") or context.get(
            "timebank_statement_to"
        )
        if not (date_from and date_to):
            return previous_month(fields.Date.context_today(self))
        return fields.Date.to_date(date_from), fields.Date.to_date(date_to)

    @api.model
    def _statement(self, member, date_from, date_to):
        """Opening balance, the movements of the period and the closing balance."""
        cr = self.env.cr
        self.env["timebank.entry.line"].flush_model()
        cr.execute(
            SQL(
                "SELECT COALESCE(SUM(credit - debit), 0) FROM timebank_entry_line "
                "WHERE account_id = %s AND date < %s "
                "AND parent_state IN ('posted', 'reversed')",
                member.account_id.id,
                date_from,
            )
        )
        opening = cr.fetchone()[0]
        lines = (
            self.env["timebank.entry.line"]
            .sudo()
            .search(
                [
                    ("account_id", "=", member.account_id.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    ("parent_state", "in", ("posted", "reversed")),
                ],
                order="date, id",
            )
        )
        running = opening
        movements = []
        for line in lines:
            running += line.credit - line.debit
            movements.append(
                {
                    "date": line.date,
                    "number": line.entry_id.name,
                    "journal": line.journal_id.name,
                    "label": line.name or line.entry_id.ref or "",
                    "credit": line.credit,
                    "debit": line.debit,
                    "balance": running,
                }
            )
        today = fields.Date.context_today(self)
        preview = member.sudo()._expiry_preview(
            today, today + timedelta(days=EXPIRY_HORIZON_DAYS)
        )
        expiring = [(day, minutes) for day, minutes, _a in preview[member]]
        return {
            "member": member,
            "opening": opening,
            "movements": movements,
            "total_credit": sum(m["credit"] for m in movements),
            "total_debit": sum(m["debit"] for m in movements),
            "closing": running,
            "expiring": expiring,
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        # printed with a period, the web client sends the members in ``data``
        # and no ids in the address
        docids = docids or (data or {}).get("member_ids") or []
        members = self.env["timebank.member"].browse(docids)
        members.check_access("read")
        date_from, date_to = self._period(data)
        # the head of each bank's chain when printed: a copy of it outside the
        # database, against which a rewritten ledger can be caught
        Chain = self.env["timebank.chain"].sudo()
        heads = {bank: Chain._head(bank) for bank in members.company_id}
        return {
            "doc_ids": docids,
            "doc_model": "timebank.member",
            "docs": members,
            "date_from": date_from,
            "date_to": date_to,
            "statements": {
                m.id: self._statement(m, date_from, date_to) for m in members
            },
            "chain_heads": {m.id: heads[m.company_id] for m in members},
            "hm": format_minutes,
        }
