from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestRequestOutcome(MatchingCase):
    """Needs met and unmet, by item and channel, for the brokers' pivot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bo = cls._volunteer("Bo")
        cls.repair = cls._service_item("Repair", category="Home")

    def _done(self, request, start):
        as_broker = request.with_user(self.broker)
        as_broker.action_publish()
        as_broker.action_assign(self.bo)
        with freeze_time(start):
            as_broker.action_check_in()
        with freeze_time(start + timedelta(minutes=60)):
            as_broker.action_check_out()
        with freeze_time(start + timedelta(minutes=70)):
            as_broker.action_done()
        return request.exchange_id

    def test_outcomes(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)
        met = self._request(start=start, intake_channel="phone")
        service = self._done(met, start)
        self.assertEqual(met.outcome, "in_progress", "the service is not posted yet")
        with freeze_time(start + timedelta(hours=2)):
            service.with_user(self.broker).action_confirm("phone")
            service.with_user(self.broker_2).action_verify()
            service.with_user(self.broker_2).action_post()
        self.assertEqual(met.outcome, "met")

        later = start + timedelta(hours=3)
        refused = self._request(start=later, intake_channel="phone")
        self._done(refused, later).with_user(self.manager).write(
            {"reason": "Never took place."}
        )
        refused.exchange_id.with_user(self.manager).action_reject()
        self.assertEqual(refused.outcome, "unmet")

        cancelled = self._request(item=self.repair, intake_channel="walk_in")
        cancelled.with_user(self.broker).action_publish()
        cancelled.with_user(self.broker).action_cancel()
        self.assertEqual(cancelled.outcome, "unmet")
        open_need = self._request(item=self.repair, intake_channel="walk_in")
        open_need.with_user(self.broker).action_publish()
        self.assertEqual(open_need.outcome, "in_progress")
        self.assertEqual(self._request().outcome, "not_published")

        groups = (
            self.env["timebank.request"]
            .with_user(self.broker)
            ._read_group(
                [("company_id", "=", self.bank_a.id)],
                ["item_id", "outcome"],
                ["__count"],
            )
        )
        self.assertEqual(
            {(item.name, outcome): count for item, outcome, count in groups},
            {
                ("Shopping", "met"): 1,
                ("Shopping", "unmet"): 1,
                ("Shopping", "not_published"): 1,
                ("Repair", "unmet"): 1,
                ("Repair", "in_progress"): 1,
            },
        )
        views = (
            self.env["timebank.request"]
            .with_user(self.broker)
            .get_views([(False, "pivot"), (False, "graph")])
        )
        self.assertIn("outcome", views["views"]["pivot"]["arch"])
