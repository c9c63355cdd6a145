from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestHardFilters(MatchingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.active = cls._volunteer("Active Amy")
        cls.applicant = cls._volunteer("Applicant Ann", active=False)
        cls.suspended = cls._volunteer("Suspended Sam")
        cls.suspended.state_reason = "Paused"
        cls.suspended.action_suspend()
        cls.other_bank = cls._volunteer("Other Bank Olga", bank=cls.bank_b)
        today = fields.Date.today()
        cls.checked = cls._volunteer(
            "Checked Chen",
            km=3,
        )
        # as the bank's code does: timebank_cooperative keeps these dates from
        # its background check records
        cls.checked._guarded_write(
            {
                "background_check_date": today - timedelta(days=30),
                "background_check_expiry": today + timedelta(days=300),
            }
        )
        cls.lapsed = cls._volunteer("Lapsed Lee", km=2)
        cls.lapsed._guarded_write(
            {
                "background_check_date": today - timedelta(days=400),
                "background_check_expiry": today - timedelta(days=1),
            }
        )
        cls.care = cls._service_item(
            "Personal care", category="Care", requires_background_check=True
        )

    def test_only_active_members_of_the_bank(self):
        ranked, _rows = self._ranked(self._request())
        self.assertIn(self.active.id, ranked)
        self.assertNotIn(self.applicant.id, ranked)
        self.assertNotIn(self.suspended.id, ranked)
        self.assertNotIn(self.other_bank.id, ranked)

    def test_not_the_requester(self):
        ranked, _rows = self._ranked(self._request())
        self.assertNotIn(self.elder.id, ranked)
        # an active volunteer asking for help is not offered their own request
        own = self._request(member=self.active)
        ranked, _rows = self._ranked(own)
        self.assertNotIn(self.active.id, ranked)
        self.assertIn(self.elder.id, ranked)

    def test_background_check_when_the_item_needs_one(self):
        ranked, _rows = self._ranked(self._request(item=self.care))
        self.assertEqual(ranked, [self.checked.id])
        ranked, _rows = self._ranked(self._request())
        self.assertIn(self.lapsed.id, ranked)
        self.assertIn(self.active.id, ranked)

    def test_assigning_refuses_what_the_filters_exclude(self):
        request = self._request(item=self.care)
        request.action_publish()
        broker_request = request.with_user(self.broker)
        with self.assertRaisesRegex(
            UserError, "needs a valid background check, which .*Lapsed Lee"
        ):
            broker_request.action_assign(self.lapsed)
        with self.assertRaisesRegex(UserError, "Suspended Sam is not an active"):
            broker_request.action_assign(self.suspended)
        with self.assertRaisesRegex(UserError, "cannot provide it to themselves"):
            broker_request.action_assign(self.elder)
        with self.assertRaisesRegex(UserError, "is not a member of Bank A"):
            broker_request.action_assign(self.other_bank)
        broker_request.action_assign(self.checked)
        self.assertEqual(request.state, "assigned")
        self.assertEqual(request.provider_id, self.checked)
