from odoo import api, fields, models

NOTICE_STATES = [
    ("announced", "Announced"),
    ("expired", "Expired"),
]


class TimebankExpiryNotice(models.Model):
    """A member told that credits will expire on a date.

    Credits never expire unannounced: the expiry job first tells the member
    (e-mail, or a letter for a paper-first member) what expires and when, at
    least the bank's warning days ahead, and posts the expiry only on or after
    that date, never more than was announced, and only once.
    """

    _name = "timebank.expiry.notice"
    _description = "Time Bank Expiry Notice"
    _inherit = ["timebank.guarded.mixin"]
    _order = "notice_date desc, id desc"
    _check_company_auto = True
    _guarded_fields = (
        "member_id",
        "account_id",
        "company_id",
        "notice_date",
        "expiry_date",
        "covers_through",
        "minutes",
        "channel",
        "state",
        "entry_id",
        "expired_minutes",
    )

    member_id = fields.Many2one(
        "timebank.member",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    account_id = fields.Many2one(
        "timebank.account", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", string="Time Bank", required=True, readonly=True, index=True
    )
    notice_date = fields.Date(
        string="Announced On", required=True, readonly=True, index=True
    )
    expiry_date = fields.Date(
        string="Expires On",
        required=True,
        readonly=True,
        index=True,
        help="Nothing announced here expires before this date.",
    )
    covers_through = fields.Date(
        string="Credits Expiring Through",
        required=True,
        readonly=True,
        help="The notice announces the credits whose own expiry date is this day "
        "or earlier.",
    )
    minutes = fields.Integer(
        string="Announced",
        required=True,
        readonly=True,
        help="At most this much expires on the date: less if the member uses "
        "credits before.",
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("letter", "Letter")],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        NOTICE_STATES, default="announced", required=True, readonly=True, index=True
    )
    entry_id = fields.Many2one(
        "timebank.entry", string="Expiry Entry", readonly=True, index="btree_not_null"
    )
    expired_minutes = fields.Integer(
        string="Expired Time",
        readonly=True,
        help="What expired on the date: what was announced, less what the member "
        "used in time.",
    )

    def _guarded_hint(self):
        return self.env._("Expiry notices are written by the daily expiry job only.")

    @api.depends("member_id", "expiry_date")
    def _compute_display_name(self):
        for notice in self:
            notice.display_name = "%s: %s" % (
                notice.member_id.display_name,
                notice.expiry_date or "",
            )
