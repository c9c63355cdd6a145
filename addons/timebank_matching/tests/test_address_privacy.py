"""A need shows its area to the members who may take it, its address to the
volunteer who took it, the person in need, their proxy and the brokers."""

from datetime import date
from xmlrpc.client import Fault

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import csrf_token, xmlrpc_call

from .common import HOME, MatchingCase

STREET = "No. 88, Beida Road"
FIELDS = ["place", "latitude", "longitude", "area"]


@tagged("post_install", "-at_install")
class TestAddressPrivacy(MatchingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder.partner_id.write(
            {
                "street": STREET,
                "city": "Hsinchu",
                "timebank_service_area": "East District",
                # a new address forgets the old position: this is its own
                "partner_latitude": HOME[0],
                "partner_longitude": HOME[1],
            }
        )
        cls.taker = cls._volunteer("Address Taker Tang")
        cls.neighbour = cls._volunteer("Address Neighbour Ni", km=2)
        cls.taker_user = cls._portal_user(cls.taker, login="address_taker")
        cls.neighbour_user = cls._portal_user(cls.neighbour, login="address_neighbour")
        cls.elder_user = cls._portal_user(cls.elder, login="address_elder")
        cls.son = cls._person("Address Son Shen")
        cls.elder.partner_id.write(
            {
                "timebank_proxy_id": cls.son.id,
                "timebank_proxy_consent_date": date(2026, 1, 2),
                "timebank_proxy_can_view": False,
                "timebank_proxy_can_confirm": False,
            }
        )
        cls.son_user = new_test_user(
            cls.env,
            login="address_son",
            name=cls.son.name,
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.son.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.need = cls._request(description="Rice from the market")
        cls.need.action_publish()

    def _seen(self, user):
        return self.need.with_user(user).read(FIELDS)[0]

    def _call(self, user, model, method, *args, **kwargs):
        return xmlrpc_call(self, user.login, model, method, *args, **kwargs)

    def test_the_place_comes_from_the_home_of_the_person(self):
        self.assertIn(STREET, self.need.address)
        self.assertEqual(self.need.area, "East District")
        self.assertAlmostEqual(self.need.address_latitude, HOME[0])

    def test_before_it_is_taken_members_see_the_area_only(self):
        seen = self._seen(self.neighbour_user)
        self.assertEqual(seen["area"], "East District")
        self.assertFalse(seen["place"])
        self.assertEqual((seen["latitude"], seen["longitude"]), (0.0, 0.0))
        self.assertNotIn(STREET, self.need.with_user(self.neighbour_user).display_name)
        Request = self.env["timebank.request"].with_user(self.neighbour_user)
        with self.assertRaisesRegex(AccessError, "address"):
            Request.search([("address", "ilike", "Beida")])
        with self.assertRaisesRegex(AccessError, "address_latitude"):
            Request.search([], order="address_latitude")
        with self.assertRaisesRegex(AccessError, "address"):
            Request.read_group([], ["id:count"], ["address"])
        with self.assertRaisesRegex(AccessError, "address"):
            self.need.with_user(self.neighbour_user).read(["address"])

    def test_the_person_their_proxy_and_the_brokers_see_the_address(self):
        for user in (self.elder_user, self.son_user, self.broker):
            with self.subTest(user=user.login):
                seen = self._seen(user)
                self.assertIn(STREET, seen["place"])
                self.assertAlmostEqual(seen["latitude"], HOME[0])

    def test_a_proxy_without_rights_sees_no_need(self):
        self.elder.partner_id.timebank_proxy_can_request = False
        self.need.invalidate_recordset()
        # published, it is open to every member; the address is not theirs
        self.assertFalse(self._seen(self.son_user)["place"])
        self.need.with_user(self.broker).action_assign(self.taker)
        with self.assertRaisesRegex(AccessError, "Time Bank Request"):
            self._seen(self.son_user)

    def test_once_taken_the_volunteer_sees_the_address_and_the_others_nothing(self):
        self.need.with_user(self.taker_user).action_claim()
        seen = self._seen(self.taker_user)
        self.assertIn(STREET, seen["place"])
        self.assertAlmostEqual(seen["longitude"], HOME[1])
        with self.assertRaisesRegex(AccessError, "Time Bank Request"):
            self._seen(self.neighbour_user)
        # released, the volunteer who left no longer sees it
        self.need.with_user(self.taker_user).action_release()
        self.assertFalse(self._seen(self.taker_user)["place"])

    def test_over_the_api(self):
        [row] = self._call(
            self.neighbour_user,
            "timebank.request",
            "search_read",
            [("id", "=", self.need.id)],
            fields=FIELDS,
        )
        self.assertEqual(row["area"], "East District")
        self.assertFalse(row["place"])
        with self.assertRaisesRegex(Fault, "address"):
            self._call(
                self.neighbour_user,
                "timebank.request",
                "read",
                [self.need.id],
                ["address", "address_latitude"],
            )
        with self.assertRaisesRegex(Fault, "address"):
            self._call(
                self.neighbour_user,
                "timebank.request",
                "search",
                [("address", "ilike", "Beida")],
            )
        with self.assertRaisesRegex(Fault, "Time Bank Request"):
            self._call(
                self.broker_b, "timebank.request", "read", [self.need.id], FIELDS
            )
        self._call(self.taker_user, "timebank.request", "action_claim", [self.need.id])
        [row] = self._call(
            self.taker_user, "timebank.request", "read", [self.need.id], FIELDS
        )
        self.assertIn(STREET, row["place"])

    def test_in_the_portal(self):
        self.authenticate("address_neighbour", "address_neighbour")
        page = self.url_open("/my/timebank/requests")
        self.assertIn("Rice from the market", page.text)
        self.assertIn("East District", page.text)
        self.assertNotIn(STREET, page.text)
        self.authenticate("address_taker", "address_taker")
        page = self.url_open("/my/timebank/requests")
        self.assertNotIn(STREET, page.text)
        page = self.url_open(
            f"/my/timebank/requests/{self.need.id}/claim",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("the request is yours", page.text)
        self.assertIn(STREET, page.text)
