"""Addresses placed on the map through Odoo's geocoder (base_geolocalize);
while it cannot be reached, distances stay unknown and nothing breaks.

The map service is made unreachable for the tests by sending its requests to
a closed local port (the state of a server without internet access)."""

import os
from datetime import date, timedelta
from unittest.mock import patch
from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from .common import MatchingCase

OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


@tagged("post_install", "-at_install")
class TestGeolocalize(MatchingCase, HttpCase):
    def _unplaced(self, name, **vals):
        return self._volunteer(
            name, partner_latitude=0.0, partner_longitude=0.0, **vals
        )

    def test_a_position_from_coordinates_and_none_without(self):
        placed = self._volunteer("Placed Lai", km=1)
        unplaced = self._unplaced("Unplaced Ho", city="Hsinchu")
        self.assertTrue(placed.has_position)
        self.assertFalse(unplaced.has_position)
        # a new address forgets the old position (base_geolocalize)
        placed.partner_id.write({"street": "No. 5, Minsheng Road", "city": "Hsinchu"})
        self.assertFalse(placed.has_position)

    def test_who_is_looked_up_next(self):
        due = self._unplaced("Due Chou", city="Hsinchu")
        self._unplaced("Nowhere Fang")  # no address to look up
        self._volunteer("Placed Yeh", km=2, city="Hsinchu")
        tried = self._unplaced("Tried Lately", city="Hsinchu")
        tried.sudo()._guarded_write(
            {"geolocalize_tried_on": date.today() - timedelta(days=3)}
        )
        stale = self._unplaced("Tried Long Ago", city="Hsinchu")
        stale.sudo()._guarded_write(
            {"geolocalize_tried_on": date.today() - timedelta(days=60)}
        )
        applicant = self._unplaced("Applicant Lu", city="Hsinchu", active=False)
        found = self.env["timebank.member"]._geolocalize_due()
        self.assertIn(due, found)
        self.assertIn(stale, found)
        self.assertNotIn(tried, found)
        self.assertNotIn(applicant, found)
        self.assertEqual(
            {m.partner_id.name for m in found} & {"Nowhere Fang", "Placed Yeh"}, set()
        )
        self.assertLess(list(found).index(due), list(found).index(stale))

    def test_an_unreachable_map_service_is_said_and_changes_nothing(self):
        member = self._unplaced(
            "Offline Kao", street="No. 1, Dongda Road", city="Hsinchu"
        )
        with patch.dict(os.environ, OFFLINE):
            with self.assertRaisesRegex(
                UserError,
                r"The map service could not be reached .* Distances to these "
                r"members stay unknown until it can\.",
            ):
                member.with_user(self.broker).action_geolocalize()
            located = self.env["timebank.member"]._cron_timebank_geolocalize()
        self.assertFalse(located)
        self.assertFalse(member.has_position)
        request = self._request()
        request.action_find_candidates()
        candidate = request.candidate_ids.filtered(lambda c: c.member_id == member)
        self.assertEqual(candidate.distance_text, "Unknown")

    def test_only_a_broker_places_members_on_the_map(self):
        member = self._unplaced("Rpc Map Su", city="Hsinchu")
        self._portal_user(member, "rpc_map_su")
        with self.assertRaisesRegex(
            Fault, "Only a broker places members on the map|not allowed"
        ):
            xmlrpc_call(
                self, "rpc_map_su", "timebank.member", "action_geolocalize", [member.id]
            )
        for field, value in (
            ("geolocalize_tried_on", "2026-01-01"),
            ("has_position", True),
        ):
            with self.subTest(field=field):
                with self.assertRaisesRegex(Fault, rf"\({field}\) cannot be written"):
                    xmlrpc_call(
                        self,
                        "tb_manager",
                        "timebank.member",
                        "write",
                        [member.id],
                        {field: value},
                    )
        self.assertFalse(member.geolocalize_tried_on)
