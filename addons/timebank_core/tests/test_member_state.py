from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestMemberState(TimebankCase):
    def _broker_member(self, name="Lin Mei-hua", **partner_vals):
        return self._member(name, **partner_vals).with_user(self.broker)

    def test_new_membership_is_an_applicant(self):
        member = self._broker_member()
        self.assertEqual(member.state, "applicant")
        self.assertFalse(member.join_date)

    def test_created_in_another_state_is_refused(self):
        partner = self._person("Chen Wen-hsiung", timebank_privacy_consent=True)
        with self.assertRaisesRegex(
            UserError, r"State \(state\) cannot be written.*\(Activate, Suspend"
        ):
            self.env["timebank.member"].with_user(self.broker).create(
                {
                    "partner_id": partner.id,
                    "company_id": self.bank_a.id,
                    "state": "active",
                }
            )

    def test_full_life_cycle(self):
        member = self._broker_member()
        member.action_activate()
        self.assertEqual(member.state, "active")
        self.assertTrue(member.join_date)
        join_date = member.join_date
        member.state_reason = "Did not show up three times"
        member.action_suspend()
        self.assertEqual(member.state, "suspended")
        member.action_reinstate()
        self.assertEqual(member.state, "active")
        self.assertFalse(member.state_reason)
        self.assertEqual(member.join_date, join_date)
        member.action_withdraw()
        self.assertEqual(member.state, "withdrawn")
        self.assertTrue(member.withdrawal_date)
        member.action_reapply()
        self.assertEqual(member.state, "applicant")
        self.assertFalse(member.withdrawal_date)

    def test_applicant_may_withdraw(self):
        member = self._broker_member()
        member.action_withdraw()
        self.assertEqual(member.state, "withdrawn")

    def test_refused_transitions(self):
        member = self._broker_member("Wang Shu-fen")
        refused = [
            ("applicant", "suspended"),
            ("withdrawn", "active"),
            ("withdrawn", "suspended"),
            ("suspended", "applicant"),
            ("active", "applicant"),
        ]
        labels = {
            "applicant": "Applicant",
            "active": "Active",
            "suspended": "Suspended",
            "withdrawn": "Withdrawn",
        }
        actions = {
            "suspended": "action_suspend",
            "active": "action_activate",
            "applicant": "action_reapply",
        }
        for old, new in refused:
            with self.subTest(old=old, new=new):
                # put the membership in ``old`` through the allowed path
                member.sudo().with_context(tracking_disable=True)._write({"state": old})
                member.invalidate_recordset()
                with self.assertRaisesRegex(
                    UserError,
                    f"cannot go from {labels[old]} to {labels[new]}",
                ):
                    getattr(member, actions[new])()
                with self.assertRaisesRegex(UserError, r"State \(state\)"):
                    member.write({"state": new})
                self.assertEqual(member.state, old)

    def test_activation_needs_privacy_consent(self):
        partner = self._person("Huang Chun-mei")
        member = (
            self.env["timebank.member"]
            .with_user(self.broker)
            .create({"partner_id": partner.id, "company_id": self.bank_a.id})
        )
        with self.assertRaisesRegex(UserError, "privacy consent is recorded"):
            member.action_activate()
        partner.timebank_privacy_consent = True
        self.assertTrue(partner.timebank_privacy_consent_date)
        member.action_activate()
        self.assertEqual(member.state, "active")

    def test_suspension_needs_a_reason(self):
        member = self._broker_member()
        member.action_activate()
        with self.assertRaisesRegex(UserError, "reason for the suspension"):
            member.action_suspend()
        self.assertEqual(member.state, "active")

    def test_batch_refusal_names_every_member(self):
        first = self._broker_member("Kuo Li-chu")
        second = self._broker_member("Tsai Ming-te")
        with self.assertRaisesRegex(UserError, r"(?s)Kuo Li-chu.*Tsai Ming-te"):
            (first | second).action_suspend()

    def test_member_cannot_be_a_company(self):
        company_partner = self._person("Hsinchu Bakery", is_company=True)
        with self.assertRaisesRegex(ValidationError, "is a company: time bank members"):
            self.env["timebank.member"].create({"partner_id": company_partner.id})

    def test_one_membership_per_bank_and_several_banks(self):
        member = self._member("Lai Hsiu-ying")
        other_bank = (
            self.env["timebank.member"]
            .with_company(self.bank_b)
            .create({"partner_id": member.partner_id.id, "company_id": self.bank_b.id})
        )
        self.assertEqual(member.partner_id.timebank_member_ids, member | other_bank)
        with self.assertRaisesRegex(
            ValidationError, "Lai Hsiu-ying is already a member of Bank A"
        ):
            self.env["timebank.member"].create(
                {"partner_id": member.partner_id.id, "company_id": self.bank_a.id}
            )
