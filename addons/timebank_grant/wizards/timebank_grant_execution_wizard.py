from collections import Counter
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.timebank_core.models.timebank_member import age_on
from odoo.addons.timebank_core.wizards.timebank_kpi_wizard import AGE_BANDS, age_band


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
    def _period_members(self, bank, date_from, date_to, exchange_domain):
        """The memberships in force at some time of the period: joined by its
        end and not withdrawn before its start, and whoever gave or received a
        posted service in it (not the members active today)."""
        Member = self.env["timebank.member"].sudo()
        members = Member.search(
            [
                ("company_id", "=", bank.id),
                ("state", "!=", "applicant"),
                ("join_date", "!=", False),
                ("join_date", "<=", date_to),
                "|",
                ("withdrawal_date", "=", False),
                ("withdrawal_date", ">=", date_from),
            ]
        )
        Exchange = self.env["timebank.exchange"].sudo()
        for side in ("provider_id", "receiver_id"):
            members |= Member.browse(
                member.id
                for [member] in Exchange._read_group(
                    exchange_domain + [(side, "!=", False)], [side]
                )
            )
        return members

    @api.model
    def _age_bands(self, members, on_day):
        """{age band: members} at ``on_day``, youngest first; the members
        without a birth date last."""
        counts = Counter()
        for member in members:
            birthdate = member.partner_id.birthdate_date
            counts[age_band(age_on(birthdate, on_day)) if birthdate else False] += 1
        order = [
            f"{low}+" if high >= 200 else f"{low}-{high}" for low, high in AGE_BANDS
        ]
        bands = {band: counts[band] for band in order if counts[band]}
        if counts[False]:
            bands[self.env._("Age not recorded")] = counts[False]
        return bands

    @api.model
    def _execution_data(self, grant, date_from, date_to):
        """Members with age distribution and time exchanged by item, for the
        period, from the ledger of the grant's time bank. Time bank records are
        private to brokers: the accountant reads only these totals.

        Time exchanged comes as minutes worked (the service's duration) and
        minutes credited (worked x the item's coefficient, within its cap, as
        the ledger posted them)."""
        bank = grant.company_id
        kpis = (
            self.env["timebank.kpi.wizard"]
            .sudo()
            .create({"company_id": bank.id, "date_from": date_from, "date_to": date_to})
            ._kpis()
        )
        Exchange = self.env["timebank.exchange"].sudo()
        domain = [
            ("company_id", "=", bank.id),
            ("state", "=", "posted"),
            ("date_start", ">=", fields.Datetime.to_datetime(date_from)),
            (
                "date_start",
                "<",
                fields.Datetime.to_datetime(date_to) + timedelta(days=1),
            ),
        ]
        by_item = Exchange._read_group(
            domain,
            ["item_id"],
            ["actual_minutes:sum", "posted_minutes:sum", "__count"],
            order="item_id",
        )
        members = self._period_members(bank, date_from, date_to, domain)
        return {
            "members": len(members),
            "new_members": kpis["new_members"],
            "by_age_band": self._age_bands(members, date_to),
            "served_by_category": kpis["served_by_category"],
            "worked_minutes": sum(worked for _i, worked, _p, _c in by_item),
            "credited_minutes": sum(credited for _i, _w, credited, _c in by_item),
            "services": sum(count for _i, _w, _p, count in by_item),
            "ratings": kpis["ratings"],
            "satisfied": kpis["satisfied"],
            "satisfaction": kpis["satisfaction"],
            "rating_average": kpis["rating_average"],
            "by_item": [
                (item.display_name, worked, credited, count)
                for item, worked, credited, count in by_item
            ],
        }

    def action_print_xlsx(self):
        self.ensure_one()
        # data: no None in the action, which the external API cannot send
        return self.env.ref(
            "timebank_grant.timebank_grant_execution_xlsx_report"
        ).report_action(self, data={}, config=False)
