from odoo import api, models
from odoo.tools import SQL


class TimebankMatchingEngine(models.AbstractModel):
    _inherit = "timebank.matching.engine"

    @api.model
    def _allowed_members(self, company, requests):
        """Also: for a service that requires trainings, only the members
        holding each of them."""
        allowed = super()._allowed_members(company, requests)
        return self._restrict(allowed, self._trained_members(company, requests))

    @api.model
    def _trained_members(self, company, requests):
        """For each request of ``company`` whose item requires trainings, the
        active members of the bank holding a valid training of each required
        kind on the request's day: one query for the batch.

        Valid as ``timebank.broker.check._status_on`` decides: a record of
        kind training, of that training kind, of the person in the bank,
        passed on or before the day and expiring on or after it (or never).

        :return: {request id: set of member ids}
        """
        days = requests._training_days()
        needs = [
            (request.id, kind.id, days[request.id])
            for request in requests.sudo()
            for kind in request.item_id.required_training_kind_ids
        ]
        if not needs:
            return {}
        self.env["timebank.broker.check"].flush_model(
            (
                "kind",
                "training_kind_id",
                "partner_id",
                "company_id",
                "date",
                "expiry_date",
            )
        )
        self.env["timebank.member"].flush_model(["partner_id", "company_id", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH needs AS (
                    SELECT * FROM unnest(%(requests)s::int[], %(kinds)s::int[],
                                         %(days)s::date[])
                        AS n(request_id, kind_id, day)
                ),
                needed AS (
                    SELECT request_id, count(*) AS kinds
                      FROM needs GROUP BY request_id
                )
                SELECT n.request_id, m.id
                  FROM needs n
                  JOIN timebank_broker_check c
                    ON c.training_kind_id = n.kind_id
                   AND c.kind = 'training'
                   AND c.company_id = %(company)s
                   AND c.date <= n.day
                   AND (c.expiry_date IS NULL OR c.expiry_date >= n.day)
                  JOIN timebank_member m
                    ON m.partner_id = c.partner_id
                   AND m.company_id = %(company)s
                   AND m.state = 'active'
                  JOIN needed k ON k.request_id = n.request_id
                 GROUP BY n.request_id, m.id, k.kinds
                HAVING count(DISTINCT n.kind_id) = k.kinds
                """,
                requests=[need[0] for need in needs],
                kinds=[need[1] for need in needs],
                days=[need[2] for need in needs],
                company=company.id,
            )
        )
        trained = {request_id: set() for request_id, _kind, _day in needs}
        for request_id, member_id in rows:
            trained[request_id].add(member_id)
        return trained
