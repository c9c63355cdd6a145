from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

IDENTITY_DOCUMENTS = [
    ("id_card", "National ID card"),
    ("health_card", "Health insurance card"),
    ("residence_permit", "Residence permit"),
    ("passport", "Passport"),
    ("known_in_person", "Known in person by the broker"),
    ("other", "Other document"),
]


class TimebankMember(models.Model):
    """The registry of seed 002: who the member is (checked by a broker), what
    they can do, what they like to exchange, reviewed every year."""

    _inherit = "timebank.member"  # pylint: disable=consider-merging-classes-inherited
    _guarded_fields = (
        "identity_verified_by_id",
        "identity_verified_on",
        "registry_reviewed_by_id",
        "registry_reviewed_on",
    )

    identity_document = fields.Selection(
        IDENTITY_DOCUMENTS,
        string="Identity Checked With",
        tracking=True,
        help="The document a broker saw to check who the member is (its number is "
        "not kept).",
    )
    identity_verified_by_id = fields.Many2one(
        "res.users", string="Identity Checked By", readonly=True, copy=False
    )
    identity_verified_on = fields.Date(
        string="Identity Checked On", readonly=True, copy=False
    )
    ability_assessment = fields.Text(
        tracking=True,
        help="What the member can do and their limits (physical effort, driving, "
        "heavy loads, stairs...), as the broker assessed with them.",
    )
    preferred_item_ids = fields.Many2many(
        "timebank.service.item",
        "timebank_member_preferred_item_rel",
        "member_id",
        "item_id",
        string="Likes to Give",
        help="Services the member prefers to give.",
    )
    wanted_item_ids = fields.Many2many(
        "timebank.service.item",
        "timebank_member_wanted_item_rel",
        "member_id",
        "item_id",
        string="Likes to Receive",
        help="Services the member expects to ask for.",
    )
    exchange_preferences = fields.Text(
        help="Other preferences: times, distance, with whom (for instance a "
        "volunteer of the same gender), languages.",
    )
    registry_reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    registry_reviewed_on = fields.Date(readonly=True, copy=False)
    registry_review_due = fields.Date(
        compute="_compute_registry_review_due",
        store=True,
        help="A year after the last review (or after joining): skills, "
        "availability, abilities and preferences are checked again with the "
        "member.",
    )

    @api.depends("registry_reviewed_on", "join_date", "create_date")
    def _compute_registry_review_due(self):
        for member in self:
            last = (
                member.registry_reviewed_on
                or member.join_date
                or (member.create_date and member.create_date.date())
            )
            member.registry_review_due = last and last + relativedelta(years=1)

    def _check_registry_broker(self):
        if not (self.env.su or self._is_broker()):
            raise AccessError(
                _("Only a broker checks a member's identity or reviews the registry.")
            )

    def _is_broker(self):
        return self.env.user.has_group("timebank_core.group_timebank_broker")

    def action_verify_identity(self):
        self._check_registry_broker()
        missing = self.filtered(lambda m: not m.identity_document)
        if missing:
            raise UserError(
                _(
                    "Choose the document you saw for %(members)s before marking the "
                    "identity checked.",
                    members=", ".join(missing.mapped("display_name")),
                )
            )
        self._guarded_write(
            {
                "identity_verified_by_id": self.env.user.id,
                "identity_verified_on": fields.Date.context_today(self),
            }
        )
        for member in self:
            member.message_post(
                body=_(
                    "Identity checked with: %(document)s.",
                    document=dict(
                        self._fields["identity_document"]._description_selection(
                            self.env
                        )
                    )[member.identity_document],
                )
            )
        return True

    def action_registry_reviewed(self):
        """The broker went through the registry with the member this year."""
        self._check_registry_broker()
        self._guarded_write(
            {
                "registry_reviewed_by_id": self.env.user.id,
                "registry_reviewed_on": fields.Date.context_today(self),
            }
        )
        self.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("timebank_core.mail_activity_registry_review")
            )
        ).action_feedback(feedback=_("Registry reviewed."))
        return True

    @api.model
    def _cron_registry_review(self):
        """Daily: a to-do for a broker of the bank for each review due, once."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref("timebank_core.mail_activity_registry_review")
        due = self.search(
            [("state", "=", "active"), ("registry_review_due", "<=", today)]
        ).filtered(lambda m: activity_type not in m.activity_ids.activity_type_id)
        brokers = {}
        for member in due:
            bank = member.company_id
            if bank not in brokers:
                brokers[bank] = bank._timebank_broker()
            member.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=today,
                user_id=brokers[bank].id,
                note=_(
                    "The yearly review of the registry is due: skills, "
                    "availability, abilities and exchange preferences."
                ),
            )
        return len(due)
