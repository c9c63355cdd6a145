from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

DIRECTIONS = [
    ("service", "The person helped rates the service"),
    ("visit", "The volunteer rates the visit"),
]
SCORES = [
    ("1", "1 - Very bad"),
    ("2", "2 - Bad"),
    ("3", "3 - Acceptable"),
    ("4", "4 - Good"),
    ("5", "5 - Very good"),
]
# a rating of 4 or 5 counts as satisfied in the indicators
SATISFIED_FROM = 4
BROKER = "timebank_core.group_timebank_broker"


class TimebankRating(models.Model):
    """What one side of a posted service says of the other.

    Both directions (seed 001: credit evaluation of providers and receivers;
    seed 003: satisfaction): the person helped rates the service and its
    volunteer, the volunteer rates the visit and the person helped. A rating is
    given once, by the rater, their proxy or a broker who writes down what the
    rater said, and never changes: it is part of the member's record of
    conduct that brokers read. Private by default: the rated member sees it
    only when the rater shares it.
    """

    _name = "timebank.rating"
    _description = "Time Bank Rating"
    _inherit = ["timebank.guarded.mixin"]
    _order = "id desc"
    _rec_name = "exchange_id"
    _check_company_auto = True
    _guarded_fields = (
        "exchange_id",
        "direction",
        "rater_id",
        "rated_id",
        "score",
        "comment",
        "shared",
        "entered_by_id",
        "channel",
    )

    exchange_id = fields.Many2one(
        "timebank.exchange",
        string="Service",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="exchange_id.company_id", store=True, index=True, string="Bank"
    )
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True)
    rater_id = fields.Many2one(
        "timebank.member",
        string="Rated By",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    rated_id = fields.Many2one(
        "timebank.member",
        string="Member Rated",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    score = fields.Selection(SCORES, string="Rating", required=True, readonly=True)
    score_value = fields.Integer(
        string="Rating Value", compute="_compute_score_value", store=True
    )
    satisfied = fields.Boolean(compute="_compute_score_value", store=True)
    comment = fields.Text(readonly=True)
    shared = fields.Boolean(
        string="Shared With the Member Rated",
        readonly=True,
        help="The rater let the member rated read this rating. Otherwise only "
        "the rater and the brokers read it.",
    )
    entered_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    channel = fields.Selection(
        [
            ("self", "By the member"),
            ("proxy", "By the member's proxy"),
            ("broker", "Written down by a broker"),
        ],
        readonly=True,
    )

    _sql_constraints = [
        (
            "one_per_side",
            "unique(exchange_id, direction)",
            "Each side of a service rates it once.",
        ),
    ]

    @api.depends("score")
    def _compute_score_value(self):
        for rating in self:
            rating.score_value = int(rating.score or 0)
            rating.satisfied = rating.score_value >= SATISFIED_FROM

    def _guarded_hint(self):
        return _(
            "A rating is given once on a posted service, from the member's time "
            "bank page or with Record a Rating, and never changes afterwards."
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _(
                "A rating is part of the members' record of conduct and cannot be "
                "deleted."
            )
        )


class TimebankExchange(models.Model):
    _inherit = "timebank.exchange"  # pylint: disable=consider-merging-classes-inherited

    rating_ids = fields.One2many("timebank.rating", "exchange_id", string="Ratings")

    def _rating_sides(self, direction):
        """(rater, rated) of ``direction``."""
        self.ensure_one()
        service = self.sudo()
        if direction == "service":
            return service.receiver_id, service.provider_id
        return service.provider_id, service.receiver_id

    def _rating_channel(self, rater):
        """How the current user may rate for ``rater``: self, proxy or broker,
        or None when they may not."""
        if self.env.su:
            return "broker"
        if rater.sudo().partner_id == self.env.user.partner_id:
            return "self"
        if rater._timebank_proxy_allows("confirm") or rater._timebank_proxy_allows(
            "request"
        ):
            return "proxy"
        if self.env.user.has_group(BROKER):
            return "broker"
        return None

    def _rating_open_sides(self, raters):
        """{service id: direction} of the posted services of ``self`` that the
        current user may still rate for one of ``raters`` (the user's own
        memberships, or the person they act for): one query for the ratings
        given, one proxy check per rater."""
        posted = self.filtered(lambda e: e.state == "posted")
        given = {
            (rating.exchange_id.id, rating.direction)
            for rating in self.env["timebank.rating"]
            .sudo()
            .search([("exchange_id", "in", posted.ids)])
        }
        partner = self.env.user.partner_id
        may = {}

        def allowed(rater):
            if rater not in may:
                may[rater] = self._rating_channel(rater) in ("self", "proxy")
            return may[rater]

        sides = {}
        for exchange in posted:
            for direction in ("service", "visit"):
                rater, rated = exchange._rating_sides(direction)
                if (
                    rater
                    and rated
                    and rater in raters
                    and rated.partner_id != partner
                    and (exchange.id, direction) not in given
                    and allowed(rater)
                ):
                    sides[exchange.id] = direction
        return sides

    def action_open_rating_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.rating.wizard",
            "view_mode": "form",
            "target": "new",
            "name": _("Record a Rating"),
            "context": {"default_exchange_id": self.id},
        }

    def action_give_rating(self, direction, score, comment=None, shared=False):
        """Rate a posted service: ``direction`` ``service`` (the person helped
        rates it) or ``visit`` (the volunteer rates it), ``score`` 1 to 5.

        The rater, their proxy (who may confirm or request services for them)
        or a broker writing down what the rater said; once per side.
        """
        self.ensure_one()
        if direction not in dict(DIRECTIONS):
            raise UserError(
                _(
                    "Say which side rates: %(directions)s.",
                    directions=", ".join(
                        f"{key} ({label})"
                        for key, label in self.env["timebank.rating"]
                        ._fields["direction"]
                        ._description_selection(self.env)
                    ),
                )
            )
        if (
            isinstance(score, bool)
            or not isinstance(score, int | str)
            or str(score) not in dict(SCORES)
        ):
            raise UserError(_("A rating is a whole number from 1 to 5."))
        if comment is not None and not isinstance(comment, str):
            raise UserError(_("The comment of a rating is a text."))
        self.check_access("read")
        # one rating per side, whoever races
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_exchange WHERE id = %s FOR NO KEY UPDATE",
                self.id,
            )
        )
        self.invalidate_recordset(["state"])
        if self.state != "posted":
            raise UserError(
                _(
                    "%(service)s is not posted yet: a service is rated once it is "
                    "posted.",
                    service=self.display_name,
                )
            )
        rater, rated = self._rating_sides(direction)
        if not (rater and rated):
            raise UserError(
                _(
                    "%(service)s was given to the community, paid by its pool: "
                    "there is no person helped to rate it or to be rated.",
                    service=self.display_name,
                )
            )
        if rated.sudo().partner_id == self.env.user.partner_id and not self.env.su:
            # as for the confirmation: nobody speaks for the other side of
            # their own service, as proxy or as broker
            raise AccessError(
                _(
                    "%(service)s is your own service: the other side rates it, not "
                    "you.",
                    service=self.display_name,
                )
            )
        channel = self._rating_channel(rater)
        if not channel:
            raise AccessError(
                _(
                    "Only %(rater)s, their proxy or a broker rates %(service)s from "
                    "this side.",
                    rater=rater.sudo().partner_id.name,
                    service=self.display_name,
                )
            )
        Rating = self.env["timebank.rating"].sudo()
        if Rating.search_count(
            [("exchange_id", "=", self.id), ("direction", "=", direction)]
        ):
            raise UserError(
                _(
                    "%(service)s is already rated from this side: a rating is "
                    "given once.",
                    service=self.display_name,
                )
            )
        rating = Rating._guarded_create(
            [
                {
                    "exchange_id": self.id,
                    "direction": direction,
                    "rater_id": rater.id,
                    "rated_id": rated.id,
                    "score": str(score),
                    "comment": (comment or "").strip() or False,
                    "shared": bool(shared),
                    "entered_by_id": self.env.uid,
                    "channel": channel,
                }
            ]
        )
        # the score stays with the rating, private unless shared
        self.sudo().message_post(
            body=_(
                "%(rater)s rated %(side)s.",
                rater=rater.sudo().partner_id.name,
                side=dict(rating._fields["direction"]._description_selection(self.env))[
                    direction
                ],
            ),
            subtype_xmlid="mail.mt_note",
        )
        return rating.with_env(self.env).id


