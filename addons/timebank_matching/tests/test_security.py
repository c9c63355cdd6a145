from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestSecurity(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.volunteer = cls._volunteer("Portal Pan")
        cls.portal = new_test_user(
            cls.env,
            login="portal_pan",
            name="Portal Pan",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.volunteer.partner_id.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        cls.published = cls._request()
        cls.published.action_publish()
        cls.draft = cls._request()
        cls.elder_b = cls._member("Elder B", bank=cls.bank_b, active=True)
        category_b = cls.env["timebank.service.category"].create(
            {"name": "Errands B", "company_id": cls.bank_b.id}
        )
        item_b = cls.env["timebank.service.item"].create(
            {
                "name": "Errands B",
                "category_id": category_b.id,
                "company_id": cls.bank_b.id,
            }
        )
        cls.request_b = cls.env["timebank.request"].create(
            {
                "member_id": cls.elder_b.id,
                "item_id": item_b.id,
                "company_id": cls.bank_b.id,
            }
        )

    def test_brokers_see_their_own_bank_only(self):
        Request = self.env["timebank.request"]
        seen_a = Request.with_user(self.broker).search([])
        self.assertIn(self.draft, seen_a)
        self.assertNotIn(self.request_b, seen_a)
        seen_b = Request.with_user(self.broker_b).search([])
        self.assertIn(self.request_b, seen_b)
        self.assertNotIn(self.published, seen_b)
        with self.assertRaisesRegex(AccessError, "Time Bank Request"):
            self.published.with_user(self.broker_b).read(["name"])

    def test_members_see_open_requests_and_their_own_only(self):
        seen = self.env["timebank.request"].with_user(self.portal).search([])
        self.assertIn(self.published, seen)
        self.assertNotIn(self.draft, seen)
        self.assertNotIn(self.request_b, seen)
        with self.assertRaisesRegex(AccessError, "Time Bank Request"):
            self.published.with_user(self.portal).write({"description": "mine"})
        self.published.with_user(self.portal).action_claim()
        self.published.invalidate_recordset()
        self.published.sudo()._guarded_write({"state": "assigned"})
        # still theirs to see once taken
        self.assertIn(
            self.published,
            self.env["timebank.request"].with_user(self.portal).search([]),
        )

    def test_members_do_not_see_candidates_or_care_plans(self):
        self.published.action_find_candidates()
        with self.assertRaisesRegex(AccessError, "Ranked Candidate"):
            self.env["timebank.request.candidate"].with_user(self.portal).search([])
        with self.assertRaisesRegex(AccessError, "Recurring Care Plan"):
            self.env["timebank.care.plan"].with_user(self.portal).search([])

    def test_members_see_the_times_of_the_requests_and_offers_they_see(self):
        Window = self.env["timebank.request.window"].with_user(self.portal)
        seen = Window.search([])
        self.assertEqual(seen, self.published.window_ids)
        with self.assertRaisesRegex(AccessError, "Preferred Time of a Request"):
            self.draft.window_ids.with_user(self.portal).read(["request_id"])
        offers = self.env["timebank.offer"].create(
            [
                {
                    "name": name,
                    "member_id": self.volunteer.id if mine else self.elder.id,
                    "company_id": self.bank_a.id,
                    "slot_ids": [Command.create({"hour_from": 9, "hour_to": 12})],
                }
                for name, mine in (("Mine", True), ("Draft of another", False))
            ]
        )
        Slot = self.env["timebank.offer.slot"].with_user(self.portal)
        self.assertEqual(Slot.search([]), offers[0].slot_ids)
        self.assertEqual(
            self.env["timebank.offer.slot"].with_user(self.broker).search([]),
            offers.slot_ids,
        )
