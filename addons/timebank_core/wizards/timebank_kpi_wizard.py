from collections import Counter

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import format_amount

from ..models.timebank_member import age_on

AGE_BANDS = [(0, 17), (18, 24), (25, 44), (45, 64), (65, 74), (75, 84), (85, 200)]


def age_band(age):
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return False


def growth(now, before):
    """Growth in percent against the same period a year before (None: no base)."""
    if not before:
        return None
    return round(100.0 * (now - before) / before, 1)


class TimebankKpiWizard(models.TransientModel):
    _name = "timebank.kpi.wizard"
    _description = "Time Bank Indicators"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )
    active_members = fields.Integer(compute="_compute_kpis")
    new_members = fields.Integer(compute="_compute_kpis")
    new_members_growth = fields.Float(
        compute="_compute_kpis", string="New Members Growth (%)"
    )
    services = fields.Integer(compute="_compute_kpis", string="Services Posted")
    hours = fields.Float(compute="_compute_kpis", string="Hours Exchanged")
    hours_growth = fields.Float(compute="_compute_kpis", string="Hours Growth (%)")
    active_givers = fields.Integer(
        compute="_compute_kpis", help="Members who gave at least one service."
    )
    members_by_generation = fields.Text(compute="_compute_kpis")
    members_by_age_band = fields.Text(compute="_compute_kpis")
    members_by_gender = fields.Text(compute="_compute_kpis")
    members_by_recipient_category = fields.Text(
        string="Members Served by Category",
        compute="_compute_kpis",
        help="Members who received at least one posted service in the period, "
        "by care recipient category.",
    )
    impact_value = fields.Char(
        compute="_compute_kpis",
        help="The hours exchanged at the bank's reference value of an hour: what "
        "the time given would have cost. Shown only when the bank sets a reference "
        "value; never a price.",
    )
    ratings = fields.Integer(
        string="Services Rated",
        compute="_compute_kpis",
        help="Posted services of the period that the person helped rated.",
    )
    satisfaction = fields.Float(
        string="Satisfaction (%)",
        compute="_compute_kpis",
        help="Share of the rated services of the period rated 4 or 5 of 5 by the "
        "person helped.",
    )
    rating_average = fields.Float(
        string="Average Rating", compute="_compute_kpis", digits=(3, 1)
    )
    exchange_ratios = fields.Text(
        string="Given / Received",
        compute="_compute_kpis",
        help="Hours given and received by each member in the period.",
    )

    @api.depends("company_id", "date_from", "date_to")
    def _compute_kpis(self):
        for wizard in self:
            kpis = wizard._kpis()
            wizard.update(
                {
                    "active_members": kpis["active_members"],
                    "new_members": kpis["new_members"],
                    "new_members_growth": kpis["new_members_growth"] or 0.0,
                    "services": kpis["services"],
                    "hours": kpis["minutes"] / 60,
                    "hours_growth": kpis["minutes_growth"] or 0.0,
                    # nothing to show (not a zero) when the bank sets no value
                    "impact_value": format_amount(
                        self.env,
                        kpis["impact_value"],
                        wizard.company_id.timebank_credit_reference_currency_id,
                    )
                    if kpis["impact_value"]
                    else False,
                    "active_givers": kpis["active_givers"],
                    "ratings": kpis["ratings"],
                    "satisfaction": kpis["satisfaction"] or 0.0,
                    "rating_average": kpis["rating_average"],
                    "members_by_generation": wizard._lines(kpis["by_generation"]),
                    "members_by_age_band": wizard._lines(kpis["by_age_band"]),
                    "members_by_gender": wizard._lines(kpis["by_gender"]),
                    "members_by_recipient_category": wizard._lines(
                        kpis["served_by_category"]
                    ),
                    "exchange_ratios": "\n".join(
                        f"{member.display_name}: {given / 60:.1f} / {received / 60:.1f}"
                        for member, (given, received) in kpis["given_received"].items()
                    ),
                }
            )

    @api.model
    def _lines(self, counter):
        return "\n".join(f"{label}: {count}" for label, count in counter.items())

    def _posted_minutes(self, date_from, date_to):
        """{provider: minutes}, {payer member: minutes}, services in the period."""
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "posted"),
            ("date_start", ">=", fields.Datetime.to_datetime(date_from)),
            (
                "date_start",
                "<",
                fields.Datetime.to_datetime(date_to + relativedelta(days=1)),
            ),
        ]
        Exchange = self.env["timebank.exchange"]
        given = dict(
            Exchange._read_group(domain, ["provider_id"], ["posted_minutes:sum"])
        )
        received = dict(
            Exchange._read_group(
                domain + [("receiver_id", "!=", False)],
                ["receiver_id"],
                ["posted_minutes:sum"],
            )
        )
        [(count,)] = Exchange._read_group(domain, [], ["__count"])
        return given, received, count

    def _ratings(self, date_from, date_to):
        """(ratings, satisfied, average) of the services of the period, as the
        persons helped rated them."""
        domain = [
            ("company_id", "=", self.company_id.id),
            ("direction", "=", "service"),
            ("exchange_id.state", "=", "posted"),
            ("exchange_id.date_start", ">=", fields.Datetime.to_datetime(date_from)),
            (
                "exchange_id.date_start",
                "<",
                fields.Datetime.to_datetime(date_to + relativedelta(days=1)),
            ),
        ]
        groups = dict(
            (satisfied, (count, total))
            for satisfied, count, total in self.env["timebank.rating"]
            .sudo()
            ._read_group(domain, ["satisfied"], ["__count", "score_value:sum"])
        )
        count = sum(n for n, _total in groups.values())
        total = sum(t for _n, t in groups.values())
        return count, groups.get(True, (0, 0))[0], total / count if count else 0.0

    def _new_members(self, date_from, date_to):
        return self.env["timebank.member"].search_count(
            [
                ("company_id", "=", self.company_id.id),
                ("join_date", ">=", date_from),
                ("join_date", "<=", date_to),
            ]
        )

    def _kpis(self):
        """The indicators of the period, and growth against a year before."""
        self.ensure_one()
        year = relativedelta(years=1)
        members = self.env["timebank.member"].search(
            [("company_id", "=", self.company_id.id), ("state", "=", "active")]
        )
        company = self.company_id
        generations = dict(
            self.env["res.partner"]
            ._fields["timebank_generation"]
            ._description_selection(self.env)
        )
        genders = dict(
            self.env["res.partner"]._fields["gender"]._description_selection(self.env)
        )
        by_generation, by_age_band, by_gender = Counter(), Counter(), Counter()
        for member in members.sudo():
            birthdate = member.partner_id.birthdate_date
            if birthdate:
                age = age_on(birthdate, self.date_to)
                by_generation[
                    generations[company._timebank_generation_of_age(age)]
                ] += 1
                by_age_band[age_band(age)] += 1
            by_gender[genders.get(member.partner_id.gender, "-")] += 1
        given, received, services = self._posted_minutes(self.date_from, self.date_to)
        given_before, _received_before, _count = self._posted_minutes(
            self.date_from - year, self.date_to - year
        )
        new_members = self._new_members(self.date_from, self.date_to)
        served_by_category = Counter()
        for member in (
            self.env["timebank.member"]
            .browse([member.id for member in received])
            .sudo()
        ):
            for category in member.recipient_category_ids:
                served_by_category[category.name] += 1
        minutes = sum(given.values())
        ratings, satisfied, rating_average = self._ratings(self.date_from, self.date_to)
        return {
            "ratings": ratings,
            "satisfied": satisfied,
            # None when nothing was rated: no satisfaction to report
            "satisfaction": round(100.0 * satisfied / ratings, 1) if ratings else None,
            "rating_average": round(rating_average, 1),
            "active_members": len(members),
            "new_members": new_members,
            "new_members_growth": growth(
                new_members,
                self._new_members(self.date_from - year, self.date_to - year),
            ),
            "services": services,
            "minutes": minutes,
            "minutes_growth": growth(minutes, sum(given_before.values())),
            # hours at the reference value, for impact reports only
            "impact_value": company.timebank_credit_reference_currency_id.round(
                minutes / 60 * company.timebank_credit_reference_value
            )
            if company.timebank_credit_reference_currency_id
            else 0.0,
            "active_givers": len(given),
            "by_generation": dict(sorted(by_generation.items())),
            "by_age_band": dict(
                sorted(
                    by_age_band.items(),
                    key=lambda item: int(item[0].split("-")[0].rstrip("+")),
                )
            ),
            "by_gender": dict(sorted(by_gender.items())),
            "served_by_category": dict(sorted(served_by_category.items())),
            "given_received": {
                member: (given.get(member, 0), received.get(member, 0))
                for member in sorted(
                    set(given) | set(received), key=lambda m: -given.get(m, 0)
                )
            },
        }
