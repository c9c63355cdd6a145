"""The persons of a time bank are seen by the users of that bank only."""

from datetime import date
from xmlrpc.client import Fault

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TimebankCase, xmlrpc_call

PERSONAL = [
    "name",
    "birthdate_date",
    "phone",
    "street",
    "city",
    "timebank_emergency_phone",
]


@tagged("post_install", "-at_install")
class TestPartnerPrivacy(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder_a = cls._member(
            "Privacy Elder of A",
            active=True,
            birthdate_date=date(1941, 2, 3),
            phone="03 555 0101",
            street="7 Lane of Bamboo",
            city="Hsinchu",
            timebank_emergency_phone="0912 000 111",
        )
        cls.member_b = cls._member("Privacy Member of B", bank=cls.bank_b, active=True)
        # a person in both banks is seen by both
        cls.both = cls._member("Privacy Member of Both", active=True)
        cls.env["timebank.member"].create(
            {"partner_id": cls.both.partner_id.id, "company_id": cls.bank_b.id}
        )
        cls.vendor = cls._person("Privacy Market Stall", is_company=True)
        cls.portal_b = new_test_user(
            cls.env,
            login="privacy_portal_b",
            name="Privacy Member of B",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.member_b.partner_id.id,
            company_id=cls.bank_b.id,
            company_ids=[cls.bank_b.id],
        )

    def _call(self, user, model, method, *args, **kwargs):
        return xmlrpc_call(self, user.login, model, method, *args, **kwargs)

    def test_another_banks_broker_neither_reads_nor_finds_them(self):
        Partner = self.env["res.partner"].with_user(self.broker_b)
        elder = Partner.browse(self.elder_a.partner_id.id)
        with self.assertRaisesRegex(AccessError, "Contact"):
            elder.read(PERSONAL)
        for domain in (
            [("birthdate_date", "=", date(1941, 2, 3))],
            [("phone", "ilike", "555 0101")],
            [("street", "ilike", "Bamboo")],
            [("timebank_emergency_phone", "!=", False)],
            [("name", "ilike", "Privacy Elder")],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(Partner.search(domain))
        self.assertFalse(Partner.name_search("Privacy Elder"))

    def test_each_bank_sees_its_own_and_the_shared_contacts(self):
        seen_by_b = self.env["res.partner"].with_user(self.broker_b).search([])
        self.assertIn(self.member_b.partner_id, seen_by_b)
        self.assertIn(self.both.partner_id, seen_by_b)
        self.assertIn(self.vendor, seen_by_b)  # a member of no bank
        self.assertIn(self.broker.partner_id, seen_by_b)  # an internal user
        self.assertIn(self.broker_b.partner_id, seen_by_b)
        self.assertNotIn(self.elder_a.partner_id, seen_by_b)
        seen_by_a = self.env["res.partner"].with_user(self.broker).search([])
        self.assertIn(self.elder_a.partner_id, seen_by_a)
        self.assertIn(self.both.partner_id, seen_by_a)
        self.assertNotIn(self.member_b.partner_id, seen_by_a)
        [elder] = self.elder_a.partner_id.with_user(self.broker).read(PERSONAL)
        self.assertEqual(elder["timebank_emergency_phone"], "0912 000 111")

    def test_a_broker_of_both_banks_sees_both(self):
        both_banks = new_test_user(
            self.env,
            login="privacy_broker_ab",
            groups="base.group_user,timebank_core.group_timebank_broker",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id, self.bank_b.id],
        )
        Partner = self.env["res.partner"].with_user(both_banks)
        Partner = Partner.with_context(
            allowed_company_ids=[self.bank_a.id, self.bank_b.id]
        )
        found = Partner.search([("name", "ilike", "Privacy ")])
        self.assertIn(self.elder_a.partner_id, found)
        self.assertIn(self.member_b.partner_id, found)

    def test_another_banks_broker_is_refused_over_the_api(self):
        with self.assertRaisesRegex(Fault, "Contact"):
            self._call(
                self.broker_b,
                "res.partner",
                "read",
                [self.elder_a.partner_id.id],
                PERSONAL,
            )
        found = self._call(
            self.broker_b,
            "res.partner",
            "search_read",
            [("birthdate_date", "!=", False)],
            fields=["name", "birthdate_date"],
        )
        self.assertNotIn(self.elder_a.partner_id.id, [row["id"] for row in found])
        with self.assertRaisesRegex(Fault, "Contact"):
            self._call(
                self.broker_b,
                "res.partner",
                "write",
                [self.elder_a.partner_id.id],
                {"phone": "0"},
            )
        # the broker still registers the persons of their own bank
        partner_id = self._call(
            self.broker_b, "res.partner", "create", {"name": "Privacy Newcomer"}
        )
        self._call(
            self.broker_b, "timebank.member", "create", {"partner_id": partner_id}
        )
        [row] = self._call(self.broker_b, "res.partner", "read", [partner_id], ["name"])
        self.assertEqual(row["name"], "Privacy Newcomer")

    def test_a_portal_member_of_another_bank_is_refused_over_the_api(self):
        with self.assertRaisesRegex(Fault, "Contact"):
            self._call(
                self.portal_b,
                "res.partner",
                "read",
                [self.elder_a.partner_id.id],
                PERSONAL,
            )
        found = self._call(self.portal_b, "res.partner", "search", [])
        self.assertNotIn(self.elder_a.partner_id.id, found)
        self.assertIn(self.member_b.partner_id.id, found)
