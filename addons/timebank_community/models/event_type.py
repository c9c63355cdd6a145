from odoo import fields, models


class EventType(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "event.type"

    timebank_gathering = fields.Boolean(
        string="Time Bank Gathering",
        help="Events of this template are gatherings of a time bank: its brokers "
        "invite the members, and the members answer in the portal.",
    )
