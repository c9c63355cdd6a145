from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestMemberNumber(TimebankCase):
    def test_numbers_come_from_the_sequence(self):
        first = self._member("Lin")
        second = self._member("Chen")
        self.assertTrue(first.number.startswith("M"))
        self.assertNotEqual(first.number, second.number)
        self.assertEqual(first.display_name, f"[{first.number}] Lin")

    def test_given_number_is_kept(self):
        partner = self._person("Paper Register 12")
        member = self.env["timebank.member"].create(
            {"partner_id": partner.id, "company_id": self.bank_a.id, "number": "P-0012"}
        )
        self.assertEqual(member.number, "P-0012")
        found = self.env["timebank.member"].name_search("P-0012")
        self.assertEqual([r[0] for r in found], member.ids)

    def test_number_clash_is_refused(self):
        member = self._member("Lin")
        partner = self._person("Chen")
        with self.assertRaisesRegex(
            ValidationError, f"Member number {member.number} is already used in Bank A"
        ):
            self.env["timebank.member"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.bank_a.id,
                    "number": member.number,
                }
            )
        other = self._member("Wang")
        with self.assertRaisesRegex(ValidationError, "is already used in Bank A"):
            other.number = member.number

    def test_same_number_in_another_bank_is_allowed(self):
        member = self._member("Lin")
        partner = self._person("Chen")
        other = self.env["timebank.member"].create(
            {
                "partner_id": partner.id,
                "company_id": self.bank_b.id,
                "number": member.number,
            }
        )
        self.assertEqual(other.number, member.number)
