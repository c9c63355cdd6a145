from odoo import SUPERUSER_ID, _, fields, models
from odoo.exceptions import UserError


class TimebankExchange(models.Model):
    _inherit = "timebank.exchange"

    dispute_ids = fields.One2many("timebank.dispute", "exchange_id", string="Disputes")
    dispute_count = fields.Integer(compute="_compute_dispute_count")

    def _compute_dispute_count(self):
        counts = dict(
            self.env["timebank.dispute"]._read_group(
                [("exchange_id", "in", self.ids)], ["exchange_id"], ["__count"]
            )
        )
        for exchange in self:
            exchange.dispute_count = counts.get(exchange, 0)

    def _check_broker_records(self):
        """The broker acting and the providers of items needing a background
        check hold a valid check (and the broker a valid training) in the bank.

        OdooBot (scheduled jobs, installation) is not a person and is not checked.
        """
        if self.env.uid == SUPERUSER_ID:
            return
        user = self.env.user
        companies = self.company_id.filtered("timebank_broker_check_required")
        providers_checked = self.sudo().filtered(
            lambda e: e.company_id in companies and e.item_id.requires_background_check
        )
        Check = self.env["timebank.broker.check"]
        # one query for the batch: the broker's records and the providers'
        checks = Check._records_of(
            user.partner_id | providers_checked.provider_id.partner_id, companies
        )
        problems = []
        for company in companies:
            problems += Check._missing_records(
                user.partner_id,
                company,
                ["background", "training"],
                _("the broker %(name)s", name=user.name),
                checks=checks,
            )
        for exchange in providers_checked:
            problems += Check._missing_records(
                exchange.provider_id.partner_id,
                exchange.company_id,
                ["background"],
                _(
                    "%(member)s, who provides %(item)s",
                    member=exchange.provider_id.display_name,
                    item=exchange.item_id.name,
                ),
                checks=checks,
            )
        if problems:
            raise UserError(
                _(
                    "This service cannot be verified or posted yet:\n%(problems)s",
                    problems="\n".join(dict.fromkeys(problems)),
                )
            )

    def _check_members_can_exchange(self):
        """Also the trainings the item requires from its volunteer."""
        result = super()._check_members_can_exchange()
        self._check_required_trainings()
        return result

    def _check_required_trainings(self):
        problems = self.env["timebank.broker.check"]._missing_trainings(self)
        if problems:
            raise UserError("\n".join(dict.fromkeys(problems)))

    def action_verify(self):
        self._check_broker_records()
        return super().action_verify()

    def action_post(self):
        self._check_broker_records()
        return super().action_post()

    def action_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_cooperative.timebank_dispute_action"
        )
        action["domain"] = [("exchange_id", "=", self.id)]
        action["context"] = {
            "default_exchange_id": self.id,
            "default_member_id": self.provider_id.id,
            "default_company_id": self.company_id.id,
        }
        return action
