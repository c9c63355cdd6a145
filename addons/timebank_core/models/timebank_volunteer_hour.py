from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class TimebankVolunteerHour(models.Model):
    """Certified volunteer service: recorded apart, it never earns time credits."""

    _name = "timebank.volunteer.hour"
    _description = "Volunteer Hours"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "date_start desc, id desc"

    member_id = fields.Many2one(
        "timebank.member",
        string="Volunteer",
        required=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date_start = fields.Datetime(string="Start", required=True)
    date_end = fields.Datetime(string="End", required=True)
    minutes = fields.Integer(compute="_compute_minutes", store=True)
    activity = fields.Char(required=True, help="What the volunteer did.")
    organisation = fields.Char(help="Who organised and certifies the service.")
    certificate = fields.Char(string="Certificate Reference")

    @api.depends("date_start", "date_end")
    def _compute_minutes(self):
        for hour in self:
            if hour.date_start and hour.date_end and hour.date_end > hour.date_start:
                hour.minutes = int(
                    (hour.date_end - hour.date_start).total_seconds() // 60
                )
            else:
                hour.minutes = 0

    @api.constrains("date_start", "date_end", "member_id")
    def _check_apart_from_exchanges(self):
        for hour in self:
            if hour.date_end <= hour.date_start:
                raise ValidationError(
                    _("The volunteer service must end after it starts.")
                )
            exchange = (
                self.env["timebank.exchange"]
                .sudo()
                .search(
                    [
                        ("provider_id", "=", hour.member_id.id),
                        ("state", "not in", ("rejected", "cancelled")),
                        ("date_start", "<", hour.date_end),
                        ("date_end", ">", hour.date_start),
                    ],
                    limit=1,
                )
            )
            if exchange:
                raise ValidationError(
                    _(
                        "%(member)s already records this time as a time bank service "
                        "(%(service)s): the same hours cannot also count as volunteer "
                        "hours.",
                        member=hour.member_id.display_name,
                        service=exchange.display_name,
                    )
                )
