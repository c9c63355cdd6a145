from datetime import date, datetime, time, timedelta

from odoo.tests import tagged

from .common import TrainingMatchingCase


@tagged("post_install", "-at_install")
class TestTrainingRanking(TrainingMatchingCase):
    def _ranked_many(self, requests):
        """{request: member ids ranked}, the requests ranked in one batch."""
        ranking = self.env["timebank.matching.engine"]._rank(requests, 50)
        return {
            request: [row["member_id"] for row in ranking[request]]
            for request in requests
        }

    def _on(self, days, hours=2):
        """A request for the escort at 9:00 (UTC), ``days`` from today."""
        start = datetime.combine(date.today() + timedelta(days=days), time(9))
        return self._request(item=self.escort, start=start, hours=hours)

    def test_only_volunteers_holding_the_training_are_ranked(self):
        request = self._request(item=self.escort)
        ranked = self._ranked_many(request)[request]
        # neither the untrained, the expired, the lapsing, the other
        # training, nor the suspended member
        self.assertEqual(ranked, [self.trained.id, self.soon.id])

    def test_training_valid_on_the_request_day(self):
        later = self._on(40)
        # a request whose time has begun: its day is today
        begun = self._on(-1, hours=72)
        ranked = self._ranked_many(later | begun)
        self.assertEqual(ranked[later], [self.trained.id, self.soon.id])
        self.assertEqual(ranked[begun], [self.lapsing.id, self.trained.id])

    def test_every_required_training(self):
        self.escort.required_training_kind_ids = self.first_aid | self.dementia
        request = self._request(item=self.escort)
        self.assertEqual(self._ranked_many(request)[request], [])
        self._training(self.soon, kind=self.dementia)
        self.assertEqual(self._ranked_many(request)[request], [self.soon.id])

    def test_archived_requirement_no_longer_required(self):
        # as the service records: an archived training kind is not required
        self.first_aid.active = False
        request = self._request(item=self.escort)
        self.assertIn(self.untrained.id, self._ranked_many(request)[request])

    def test_items_without_requirements_unchanged(self):
        request = self._request()
        engine = self.env["timebank.matching.engine"]
        self.assertEqual(engine._allowed_members(self.bank_a, request), {})
        ranked = self._ranked_many(request)[request]
        for volunteer in (
            self.untrained,
            self.expired,
            self.lapsing,
            self.trained,
            self.soon,
            self.other_kind,
        ):
            self.assertIn(volunteer.id, ranked)
        self.assertNotIn(self.suspended.id, ranked)

    def test_each_bank_its_own_trainings(self):
        requester_b = self._volunteer("Elder Bo", bank=self.bank_b)
        trained_b = self._volunteer("Trained Bao", bank=self.bank_b)
        untrained_b = self._volunteer("Untrained Bing", bank=self.bank_b)
        first_aid_b = self.env["timebank.training.kind"].create(
            {"name": "First aid", "company_id": self.bank_b.id}
        )
        self._training(trained_b, kind=first_aid_b)
        # trained in bank A and a member of bank B too: not trained in bank B
        self.env["timebank.member"].with_company(self.bank_b).create(
            {"partner_id": self.trained.partner_id.id, "company_id": self.bank_b.id}
        ).action_activate()
        category_b = self.env["timebank.service.category"].create(
            {"name": "Care", "company_id": self.bank_b.id}
        )
        escort_b = self.env["timebank.service.item"].create(
            {
                "name": "Escort in bank B",
                "category_id": category_b.id,
                "company_id": self.bank_b.id,
                "required_training_kind_ids": [(6, 0, first_aid_b.ids)],
            }
        )
        request_a = self._request(item=self.escort)
        request_b = self._request(item=escort_b, member=requester_b)
        ranked = self._ranked_many(request_a | request_b)
        self.assertEqual(ranked[request_a], [self.trained.id, self.soon.id])
        self.assertEqual(ranked[request_b], [trained_b.id])
        self.assertNotIn(untrained_b.id, ranked[request_b])

    def test_candidates_found_by_the_broker(self):
        request = self._request(item=self.escort)
        request.action_publish()
        request.with_user(self.broker).action_find_candidates()
        self.assertEqual(
            request.candidate_ids.sorted("rank").member_id, self.trained | self.soon
        )
