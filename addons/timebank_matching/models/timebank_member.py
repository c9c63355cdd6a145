import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .timebank_matching_engine import unit_vector

_logger = logging.getLogger(__name__)

# the public geocoder asks for at most one address a second: a daily batch
GEOLOCALIZE_BATCH = 100
# an address that could not be found is tried again after this many days
GEOLOCALIZE_RETRY_DAYS = 30

PLACE_HELP = (
    "Point of the member's place on the unit sphere, kept up to date from the "
    "coordinates of the contact, so that the matching engine does not recompute it "
    "for every member at every ranking. All three are 0 when the contact has no "
    "coordinates."
)


class TimebankMember(models.Model):
    _inherit = "timebank.member"
    _guarded_fields = ("geolocalize_tried_on",)

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

    has_position = fields.Boolean(
        string="On the Map",
        compute="_compute_matching_place",
        store=True,
        help="The address has a position, so that distances to this member are known.",
    )
    geolocalize_tried_on = fields.Date(
        string="Located On",
        readonly=True,
        copy=False,
        help="When the address was last looked up on the map.",
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
            member.has_position = bool(latitude or longitude)

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

    # ---------------------------------------------------------------- the map
    def _geolocalize(self):
        """Look the members' addresses up with Odoo's geocoder (base_geolocalize).

        :return: (located members, members not found); raises UserError when the
            geocoder cannot be reached
        """
        located = self.browse()
        for member in self:
            partner = member.partner_id.sudo().with_context(
                force_geo_localize=True, lang="en_US"
            )
            result = partner._geo_localize(
                partner.street or "",
                partner.zip or "",
                partner.city or "",
                partner.state_id.name or "",
                partner.country_id.name or "",
            )
            if result:
                partner.write(
                    {
                        "partner_latitude": result[0],
                        "partner_longitude": result[1],
                        "date_localization": fields.Date.context_today(member),
                    }
                )
                located |= member
            member.sudo()._guarded_write(
                {"geolocalize_tried_on": fields.Date.context_today(member)}
            )
        return located, self - located

    def action_geolocalize(self):
        """A broker places the members' addresses on the map."""
        if not self.env.user.has_group("timebank_core.group_timebank_broker"):
            raise AccessError(self.env._("Only a broker places members on the map."))
        self.check_access("write")
        todo = self.filtered(lambda m: not m.has_position)
        if not todo:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "message": self.env._("These members are already on the map."),
                    "type": "info",
                },
            }
        try:
            located, missing = todo._geolocalize()
        except UserError as error:
            raise UserError(
                self.env._(
                    "The map service could not be reached (%(reason)s). Distances "
                    "to these members stay unknown until it can.",
                    reason=error.args[0],
                )
            ) from error
        if missing:
            message = self.env._(
                "No position found for the address of %(members)s: check the "
                "street and city. Distances to them stay unknown.",
                members=", ".join(missing.mapped("display_name")),
            )
            kind = "warning"
        else:
            message = self.env._(
                "%(members)s placed on the map.",
                members=", ".join(located.mapped("display_name")),
            )
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": bool(missing)},
        }

    @api.model
    def _geolocalize_due(self):
        """The next members to place on the map, oldest attempts first."""
        retry = fields.Date.context_today(self) - timedelta(days=GEOLOCALIZE_RETRY_DAYS)
        return self.sudo().search(
            [
                ("state", "=", "active"),
                ("has_position", "=", False),
                "|",
                ("partner_id.street", "!=", False),
                ("partner_id.city", "!=", False),
                "|",
                ("geolocalize_tried_on", "=", False),
                ("geolocalize_tried_on", "<", retry),
            ],
            limit=GEOLOCALIZE_BATCH,
            order="geolocalize_tried_on asc nulls first, id",
        )

    @api.model
    def _cron_timebank_geolocalize(self):
        """Daily: place on the map the active members with an address and no
        position (tried again a month after an address was not found); stops at
        once while the map service cannot be reached."""
        members = self._geolocalize_due()
        located = self.browse()
        for done, member in enumerate(members, 1):
            try:
                located |= member._geolocalize()[0]
            except UserError as error:
                _logger.info(
                    "Map service unreachable, %d members left: %s",
                    len(members) - done + 1,
                    error,
                )
                break
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(members) - done
            )
        return located
