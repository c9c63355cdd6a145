from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .timebank_member import GENERATIONS, MEMBER_STATES, SENSITIVE, age_on


class ResPartner(models.Model):
    _inherit = "res.partner"

    timebank_member_ids = fields.One2many(
        "timebank.member", "partner_id", string="Time Bank Memberships"
    )
    timebank_member_id = fields.Many2one(
        "timebank.member",
        string="Membership",
        compute="_compute_timebank_member",
        help="Membership in the current time bank.",
    )
    is_timebank_member = fields.Boolean(
        string="Time Bank Member",
        compute="_compute_timebank_member",
        search="_search_is_timebank_member",
        help="Has a membership that is not withdrawn in the current time bank.",
    )
    timebank_state = fields.Selection(
        MEMBER_STATES,
        string="Membership State",
        compute="_compute_timebank_member",
        search="_search_timebank_state",
    )
    timebank_balance = fields.Integer(
        string="Time Credits",
        compute="_compute_timebank_balance",
        help="Balance in minutes in the current time bank.",
    )
    # Person
    birthdate_date = fields.Date(string="Birth Date", groups=SENSITIVE)
    timebank_age = fields.Integer(
        string="Age", compute="_compute_timebank_age", groups=SENSITIVE
    )
    timebank_generation = fields.Selection(
        GENERATIONS,
        string="Generation",
        compute="_compute_timebank_age",
        search="_search_timebank_generation",
        groups=SENSITIVE,
        help="Cohort from the age, with the thresholds of the time bank settings.",
    )
    gender = fields.Selection(
        [
            ("female", "Female"),
            ("male", "Male"),
            ("other", "Other"),
            ("undisclosed", "Prefers not to say"),
        ],
        groups=SENSITIVE,
    )
    timebank_skill_ids = fields.Many2many(
        "timebank.skill",
        "res_partner_timebank_skill_rel",
        "partner_id",
        "skill_id",
        string="Skills",
    )
    timebank_language_ids = fields.Many2many("timebank.language", string="Languages")
    timebank_availability_ids = fields.One2many(
        "timebank.availability", "partner_id", string="Weekly Availability"
    )
    timebank_service_area = fields.Char(
        string="Service Area", help="Neighbourhood or district where this person helps."
    )
    # Care
    timebank_mobility = fields.Selection(
        [
            ("independent", "Independent"),
            ("walking_aid", "Walking aid"),
            ("wheelchair", "Wheelchair"),
            ("bedridden", "Bedridden"),
        ],
        string="Mobility",
        groups=SENSITIVE,
    )
    timebank_care_needs = fields.Text(string="Care Needs", groups=SENSITIVE)
    # Contact
    timebank_contact_channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("line", "LINE"),
            ("wechat", "WeChat"),
            ("email", "E-mail"),
            ("in_person", "In person"),
        ],
        string="Preferred Contact",
        default="phone",
    )
    timebank_messaging_id = fields.Char(
        string="LINE / WeChat ID", help="Account name on the messaging app."
    )
    # Proxy: a family member or neighbour who acts for this person
    timebank_proxy_id = fields.Many2one(
        "res.partner",
        string="Proxy",
        index="btree_not_null",
        help="Family member or neighbour who acts for this person.",
    )
    timebank_proxy_relation = fields.Selection(
        [
            ("family", "Family member"),
            ("neighbour", "Neighbour"),
            ("friend", "Friend"),
            ("caregiver", "Caregiver"),
            ("other", "Other"),
        ],
        string="Proxy Relation",
    )
    timebank_proxy_consent_date = fields.Date(
        string="Proxy Consent Date",
        help="Date the person agreed, on record, that the proxy acts for them.",
    )
    timebank_proxy_can_request = fields.Boolean(
        string="Proxy May Request Services", default=True
    )
    timebank_proxy_can_confirm = fields.Boolean(
        string="Proxy May Confirm Services", default=True
    )
    timebank_proxy_can_view = fields.Boolean(
        string="Proxy May See Balance and Statements", default=True
    )
    timebank_proxied_ids = fields.One2many(
        "res.partner", "timebank_proxy_id", string="Acts as Proxy For"
    )
    # Emergency contact
    timebank_emergency_name = fields.Char(string="Emergency Contact", groups=SENSITIVE)
    timebank_emergency_phone = fields.Char(string="Emergency Phone", groups=SENSITIVE)
    timebank_emergency_relation = fields.Char(
        string="Emergency Contact Relation", groups=SENSITIVE
    )
    # Privacy
    timebank_privacy_consent = fields.Boolean(
        string="Privacy Consent",
        help="The person agreed that the time bank keeps and uses their data.",
    )
    timebank_privacy_consent_date = fields.Date(string="Privacy Consent Date")

    @api.depends("timebank_member_ids.state", "timebank_member_ids.company_id")
    @api.depends_context("company")
    def _compute_timebank_member(self):
        company = self.env.company
        for partner in self:
            member = partner.timebank_member_ids.filtered(
                lambda m: m.company_id == company
            )[:1]
            partner.timebank_member_id = member
            partner.timebank_state = member.state
            partner.is_timebank_member = bool(member) and member.state != "withdrawn"

    @api.depends("timebank_member_ids.balance")
    @api.depends_context("company")
    def _compute_timebank_balance(self):
        """One query for the memberships, one for their accounts, however many."""
        members = (
            self.env["timebank.member"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id", "account_id"],
            )
        )
        members.account_id.fetch(["balance"])
        balances = {
            member.partner_id.id: member.account_id.balance for member in members
        }
        for partner in self:
            partner.timebank_balance = balances.get(partner.id, 0)

    def _search_is_timebank_member(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(_("Unsupported search on Time Bank Member."))
        positive = (operator == "=") == value
        domain = [
            ("company_id", "=", self.env.company.id),
            ("state", "!=", "withdrawn"),
        ]
        partner_ids = (
            self.env["timebank.member"]._search(domain).subselect("partner_id")
        )
        return [("id", "in" if positive else "not in", partner_ids)]

    def _search_timebank_state(self, operator, value):
        domain = [
            ("company_id", "=", self.env.company.id),
            ("state", operator, value),
        ]
        partner_ids = (
            self.env["timebank.member"]._search(domain).subselect("partner_id")
        )
        return [("id", "in", partner_ids)]

    @api.depends("birthdate_date")
    @api.depends_context("company")
    def _compute_timebank_age(self):
        today = fields.Date.context_today(self)
        company = self.env.company
        for partner in self:
            birthdate = partner.birthdate_date
            if not birthdate or birthdate > today:
                partner.timebank_age = 0
                partner.timebank_generation = False
                continue
            age = age_on(birthdate, today)
            partner.timebank_age = age
            partner.timebank_generation = company._timebank_generation_of_age(age)

    def _search_timebank_generation(self, operator, value):
        """Translate a generation into birth date bounds for the current bank."""
        if operator in ("=", "!="):
            values = [value]
        elif operator in ("in", "not in"):
            values = list(value)
        else:
            raise ValidationError(_("Unsupported search on Generation."))
        bounds = self.env.company._timebank_generation_birthdates(
            fields.Date.context_today(self)
        )
        domain = ["|"] * (len(values) - 1) if values else [("id", "=", 0)]
        for generation in values:
            born_after, born_on_or_before = bounds.get(generation, (None, None))
            clause = [("birthdate_date", "!=", False)]
            if born_after:
                clause.append(("birthdate_date", ">", born_after))
            if born_on_or_before:
                clause.append(("birthdate_date", "<=", born_on_or_before))
            domain += ["&"] * (len(clause) - 1) + clause
        if operator in ("!=", "not in"):
            domain = ["!", *domain]
        return domain

    @api.constrains("birthdate_date")
    def _check_birthdate_date(self):
        today = fields.Date.context_today(self)
        for partner in self:
            if partner.birthdate_date and partner.birthdate_date > today:
                raise ValidationError(
                    _(
                        "The birth date of %(person)s (%(date)s) is in the future.",
                        person=partner.display_name,
                        date=partner.birthdate_date,
                    )
                )

    @api.constrains(
        "timebank_proxy_id", "timebank_proxy_consent_date", "timebank_privacy_consent"
    )
    def _check_timebank_consents(self):
        today = fields.Date.context_today(self)
        for partner in self:
            if partner.timebank_proxy_id:
                if partner.timebank_proxy_id == partner:
                    raise ValidationError(
                        _("%(person)s cannot be their own proxy.", person=partner.name)
                    )
                if not partner.timebank_proxy_consent_date:
                    raise ValidationError(
                        _(
                            "Record the date %(person)s agreed that %(proxy)s acts "
                            "for them before naming the proxy.",
                            person=partner.name,
                            proxy=partner.timebank_proxy_id.name,
                        )
                    )
            for consent_date in (
                partner.timebank_proxy_consent_date,
                partner.timebank_privacy_consent_date,
            ):
                if consent_date and consent_date > today:
                    raise ValidationError(
                        _(
                            "A consent of %(person)s is dated in the future "
                            "(%(date)s).",
                            person=partner.name,
                            date=consent_date,
                        )
                    )

    @api.onchange("timebank_privacy_consent")
    def _onchange_timebank_privacy_consent(self):
        if self.timebank_privacy_consent and not self.timebank_privacy_consent_date:
            self.timebank_privacy_consent_date = fields.Date.context_today(self)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._timebank_date_consent(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._timebank_date_consent(vals)
        return super().write(vals)

    def _timebank_date_consent(self, vals):
        """A consent given without a date is dated today (paper forms, imports)."""
        if vals.get("timebank_privacy_consent") and not vals.get(
            "timebank_privacy_consent_date"
        ):
            vals["timebank_privacy_consent_date"] = fields.Date.context_today(self)
        elif (
            "timebank_privacy_consent" in vals and not vals["timebank_privacy_consent"]
        ):
            vals["timebank_privacy_consent_date"] = False
