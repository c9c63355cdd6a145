from odoo import api, fields, models
from odoo.exceptions import ValidationError

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class TimebankWeeklySlot(models.AbstractModel):
    """A time of the week: a weekday and hours within that day."""

    _name = "timebank.weekly.slot"
    _description = "Time of the Week"

    weekday = fields.Selection(WEEKDAYS, required=True, default="0")
    hour_from = fields.Float(string="From", required=True, default=9.0)
    hour_to = fields.Float(string="To", required=True, default=12.0)

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for slot in self:
            if not 0 <= slot.hour_from < slot.hour_to <= 24:
                raise ValidationError(slot._hours_error())
        return True

    def _hours_error(self):
        """The refusal of hours that are not in order within one day."""
        raise NotImplementedError
