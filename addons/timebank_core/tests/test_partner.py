from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15")
class TestPartner(TimebankCase):
    def test_membership_fields_follow_the_current_bank(self):
        member = self._member("Carol", active=True)
        partner = member.partner_id
        self.assertTrue(partner.with_company(self.bank_a).is_timebank_member)
        self.assertEqual(partner.with_company(self.bank_a).timebank_state, "active")
        self.assertFalse(partner.with_company(self.bank_b).is_timebank_member)
        self.assertFalse(partner.with_company(self.bank_b).timebank_state)
        member.action_withdraw()
        self.assertFalse(partner.with_company(self.bank_a).is_timebank_member)
        self.assertEqual(partner.with_company(self.bank_a).timebank_state, "withdrawn")

    def test_search_members_of_the_current_bank(self):
        active = self._member("Carol", active=True)
        applicant = self._member("Amy")
        in_b = self._member("David", bank=self.bank_b)
        Partner = self.env["res.partner"].with_company(self.bank_a)
        people = (active | applicant | in_b).partner_id
        self.assertEqual(
            Partner.search(
                [("id", "in", people.ids), ("is_timebank_member", "=", True)]
            ),
            (active | applicant).partner_id,
        )
        self.assertEqual(
            Partner.search(
                [("id", "in", people.ids), ("is_timebank_member", "=", False)]
            ),
            in_b.partner_id,
        )
        self.assertEqual(
            Partner.search(
                [("id", "in", people.ids), ("timebank_state", "=", "active")]
            ),
            active.partner_id,
        )

    def test_proxy_needs_the_elders_consent(self):
        daughter = self._person("Lin Ya-wen")
        elder = self._person("Lin Chin-fa", birthdate_date=date(1940, 4, 2))
        with self.assertRaisesRegex(
            ValidationError, "Record the date Lin Chin-fa agreed that Lin Ya-wen acts"
        ):
            elder.timebank_proxy_id = daughter
        elder.write(
            {
                "timebank_proxy_id": daughter.id,
                "timebank_proxy_consent_date": date(2026, 6, 1),
                "timebank_proxy_relation": "family",
            }
        )
        self.assertEqual(daughter.timebank_proxied_ids, elder)

    def test_proxy_cannot_be_oneself_nor_consent_in_the_future(self):
        elder = self._person("Chen")
        with self.assertRaisesRegex(ValidationError, "cannot be their own proxy"):
            elder.write(
                {
                    "timebank_proxy_id": elder.id,
                    "timebank_proxy_consent_date": date(2026, 1, 1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "dated in the future"):
            elder.write(
                {
                    "timebank_proxy_id": self._person("Neighbour").id,
                    "timebank_proxy_consent_date": date(2026, 7, 1),
                }
            )

    def test_privacy_consent_is_dated(self):
        partner = self._person("Wang", timebank_privacy_consent=True)
        self.assertEqual(partner.timebank_privacy_consent_date, date(2026, 6, 15))
        partner.timebank_privacy_consent = False
        self.assertFalse(partner.timebank_privacy_consent_date)

    def test_availability_slots(self):
        partner = self._person("Amy")
        with self.assertRaisesRegex(ValidationError, "start time must come before"):
            self.env["timebank.availability"].create(
                {
                    "partner_id": partner.id,
                    "weekday": "2",
                    "hour_from": 15,
                    "hour_to": 14,
                }
            )
        with self.assertRaisesRegex(ValidationError, "within one day"):
            self.env["timebank.availability"].create(
                {
                    "partner_id": partner.id,
                    "weekday": "2",
                    "hour_from": 20,
                    "hour_to": 25,
                }
            )

    def test_broker_registers_an_elder_with_her_proxy_in_one_save(self):
        partner = self.env["res.partner"].create({"name": "Tsai A-ma"})
        son = self.env["res.partner"].create({"name": "Tsai Wei"})
        form = Form(self.env["timebank.member"].with_user(self.broker))
        form.partner_id = partner
        form.privacy_consent = True
        form.proxy_id = son
        form.proxy_relation = "family"
        form.proxy_consent_date = date(2026, 6, 1)
        form.proxy_can_request = True
        form.proxy_can_view = True
        member = form.save()
        self.assertEqual(partner.timebank_proxy_id, son)
        self.assertEqual(partner.timebank_proxy_consent_date, date(2026, 6, 1))
        self.assertTrue(member.proxy_can_request and member.proxy_can_view)
        # and the consent is still wanted when a proxy is named without it
        with self.assertRaisesRegex(ValidationError, "Record the date Tsai A-ma"):
            member.with_user(self.broker).write({"proxy_consent_date": False})

    def test_broker_registers_a_paper_member_on_the_form(self):
        """An elder with no phone and no e-mail, registered by a broker."""
        partner = (
            self.env["res.partner"]
            .with_user(self.broker)
            .create({"name": "Hsu A-ma", "timebank_contact_channel": "in_person"})
        )
        form = Form(self.env["timebank.member"].with_user(self.broker))
        form.partner_id = partner
        form.birthdate_date = date(1938, 2, 3)
        form.mobility = "walking_aid"
        form.care_needs = "Hard of hearing; speaks Taiwanese Hokkien"
        form.privacy_consent = True
        member = form.save()
        self.assertEqual(member.generation, "elder")
        self.assertEqual(member.age, 88)
        self.assertEqual(partner.timebank_mobility, "walking_aid")
        self.assertEqual(member.privacy_consent_date, date(2026, 6, 15))
        member.action_activate()
        self.assertEqual(member.join_date, date(2026, 6, 15))
