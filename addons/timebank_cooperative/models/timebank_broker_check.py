from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

KINDS = [("background", "Background Check"), ("training", "Training")]


class TimebankBrokerCheck(models.Model):
    _name = "timebank.broker.check"
    _description = "Time Bank Background Check or Training"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "date desc, id desc"
    _guarded_fields = ("reminder_sent",)

    name = fields.Char(
        required=True,
        tracking=True,
        help="What was checked or taught, e.g. police record certificate, broker "
        "training course.",
    )
    kind = fields.Selection(KINDS, required=True, default="background", tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        tracking=True,
        help="The broker (the person of the user) or the volunteer checked or trained.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Broker",
        compute="_compute_user_id",
        store=True,
        help="The user of the person, when the person is a broker.",
    )
    date = fields.Date(
        string="Passed On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    expiry_date = fields.Date(
        string="Valid Until",
        tracking=True,
        help="Empty: it does not expire.",
    )
    training_kind_id = fields.Many2one(
        "timebank.training.kind",
        check_company=True,
        tracking=True,
        help="For a training: which training of the bank was completed (service "
        "items can require it from their volunteers).",
    )
    issuer = fields.Char(help="Who carried out the check or gave the training.")
    note = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Certificates")
    status = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired"), ("future", "Not Yet Valid")],
        compute="_compute_status",
        search="_search_status",
    )
    reminder_sent = fields.Boolean(copy=False, readonly=True)

    @api.depends("partner_id")
    def _compute_user_id(self):
        users = (
            self.env["res.users"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids), ("share", "=", False)])
        )
        by_partner = {user.partner_id: user for user in users}
        for check in self:
            check.user_id = by_partner.get(check.partner_id, False)

    @api.depends("date", "expiry_date")
    def _compute_status(self):
        today = fields.Date.context_today(self)
        for check in self:
            check.status = check._status_on(today)

    def _status_on(self, day):
        self.ensure_one()
        if self.date and self.date > day:
            return "future"
        if self.expiry_date and self.expiry_date < day:
            return "expired"
        return "valid"

    def _search_status(self, operator, value):
        if operator not in ("=", "!=") or value not in ("valid", "expired", "future"):
            raise ValidationError(_("Search the status with = or != a status."))
        today = fields.Date.context_today(self)
        domains = {
            "valid": [
                ("date", "<=", today),
                "|",
                ("expiry_date", "=", False),
                ("expiry_date", ">=", today),
            ],
            "expired": [("expiry_date", "<", today)],
            "future": [("date", ">", today)],
        }
        domain = domains[value]
        return (
            domain if operator == "=" else ["!", *expression.normalize_domain(domain)]
        )

    @api.constrains("date", "expiry_date")
    def _check_dates(self):
        for check in self:
            if check.expiry_date and check.expiry_date < check.date:
                raise ValidationError(
                    _(
                        "%(check)s of %(person)s would expire before it was passed.",
                        check=check.name,
                        person=check.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "The broker is the user of the person, and the reminder is marked by "
            "the daily reminder of the checks that expire soon."
        )

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        checks._sync_members_of(checks.partner_id, checks.company_id)
        return checks

    def write(self, vals):
        partners, companies = self.partner_id, self.company_id
        result = super().write(vals)
        if {"date", "expiry_date"} & set(vals):
            # new dates: a new reminder before the new expiry
            self.filtered("reminder_sent")._guarded_write({"reminder_sent": False})
        if {"partner_id", "company_id", "kind", "date", "expiry_date"} & set(vals):
            self._sync_members_of(
                partners | self.partner_id, companies | self.company_id
            )
        return result

    def unlink(self):
        partners, companies = self.partner_id, self.company_id
        result = super().unlink()
        self.env["timebank.broker.check"]._sync_members_of(partners, companies)
        return result

    # ------------------------------------------------------------------ business
    @api.model
    def _sync_members_of(self, partners, companies, clear_missing=True):
        """Copy the latest background check of each person onto their memberships.

        ``timebank.member`` keeps the dates of the background check in stored
        fields (core refuses services needing a check on them; matching filters
        on them); the check records are the source.
        """
        if not partners or not companies:
            return
        members = (
            self.env["timebank.member"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "in", companies.ids),
                ]
            )
        )
        if not members:
            return
        checks = self.sudo().search(
            [
                ("kind", "=", "background"),
                ("partner_id", "in", members.partner_id.ids),
                ("company_id", "in", members.company_id.ids),
            ],
            order="date desc, id desc",
        )
        latest = {}
        for check in checks:
            latest.setdefault((check.partner_id.id, check.company_id.id), check)
        for member in members:
            check = latest.get((member.partner_id.id, member.company_id.id))
            if not check and not clear_missing:
                continue
            vals = {
                "background_check_date": check.date if check else False,
                "background_check_expiry": check.expiry_date if check else False,
            }
            if (member.background_check_date, member.background_check_expiry) != (
                vals["background_check_date"],
                vals["background_check_expiry"],
            ):
                member._guarded_write(vals)

    @api.model
    def _missing_records(self, partner, company, kinds, person_label, checks=None):
        """Why ``partner`` may not act in ``company``: one sentence per kind
        without a valid record, naming the record that is missing or expired.

        ``checks``: the records of a batch already read (one query for all).
        """
        today = fields.Date.context_today(self)
        labels = dict(KINDS)
        if checks is None:
            checks = self._records_of(partner, company)
        checks = checks.filtered(
            lambda c: (
                c.partner_id == partner and c.company_id == company and c.kind in kinds
            )
        )
        problems = []
        for kind in kinds:
            of_kind = checks.filtered(lambda c, k=kind: c.kind == k)
            # the status is computed for today: the cache may hold another day's
            status = {check: check._status_on(today) for check in of_kind}
            if "valid" in status.values():
                continue
            expired = of_kind.filtered(lambda c, s=status: s[c] == "expired")
            future = of_kind.filtered(lambda c, s=status: s[c] == "future")
            if expired:
                problems.append(
                    _(
                        "The %(kind)s of %(person)s (%(record)s) expired on %(date)s.",
                        kind=labels[kind].lower(),
                        person=person_label,
                        record=expired[0].name,
                        date=expired[0].expiry_date,
                    )
                )
            elif future:
                problems.append(
                    _(
                        "The %(kind)s of %(person)s (%(record)s) is only valid "
                        "from %(date)s.",
                        kind=labels[kind].lower(),
                        person=person_label,
                        record=future[0].name,
                        date=future[0].date,
                    )
                )
            else:
                problems.append(
                    _(
                        "%(person)s has no %(kind)s recorded in %(bank)s.",
                        kind=labels[kind].lower(),
                        person=person_label,
                        bank=company.name,
                    )
                )
        return problems

    @api.model
    def _missing_trainings(self, exchanges, checks=None):
        """One sentence per provider lacking a valid training that the item of
        their service requires, naming the training."""
        today = fields.Date.context_today(self)
        exchanges = exchanges.sudo().filtered("item_id.required_training_kind_ids")
        if not exchanges:
            return []
        if checks is None:
            checks = self._records_of(
                exchanges.provider_id.partner_id, exchanges.company_id
            )
        problems = []
        for exchange in exchanges:
            for training in exchange.item_id.required_training_kind_ids:
                valid = checks.filtered(
                    lambda c, e=exchange, t=training: (
                        c.kind == "training"
                        and c.training_kind_id == t
                        and c.partner_id == e.provider_id.partner_id
                        and c.company_id == e.company_id
                        and c._status_on(today) == "valid"
                    )
                )
                if not valid:
                    problems.append(
                        _(
                            "%(item)s needs the training %(training)s, which "
                            "%(member)s has not completed or which is no longer "
                            "valid.",
                            item=exchange.item_id.name,
                            training=training.name,
                            member=exchange.provider_id.display_name,
                        )
                    )
        return problems

    @api.model
    def _records_of(self, partners, companies):
        return self.sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "in", companies.ids)],
            order="expiry_date desc, id desc",
        )

    @api.model
    def _cron_remind_expiry(self):
        """An activity on each check that expires soon, once per expiry date."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search([])
        checks = self.env["timebank.broker.check"]
        for company in companies:
            checks |= self.search(
                [
                    ("company_id", "=", company.id),
                    ("reminder_sent", "=", False),
                    ("expiry_date", ">=", today),
                    (
                        "expiry_date",
                        "<=",
                        today + timedelta(days=company.timebank_check_reminder_days),
                    ),
                ]
            )
        # a newer record of the same kind that is still valid later: no reminder
        renewed = self.search(
            [
                ("partner_id", "in", checks.partner_id.ids),
                ("id", "not in", checks.ids),
                "|",
                ("expiry_date", "=", False),
                ("expiry_date", ">", today),
            ]
        )
        for check in checks:
            if renewed.filtered(
                lambda r, c=check: (
                    r.partner_id == c.partner_id
                    and r.company_id == c.company_id
                    and r.kind == c.kind
                    and (not r.expiry_date or r.expiry_date > c.expiry_date)
                )
            ):
                continue
            check.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=check.expiry_date,
                summary=_("Renew before %(date)s", date=check.expiry_date),
                note=_(
                    "%(record)s of %(person)s expires on %(date)s: without a valid "
                    "one they cannot verify or post services.",
                    record=check.name,
                    person=check.partner_id.display_name,
                    date=check.expiry_date,
                ),
                user_id=(check.user_id or check.create_uid).id,
            )
        checks._guarded_write({"reminder_sent": True})
        return True
