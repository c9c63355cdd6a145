from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestSecurity(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True, birthdate_date=date(1955, 3, 1))
        cls.carol_user = new_test_user(
            cls.env,
            login="tb_carol",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.carol.partner_id.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.member_b = cls._member("Wang in B", bank=cls.bank_b, active=True)

    def test_portal_member_sees_only_their_membership(self):
        Member = self.env["timebank.member"].with_user(self.carol_user)
        self.assertEqual(Member.search([]), self.carol)
        self.assertEqual(self.carol.with_user(self.carol_user).state, "active")
        with self.assertRaisesRegex(AccessError, "Time Bank Membership"):
            self.david.with_user(self.carol_user).read(["state"])

    def test_portal_member_cannot_change_a_membership(self):
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            self.carol.with_user(self.carol_user).write({"number": "X1"})
        with self.assertRaisesRegex(AccessError, "not allowed to modify"):
            self.carol.with_user(self.carol_user).action_withdraw()

    def test_portal_member_cannot_read_another_persons_care_data(self):
        with self.assertRaises(AccessError):
            self.david.partner_id.with_user(self.carol_user).read(["birthdate_date"])

    def test_proxy_sees_the_elder_they_act_for(self):
        self.david.partner_id.write(
            {
                "timebank_proxy_id": self.carol.partner_id.id,
                "timebank_proxy_consent_date": date(2026, 1, 5),
            }
        )
        Member = self.env["timebank.member"].with_user(self.carol_user)
        self.assertEqual(Member.search([]), self.carol | self.david)

    def test_portal_member_reads_the_catalog(self):
        category = self.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": self.bank_a.id}
        )
        item = self.env["timebank.service.item"].create(
            {
                "name": "Shopping",
                "category_id": category.id,
                "company_id": self.bank_a.id,
            }
        )
        self.assertEqual(item.with_user(self.carol_user).coefficient, 1.0)

    def test_bank_a_cannot_read_bank_b_members(self):
        Member = self.env["timebank.member"].with_user(self.broker)
        self.assertEqual(Member.search([("id", "=", self.member_b.id)]), Member)
        self.assertIn(self.carol, Member.search([]))
        member_b = Member.browse(self.member_b.id)
        with self.assertRaisesRegex(AccessError, "Time Bank Membership"):
            member_b.read(["state"])
        with self.assertRaisesRegex(AccessError, "Time Bank Membership"):
            member_b.write({"state_reason": "x"})

    def test_bank_b_broker_sees_only_bank_b(self):
        Member = self.env["timebank.member"].with_user(self.broker_b)
        self.assertEqual(Member.search([]), self.member_b)

    def test_other_bank_catalog_is_hidden(self):
        category = self.env["timebank.service.category"].create(
            {"name": "B only", "company_id": self.bank_b.id}
        )
        shared = self.env["timebank.service.category"].create(
            {"name": "Shared", "company_id": False}
        )
        Category = self.env["timebank.service.category"].with_user(self.broker)
        found = Category.search([("id", "in", (category | shared).ids)])
        self.assertEqual(found, shared)

    def test_only_managers_delete_memberships(self):
        applicant = self._member("Chen")
        with self.assertRaisesRegex(AccessError, "not allowed to delete"):
            applicant.with_user(self.broker).unlink()
        account = applicant.account_id
        applicant.with_user(self.manager).unlink()
        self.assertFalse(applicant.exists())
        self.assertFalse(account.exists())

    def test_membership_with_movements_cannot_be_deleted(self):
        self.env["timebank.entry"].create(
            {
                "journal_id": self.env["timebank.journal"]
                ._get(self.bank_a, "exchange")
                .id,
                "line_ids": [
                    Command.create(
                        {"account_id": self.carol.account_id.id, "debit": 5}
                    ),
                    Command.create(
                        {"account_id": self.david.account_id.id, "credit": 5}
                    ),
                ],
            }
        ).action_post()
        with self.assertRaisesRegex(UserError, "withdraw the membership instead"):
            self.carol.with_user(self.manager).unlink()

    def test_internal_user_without_time_bank_rights(self):
        clerk = new_test_user(
            self.env,
            login="tb_clerk",
            groups="base.group_user",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        with self.assertRaises(AccessError):
            self.env["timebank.member"].with_user(clerk).search([])
        with self.assertRaises(AccessError):
            self.david.partner_id.with_user(clerk).read(["timebank_care_needs"])
