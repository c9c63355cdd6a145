from odoo import api, fields, models

from .timebank_matching_engine import unit_vector

PLACE_HELP = (
    "Point of the member's place on the unit sphere, kept up to date from the "
    "coordinates of the contact, so that the matching engine does not recompute it "
    "for every member at every ranking. All three are 0 when the contact has no "
    "coordinates."
)


class TimebankMember(models.Model):
    _inherit = "timebank.member"

    request_count = fields.Integer(string="Needs", compute="_compute_request_count")

    matching_x = fields.Float(
        string="Place X (matching)",
        compute="_compute_matching_place",
        store=True,
        help=PLACE_HELP,
    )
    matching_y = fields.Float(
        string="Place Y (matching)",
        compute="_compute_matching_place",
        store=True,
        help=PLACE_HELP,
    )
    matching_z = fields.Float(
        string="Place Z (matching)",
        compute="_compute_matching_place",
        store=True,
        help=PLACE_HELP,
    )

    # the generation depends on the day, so it is worked out at each ranking
    # from the birth date, which is kept here to spare a join to the contacts
    matching_birthdate = fields.Date(
        string="Birth Date (matching)",
        related="partner_id.birthdate_date",
        store=True,
        help="The birth date of the contact, kept on the member for the matching "
        "engine, which works out the generation from it at each ranking.",
    )

    @api.depends("partner_id.partner_latitude", "partner_id.partner_longitude")
    def _compute_matching_place(self):
        for member in self:
            latitude = member.partner_id.partner_latitude
            longitude = member.partner_id.partner_longitude
            if latitude or longitude:
                vector = unit_vector(latitude, longitude)
            else:
                vector = (0.0, 0.0, 0.0)
            member.matching_x, member.matching_y, member.matching_z = vector

    def _compute_request_count(self):
        counts = dict(
            self.env["timebank.request"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.request_count = counts.get(member, 0)

    def action_view_requests(self):
        """The needs the member asked for."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_matching.timebank_request_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action
