"""What the persons helped said of a volunteer counts in their reliability."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.timebank_core.tests.common import post_opening_balance

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestRatingReliability(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        post_opening_balance(cls.env, cls.elder, 600)
        cls.praised = cls._volunteer("Praised Pan", km=1)
        cls.blamed = cls._volunteer("Blamed Bo", km=1)
        cls.unrated = cls._volunteer("Unrated Ursula", km=1)
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(days=10)
        cls.services = {}
        for hours, volunteer in enumerate((cls.praised, cls.blamed, cls.unrated)):
            begin = start + timedelta(hours=3 * hours)
            service = cls.env["timebank.exchange"].create(
                {
                    "provider_id": volunteer.id,
                    "receiver_id": cls.elder.id,
                    "item_id": cls.shopping.id,
                    "company_id": cls.bank_a.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(hours=1),
                }
            )
            service.action_submit()
            service.action_confirm(channel="phone")
            service.action_verify()
            service.action_post()
            cls.services[volunteer] = service

    def _rows(self):
        request = self._request()
        engine = self.env["timebank.matching.engine"]
        rows = engine._rank(request, 50)[request]
        return {row["member_id"]: row for row in rows}

    def test_ratings_move_reliability_and_the_ranking(self):
        before = self._rows()
        self.assertEqual(
            before[self.praised.id]["reliability"],
            before[self.blamed.id]["reliability"],
        )
        self.services[self.praised].action_give_rating("service", 5)
        self.services[self.blamed].action_give_rating("service", 1)
        # what the volunteer said of the visit is not about the volunteer
        self.services[self.unrated].action_give_rating("visit", 1)
        rows = self._rows()
        praised, blamed = rows[self.praised.id], rows[self.blamed.id]
        unrated = rows[self.unrated.id]
        # completion and confirmation with the smoothed rating, a third each
        base = (praised["completion"] + praised["confirmation"]) / 2
        self.assertAlmostEqual(
            praised["reliability"], (2 * base + (1 + 1) / (1 + 2)) / 3
        )
        self.assertAlmostEqual(blamed["reliability"], (2 * base + 1 / 3) / 3)
        self.assertGreater(praised["reliability"], blamed["reliability"])
        self.assertGreater(praised["score"], blamed["score"])
        # without a rating of their services, nothing changes
        self.assertAlmostEqual(
            unrated["reliability"], before[self.unrated.id]["reliability"]
        )
