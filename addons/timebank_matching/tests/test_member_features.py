from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.timebank_matching.models.timebank_matching_engine import (
    unit_vector,
)

from .common import HOME, KM_PER_DEGREE, MatchingCase


@tagged("post_install", "-at_install")
class TestMemberFeatures(MatchingCase):
    """What the engine keeps on the member stays right when the person changes."""

    def _place(self, member):
        return (member.matching_x, member.matching_y, member.matching_z)

    def _row(self, request, member):
        _ranked, rows = self._ranked(request)
        return next(row for row in rows if row["member_id"] == member.id)

    def test_the_place_follows_the_person(self):
        helper = self._volunteer("Moving Mo", km=2)
        partner = helper.partner_id
        for value, expected in zip(
            self._place(helper),
            unit_vector(partner.partner_latitude, partner.partner_longitude),
            strict=True,
        ):
            self.assertAlmostEqual(value, expected, places=12)
        request = self._request()
        self.assertAlmostEqual(self._row(request, helper)["distance_km"], 2.0, 2)
        # moving house moves the member, with nothing else to do
        partner.partner_latitude = HOME[0] + 5 / KM_PER_DEGREE
        self.assertAlmostEqual(self._row(request, helper)["distance_km"], 5.0, 2)
        # without coordinates: no place, an unknown distance
        partner.write({"partner_latitude": 0, "partner_longitude": 0})
        self.assertEqual(self._place(helper), (0.0, 0.0, 0.0))
        row = self._row(request, helper)
        self.assertIsNone(row["distance_km"])
        self.assertEqual(row["distance"], 0.0)
        # and back
        partner.write({"partner_latitude": HOME[0], "partner_longitude": HOME[1]})
        self.assertAlmostEqual(self._row(request, helper)["distance_km"], 0.0, 3)

    def test_the_place_is_the_place_of_the_person_chosen(self):
        helper = self._volunteer("Changed Chen", km=3)
        other = self._volunteer("Other Ou", km=7)
        other_partner = other.partner_id
        other.unlink()
        helper.partner_id = other_partner
        self.assertEqual(
            self._place(helper),
            unit_vector(
                other_partner.partner_latitude, other_partner.partner_longitude
            ),
        )

    def test_a_birthday_moves_the_cohort_without_any_write(self):
        elder_age = self.elder.company_id.timebank_elder_age
        helper = self._volunteer(
            "Birthday Bo", km=1, birthdate_date=date(2026 - elder_age, 6, 15)
        )
        request = self._request()
        with freeze_time("2026-06-14 12:00:00"):
            row = self._row(request, helper)
            self.assertEqual(row["candidate_generation"], "adult")
            self.assertEqual(row["generation"], 1.0)  # the requester is an elder
        with freeze_time("2026-06-15 12:00:00"):
            row = self._row(request, helper)
            self.assertEqual(row["candidate_generation"], "elder")
            self.assertEqual(row["generation"], 0.0)
            # a corrected birth date counts at once
            helper.partner_id.birthdate_date = date(2010, 1, 1)
            self.assertEqual(helper.matching_birthdate, date(2010, 1, 1))
            self.assertEqual(
                self._row(request, helper)["candidate_generation"], "youth"
            )
            helper.partner_id.birthdate_date = False
            row = self._row(request, helper)
            self.assertIsNone(row["candidate_generation"])
            self.assertEqual(row["generation"], 0.5)
