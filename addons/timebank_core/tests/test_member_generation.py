from datetime import date
from xmlrpc.client import Fault

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import TimebankCase, xmlrpc_call

TODAY = "2026-06-15"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestMemberGeneration(TimebankCase):
    """Default thresholds: youth below 25, elder from 65."""

    def _partner_born(self, birthdate):
        return self._person("Someone", birthdate_date=birthdate).with_company(
            self.bank_a
        )

    def test_age_on_the_birthday_and_the_day_before(self):
        cases = [
            (date(1956, 6, 15), 70),  # birthday today
            (date(1956, 6, 16), 69),  # birthday tomorrow
            (date(2026, 6, 15), 0),  # born today
            (date(2008, 2, 29), 18),
        ]
        for birthdate, age in cases:
            with self.subTest(birthdate=birthdate):
                self.assertEqual(self._partner_born(birthdate).timebank_age, age)

    def test_generation_at_the_thresholds(self):
        cases = [
            (date(2001, 6, 16), 24, "youth"),  # turns 25 tomorrow
            (date(2001, 6, 15), 25, "adult"),  # 25 today
            (date(1961, 6, 16), 64, "adult"),  # turns 65 tomorrow
            (date(1961, 6, 15), 65, "elder"),  # 65 today
            (date(2010, 1, 1), 16, "youth"),
        ]
        for birthdate, age, generation in cases:
            with self.subTest(birthdate=birthdate):
                partner = self._partner_born(birthdate)
                self.assertEqual(partner.timebank_age, age)
                self.assertEqual(partner.timebank_generation, generation)

    def test_search_by_generation_matches_the_computed_value(self):
        born = [
            date(2001, 6, 16),
            date(2001, 6, 15),
            date(1961, 6, 16),
            date(1961, 6, 15),
            date(1930, 1, 1),
        ]
        partners = self.env["res.partner"].browse(
            [self._partner_born(d).id for d in born]
        )
        Partner = self.env["res.partner"].with_company(self.bank_a)
        for generation in ("youth", "adult", "elder"):
            with self.subTest(generation=generation):
                found = Partner.search(
                    [
                        ("id", "in", partners.ids),
                        ("timebank_generation", "=", generation),
                    ]
                )
                expected = partners.with_company(self.bank_a).filtered(
                    lambda p, g=generation: p.timebank_generation == g
                )
                self.assertEqual(found, expected)
                self.assertTrue(found)
        not_elder = Partner.search(
            [("id", "in", partners.ids), ("timebank_generation", "!=", "elder")]
        )
        self.assertEqual(len(not_elder), 3)
        several = Partner.search(
            [
                ("id", "in", partners.ids),
                ("timebank_generation", "in", ["youth", "elder"]),
            ]
        )
        self.assertEqual(len(several), 3)

    def test_members_filter_by_generation(self):
        elder = self._member("David", birthdate_date=date(1955, 3, 1))
        self._member("Amy", birthdate_date=date(2010, 5, 2))
        members = (
            self.env["timebank.member"]
            .with_user(self.broker)
            .search([("generation", "=", "elder")])
        )
        self.assertEqual(members, elder)
        self.assertEqual(members.age, 71)

    def test_thresholds_are_configurable_per_bank(self):
        self.bank_b.write({"timebank_adult_age": 18, "timebank_elder_age": 60})
        partner = self._person("Carol", birthdate_date=date(2006, 1, 1))  # 20
        self.assertEqual(partner.with_company(self.bank_a).timebank_generation, "youth")
        self.assertEqual(partner.with_company(self.bank_b).timebank_generation, "adult")
        sixty = self._person("Kao", birthdate_date=date(1966, 6, 15))
        self.assertEqual(sixty.with_company(self.bank_a).timebank_generation, "adult")
        self.assertEqual(sixty.with_company(self.bank_b).timebank_generation, "elder")

    def test_settings_change_the_thresholds(self):
        settings = (
            self.env["res.config.settings"]
            .with_company(self.bank_a)
            .create({"timebank_adult_age": 20, "timebank_elder_age": 70})
        )
        settings.execute()
        self.assertEqual(self.bank_a.timebank_adult_age, 20)
        self.assertEqual(self.bank_a.timebank_elder_age, 70)

    def test_wrong_thresholds_are_refused(self):
        for adult, elder in [(0, 65), (65, 65), (70, 65), (-1, 10)]:
            with self.subTest(adult=adult, elder=elder):
                with self.assertRaisesRegex(
                    ValidationError,
                    "adult age .* must be above zero and below the elder age",
                ):
                    self.bank_a.write(
                        {"timebank_adult_age": adult, "timebank_elder_age": elder}
                    )

    def test_birth_date_in_the_future_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, r"birth date of Baby \(2026-06-16\) is in the future"
        ):
            self._person("Baby", birthdate_date=date(2026, 6, 16))
        partner = self._person("Baby")
        with self.assertRaisesRegex(ValidationError, "is in the future"):
            partner.birthdate_date = date(2030, 1, 1)

    def test_no_birth_date_no_generation(self):
        partner = self._person("Unknown").with_company(self.bank_a)
        self.assertFalse(partner.timebank_generation)
        self.assertEqual(partner.timebank_age, 0)

    def test_members_group_by_generation(self):
        self._member("Old Lin", birthdate_date=date(1950, 1, 1))
        self._member("Old Hsu", birthdate_date=date(1952, 2, 2))
        self._member("Young Tsai", birthdate_date=date(2008, 3, 3))
        groups = (
            self.env["timebank.member"]
            .with_user(self.broker)
            ._read_group(
                [("company_id", "=", self.bank_a.id)], ["generation"], ["__count"]
            )
        )
        self.assertEqual(dict(groups), {"elder": 2, "youth": 1})

    def test_a_birthday_moves_the_member_the_next_morning(self):
        turning = self._member("Turning Wang", birthdate_date=date(1961, 6, 16))
        self.assertEqual(turning.generation, "adult")
        with freeze_time("2026-06-16"):
            self.env["timebank.member"]._cron_timebank_generations()
            self.assertEqual(turning.generation, "elder")
            cron = self.env.ref("timebank_core.ir_cron_timebank_generations")
            self.assertEqual(cron.code, "model._cron_timebank_generations()")

    def test_new_thresholds_move_the_members_at_once(self):
        sixty = self._member("Sixty Kao", birthdate_date=date(1966, 6, 15))
        self.assertEqual(sixty.generation, "adult")
        self.bank_a.write({"timebank_adult_age": 18, "timebank_elder_age": 60})
        self.assertEqual(sixty.generation, "elder")


@tagged("post_install", "-at_install")
class TestGenerationOverRpc(TimebankCase, HttpCase):
    def test_the_generation_cannot_be_written_by_hand(self):
        member = self._member("Hand Written", birthdate_date=date(1990, 1, 1))
        with self.assertRaisesRegex(
            Fault, r"Generation \(generation\) cannot be written"
        ):
            xmlrpc_call(
                self,
                "tb_manager",
                "timebank.member",
                "write",
                [member.id],
                {"generation": "elder"},
            )
        self.assertEqual(member.generation, "adult")