class TimebankMember(models.Model):
    """The record of conduct: what the other side said of the member."""

    _inherit = "timebank.member"  # pylint: disable=consider-merging-classes-inherited

    rating_received_ids = fields.One2many(
        "timebank.rating",
        "rated_id",
        string="Ratings Received",
        groups=BROKER,
    )
    rating_given_ids = fields.One2many(
        "timebank.rating", "rater_id", string="Ratings Given", groups=BROKER
    )
    rating_as_volunteer = fields.Float(
        string="Rated as Volunteer",
        compute="_compute_rating_stats",
        digits=(3, 1),
        groups=BROKER,
        help="Average rating given to the services this member provided (1 to 5).",
    )
    rating_as_volunteer_count = fields.Integer(
        string="Ratings as Volunteer", compute="_compute_rating_stats", groups=BROKER
    )
    rating_as_receiver = fields.Float(
        string="Rated as Person Helped",
        compute="_compute_rating_stats",
        digits=(3, 1),
        groups=BROKER,
        help="Average rating the volunteers gave the visits to this member (1 to 5).",
    )
    rating_as_receiver_count = fields.Integer(
        string="Ratings as Person Helped",
        compute="_compute_rating_stats",
        groups=BROKER,
    )

    def _compute_rating_stats(self):
        groups = (
            self.env["timebank.rating"]
            .sudo()
            ._read_group(
                [("rated_id", "in", self.ids)],
                ["rated_id", "direction"],
                ["score_value:avg", "__count"],
            )
        )
        stats = {
            (member.id, direction): (avg, n) for member, direction, avg, n in groups
        }
        for member in self:
            avg, count = stats.get((member.id, "service"), (0.0, 0))
            member.rating_as_volunteer = avg
            member.rating_as_volunteer_count = count
            avg, count = stats.get((member.id, "visit"), (0.0, 0))
            member.rating_as_receiver = avg
            member.rating_as_receiver_count = count
