from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.timebank_matching_engine import TimebankMatchingEngine
from ..models.timebank_request import TimebankRequest
from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestAllowedMembers(MatchingCase):
    """The hook through which other addons add hard filters to the engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.amy = cls._volunteer("Allowed Amy", km=1)
        cls.bo = cls._volunteer("Allowed Bo", km=2)
        cls.cy = cls._volunteer("Allowed Cy", km=3)

    def _ranked_many(self, requests, allowed):
        engine = self.env["timebank.matching.engine"]
        with patch.object(
            TimebankMatchingEngine,
            "_allowed_members",
            lambda self, company, requests: allowed,
        ):
            ranking = engine._rank(requests, 50)
        return {
            request: [row["member_id"] for row in rows]
            for request, rows in ranking.items()
        }

    def test_no_restriction_by_default(self):
        request = self._request()
        engine = self.env["timebank.matching.engine"]
        self.assertEqual(engine._allowed_members(self.bank_a, request), {})
        self.assertEqual(request._provider_refusals(self.amy), [])

    def test_restricted_requests_rank_only_the_members_allowed(self):
        only_bo, nobody, free = self._request(), self._request(), self._request()
        ranked = self._ranked_many(
            only_bo | nobody | free,
            {only_bo.id: {self.bo.id, self.elder.id}, nobody.id: set()},
        )
        # the engine's own filters still apply: not the requester
        self.assertEqual(ranked[only_bo], [self.bo.id])
        self.assertEqual(ranked[nobody], [])
        self.assertEqual(ranked[free], [self.amy.id, self.bo.id, self.cy.id])

    def test_restrictions_combine(self):
        engine = self.env["timebank.matching.engine"]
        self.assertEqual(
            engine._restrict({1: {10, 11}, 2: {20}}, {1: {11, 12}, 3: set()}),
            {1: {11}, 2: {20}, 3: set()},
        )

    def test_provider_refused_by_the_hook(self):
        request = self._request()
        request.action_publish()
        with patch.object(
            TimebankRequest,
            "_provider_refusals",
            lambda self, member: [f"{member.partner_id.name} may not."],
        ):
            with self.assertRaisesRegex(UserError, "Allowed Amy may not."):
                request.with_user(self.broker).action_assign(self.amy)
        self.assertFalse(request.provider_id)
        request.with_user(self.broker).action_assign(self.amy)
        self.assertEqual(request.provider_id, self.amy)
