from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class TimebankOffer(models.Model):
    _name = "timebank.offer"
    _description = "Time Bank Standing Offer"
    _inherit = ["mail.thread", "timebank.workflow.mixin"]
    _check_company_auto = True
    _order = "state, id desc"
    _workflow_records_key = "offers"
    _guarded_fields = ("state",)

    name = fields.Char(string="Offer", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    member_id = fields.Many2one(
        "timebank.member",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The member who offers to help.",
    )
    item_id = fields.Many2one(
        "timebank.service.item",
        string="Service",
        tracking=True,
        check_company=True,
        help="The service offered; leave empty for help described by skills.",
    )
    skill_ids = fields.Many2many(
        "timebank.skill",
        "timebank_offer_skill_rel",
        "offer_id",
        "skill_id",
        string="Skills",
    )
    slot_ids = fields.One2many(
        "timebank.offer.slot", "offer_id", string="When", copy=True
    )
    travel_radius_km = fields.Float(
        string="Travel Radius (km)",
        digits=(6, 1),
        tracking=True,
        help="How far the member goes to help; 0 means no limit.",
    )
    description = fields.Text()
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("closed", "Closed")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )

    @api.constrains("travel_radius_km")
    def _check_travel_radius(self):
        for offer in self:
            if offer.travel_radius_km < 0:
                raise ValidationError(
                    _("The travel radius cannot be negative; use 0 for no limit.")
                )

    def _guarded_hint(self):
        return _("An offer moves with its buttons (Publish, Close, Back to Draft).")

    def action_publish(self):
        self._check_state(
            ("draft",),
            _("Only a draft offer can be published: %(offers)s is %(state)s."),
        )
        inactive = self.sudo().member_id.filtered(lambda m: m.state != "active")
        if inactive:
            raise UserError(
                _(
                    "%(members)s is not an active member: the offer cannot be "
                    "published.",
                    members=", ".join(inactive.mapped("display_name")),
                )
            )
        self._guarded_write({"state": "published"})
        return True

    def action_close(self):
        self._check_state(
            ("published",),
            _("Only a published offer can be closed: %(offers)s is %(state)s."),
        )
        self._guarded_write({"state": "closed"})
        return True

    def action_draft(self):
        self._check_state(
            ("closed",),
            _("Only a closed offer returns to draft: %(offers)s is %(state)s."),
        )
        self._guarded_write({"state": "draft"})
        return True


class TimebankOfferSlot(models.Model):
    _name = "timebank.offer.slot"
    _description = "Weekly Time of a Standing Offer"
    _inherit = ["timebank.weekly.slot"]
    _order = "offer_id, weekday, hour_from"

    offer_id = fields.Many2one(
        "timebank.offer", required=True, ondelete="cascade", index=True
    )

    def _hours_error(self):
        return _(
            "Offer %(offer)s: the start time must come before the end "
            "time, within one day (00:00 to 24:00).",
            offer=self.offer_id.name,
        )
