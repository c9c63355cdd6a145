"""The matching engine reads the dispute history of timebank_cooperative."""

from odoo.tests import tagged

from odoo.addons.timebank_matching.tests.common import MatchingCase


@tagged("post_install", "-at_install")
class TestMatchingDisputes(MatchingCase):
    def _dispute(self, member, state=None):
        dispute = self.env["timebank.dispute"].create(
            {
                "name": f"Complaint about {member.partner_id.name}",
                "description": "Came an hour late.",
                "category": "no_show",
                "member_id": member.id,
                "company_id": member.company_id.id,
                "raised_as": "broker",
            }
        )
        if state == "rejected":
            dispute.resolution = "The member was on time."
            dispute.with_user(self.broker).action_reject()
        return dispute

    def test_disputes_about_a_volunteer_lower_their_rank(self):
        disputed = self._volunteer("Disputed Du", km=1)
        calm = self._volunteer("Calm Ke", km=1)
        self._dispute(disputed)
        self._dispute(disputed)
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [calm.id, disputed.id])
        self.assertEqual(rows[1]["disputes"], 2)
        self.assertLess(rows[1]["reliability"], rows[0]["reliability"])

    def test_rejected_disputes_do_not_count(self):
        cleared = self._volunteer("Cleared Chu", km=1)
        self._dispute(cleared, state="rejected")
        engine = self.env["timebank.matching.engine"]
        self.assertEqual(engine._dispute_counts(self.bank_a), {})
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [cleared.id])
        self.assertEqual(rows[0]["disputes"], 0)

    def test_disputes_of_another_bank_do_not_count(self):
        volunteer = self._volunteer("Two Banks", km=1)
        elsewhere = self._member("Two Banks", bank=self.bank_b, active=True)
        self._dispute(elsewhere)
        ranked, rows = self._ranked(self._request())
        self.assertEqual(ranked, [volunteer.id])
        self.assertEqual(rows[0]["disputes"], 0)
