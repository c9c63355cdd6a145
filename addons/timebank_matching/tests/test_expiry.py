from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestExpiry(MatchingCase):
    def test_published_requests_expire_when_their_time_has_passed(self):
        with freeze_time("2026-05-04 08:00:00"):
            passing = self._request(start=datetime(2026, 5, 5, 9, 0), hours=2)
            later = self._request(start=datetime(2026, 5, 5, 9, 0), hours=30)
            taken = self._request(start=datetime(2026, 5, 5, 9, 0), hours=2)
            draft = self._request(start=datetime(2026, 5, 5, 9, 0), hours=2)
            (passing | later | taken).action_publish()
            taken.action_assign(self._volunteer("Taker Tang"))
            self.assertFalse(self.env["timebank.request"]._cron_expire())
        with freeze_time("2026-05-05 11:00:01"):
            expired = self.env["timebank.request"]._cron_expire()
        self.assertEqual(expired, passing)
        self.assertEqual(passing.state, "expired")
        self.assertEqual(later.state, "published")
        self.assertEqual(taken.state, "assigned")
        self.assertEqual(draft.state, "draft")
        with freeze_time("2026-05-06 16:00:00"):
            self.env["timebank.request"]._cron_expire()
        self.assertEqual(later.state, "expired")
