from odoo import fields, models


class TimebankRequest(models.Model):
    _inherit = "timebank.request"

    def _training_days(self):
        """{request id: the day on which its volunteer needs valid trainings}.

        The day of the earliest preferred time, in the request's time zone,
        or today when that day is past: the service records refuse a training
        that is not valid on the day they are submitted, verified or posted.
        """
        today = fields.Date.context_today(self)
        days = {}
        for request in self.sudo():
            day = today
            if request.date_from:
                local = fields.Datetime.context_timestamp(
                    request.with_context(tz=request.tz or "UTC"), request.date_from
                ).date()
                day = max(today, local)
            days[request.id] = day
        return days

    def _provider_refusals(self, member):
        """Also the trainings that the item requires from its volunteer, valid
        on the request's day (as the service records decide: a training record
        of that kind, passed by that day and not expired before it)."""
        refusals = super()._provider_refusals(member)
        request = self.sudo()
        required = request.item_id.required_training_kind_ids
        if not required:
            return refusals
        day = self._training_days()[self.id]
        checks = self.env["timebank.broker.check"]._records_of(
            member.partner_id, request.company_id
        )
        held = checks.filtered(
            lambda c: (
                c.kind == "training"
                and c.partner_id == member.partner_id
                and c.company_id == request.company_id
                and c._status_on(day) == "valid"
            )
        ).training_kind_id
        missing = required - held
        if missing:
            refusals.append(
                self.env._(
                    "%(member)s has no valid training %(kinds)s, which %(item)s "
                    "requires.",
                    member=member.display_name,
                    kinds=", ".join(missing.sorted("name").mapped("name")),
                    item=request.item_id.name,
                )
            )
        return refusals
