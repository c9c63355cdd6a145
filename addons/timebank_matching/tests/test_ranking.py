from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.timebank_matching.models.timebank_matching_engine import (
    TimebankMatchingEngine,
)

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestRanking(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.driving = cls.env["timebank.skill"].create({"name": "Driving test skill"})
        cls.shopping.skill_ids = cls.driving

    def test_nearer_beats_farther_when_all_else_is_equal(self):
        far = self._volunteer("Far Fan", km=6)
        near = self._volunteer("Near Ning", km=1)
        middle = self._volunteer("Middle Mei", km=3)
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [near.id, middle.id, far.id])
        self.assertAlmostEqual(rows[0]["distance_km"], 1.0, places=2)
        self.assertAlmostEqual(rows[2]["distance_km"], 6.0, places=2)
        self.assertGreater(rows[0]["score"], rows[1]["score"])

    def test_skill_fit_beats_distance_by_the_weights(self):
        skilled = self._volunteer(
            "Skilled Far", km=5, timebank_skill_ids=[Command.link(self.driving.id)]
        )
        near = self._volunteer("Unskilled Near", km=0.5)
        request = self._request()
        ranked, rows = self._ranked(request)
        self.assertEqual(ranked, [skilled.id, near.id])
        scores = {row["member_id"]: row for row in rows}
        self.assertEqual(scores[skilled.id]["skill"], 1.0)
        self.assertEqual(scores[near.id]["skill"], 0.0)
        # the score is the weighted mean of the factors, out of 100
        weights = self.bank_a._timebank_weights()
        row = scores[skilled.id]
        expected = sum(row[factor] * weight for factor, weight in weights.items())
        self.assertAlmostEqual(row["score"], expected * 100 / sum(weights.values()))
        # skill counting little, nearness wins
        self.bank_a.timebank_weight_skill = 5
        ranked, _rows = self._ranked(request)
        self.assertEqual(ranked, [near.id, skilled.id])

    def test_availability_overlap(self):
        with freeze_time("2026-03-02 08:00:00"):  # a Monday
            free = self._volunteer(
                "Free Monday",
                km=4,
                timebank_availability_ids=[
                    Command.create({"weekday": "0", "hour_from": 9, "hour_to": 11})
                ],
            )
            busy = self._volunteer("Never Free", km=1)
            request = self._request(start=datetime(2026, 3, 9, 10, 0), hours=2)
            self.bank_a.timebank_weight_availability = 60
            ranked, rows = self._ranked(request)
        self.assertEqual(ranked, [free.id, busy.id])
        self.assertAlmostEqual(rows[0]["availability"], 0.5)  # 10-11 of 10-12
        self.assertEqual(rows[1]["availability"], 0.0)

    def test_standing_offer_counts_as_skill_and_its_radius_as_a_limit(self):
        offering = self._volunteer("Offering Ou", km=4)
        offer = self.env["timebank.offer"].create(
            {
                "name": "Errands",
                "member_id": offering.id,
                "item_id": self.shopping.id,
                "company_id": self.bank_a.id,
                "travel_radius_km": 5,
            }
        )
        offer.action_publish()
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [offering.id])
        self.assertTrue(rows[0]["offered"])
        self.assertEqual(rows[0]["skill"], 1.0)
        offer.travel_radius_km = 3
        ranked, _rows = self._ranked(self._request())
        self.assertEqual(ranked, [])

    def test_fairness_spreads_the_work(self):
        busy = self._volunteer("Busy Bo", km=1)
        idle = self._volunteer("Idle Ida", km=1)
        earlier = self._request()
        earlier.action_publish()
        earlier.action_assign(busy)
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [idle.id, busy.id])
        self.assertEqual(rows[1]["recent"], 1)
        self.assertAlmostEqual(rows[1]["fairness"], 0.5)

    def test_cross_generation_preference(self):
        peer = self._volunteer("Elder Peer", km=1, birthdate_date=date(1945, 1, 1))
        youth = self._volunteer("Young Yu", km=1, birthdate_date=date(2010, 1, 1))
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [youth.id, peer.id])
        self.assertEqual(rows[0]["candidate_generation"], "youth")
        self.assertEqual(rows[0]["generation"], 1.0)
        self.assertEqual(rows[1]["generation"], 0.0)

    def test_disputes_lower_reliability(self):
        disputed = self._volunteer("Disputed Du", km=1)
        calm = self._volunteer("Calm Ke", km=1)
        if "timebank.dispute" not in self.env:
            self.assertEqual(
                self.env["timebank.matching.engine"]._dispute_counts(self.bank_a), {}
            )
        with patch.object(
            TimebankMatchingEngine,
            "_dispute_counts",
            lambda self, company: {disputed.id: 2},
        ):
            ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [calm.id, disputed.id])
        self.assertEqual(rows[1]["disputes"], 2)
        self.assertAlmostEqual(rows[1]["reliability"], rows[0]["reliability"] / 3)

    def test_explanation_has_a_line_per_factor(self):
        self._volunteer("Explained En", km=2)
        request = self._request()
        request.action_find_candidates()
        candidate = request.candidate_ids
        self.assertEqual(len(candidate), 1)
        lines = candidate.explanation.splitlines()
        self.assertEqual(len(lines), 6)
        for line, factor in zip(
            lines,
            (
                "Skill fit",
                "Availability",
                "Distance",
                "Reliability",
                "Fairness",
                "Cross-generation",
            ),
            strict=True,
        ):
            self.assertTrue(line.startswith(factor), line)
        self.assertIn("2.0 km away", lines[2])
        self.assertIn("0 of 1 skill(s) needed", lines[0])
        points = sum(float(line.rsplit("= ", 1)[1].split()[0]) for line in lines)
        self.assertAlmostEqual(points, candidate.score, delta=0.1)

    def test_many_requests_at_once_rank_as_one_by_one(self):
        """A batch ranks each request as it would alone, with the same rows."""
        for km, birthdate in ((1, date(2008, 1, 1)), (2, None), (4, date(1950, 1, 1))):
            self._volunteer(
                f"Batch {km}",
                km=km,
                birthdate_date=birthdate,
                timebank_skill_ids=[Command.link(self.driving.id)] if km > 1 else [],
            )
        self._volunteer("Batch far", km=8)._guarded_write(
            {"background_check_date": date(2020, 1, 1)}
        )
        self._volunteer("Batch nowhere", km=0, partner_latitude=0, partner_longitude=0)
        checked = self._service_item("Checked", requires_background_check=True)
        requester = self._volunteer("Requester", km=3)
        requests = (
            self._request()
            | self._request(member=requester)
            | self._request(item=checked)
            | self._request(member=requester, latitude=0, longitude=0)
        )
        batch = self.env["timebank.matching.engine"]._rank(requests, 4)
        for request in requests:
            alone, rows = self._ranked(request, 4)
            self.assertEqual([row["member_id"] for row in batch[request]], alone)
            self.assertEqual(batch[request], rows)

    def test_an_unknown_distance_reads_unknown(self):
        placed = self._volunteer("Placed Pan", km=2)
        unplaced = self._volunteer(
            "Unplaced Yu", partner_latitude=0.0, partner_longitude=0.0
        )
        request = self._request()
        request.action_find_candidates()
        texts = {c.member_id: c.distance_text for c in request.candidate_ids}
        self.assertEqual(texts[placed], "2.0 km")
        self.assertEqual(texts[unplaced], "Unknown")
        self.assertIn(
            "unknown distance",
            request.candidate_ids.filtered(
                lambda c: c.member_id == unplaced
            ).explanation,
        )

    def test_a_large_batch_explains_as_one_request(self):
        """Twenty requests at once (where a batch was once ranked apart from
        a single request) explain their candidates as one request alone."""
        self._volunteer("Batch Bai", km=2)
        alone = self._request()
        alone.action_find_candidates()
        requests = self.env["timebank.request"].concat(
            *(self._request() for _n in range(20))
        )
        requests.action_find_candidates()
        expected = alone.candidate_ids.sorted("rank").mapped("explanation")
        self.assertIn("Fairness: 1.00 (0 recent task(s) or service(s))", expected[0])
        for request in requests:
            self.assertEqual(
                request.candidate_ids.sorted("rank").mapped("explanation"), expected
            )
