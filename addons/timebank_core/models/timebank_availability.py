from odoo import _, fields, models


class TimebankAvailability(models.Model):
    _name = "timebank.availability"
    _description = "Weekly Availability"
    _inherit = ["timebank.weekly.slot"]
    _order = "partner_id, weekday, hour_from"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )

    def _hours_error(self):
        return _(
            "Availability of %(person)s: the start time must come before "
            "the end time, within one day (00:00 to 24:00).",
            person=self.partner_id.display_name,
        )
