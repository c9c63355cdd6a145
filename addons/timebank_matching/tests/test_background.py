from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from . import test_care_plan
from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestBackground(MatchingCase):
    """Care plans and Find Candidates for many requests, in the background:
    how far it is and what failed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.timebank_care_plan_days = 21
        cls.ren = cls._volunteer("Regular Ren")
        cls.ann = cls._volunteer("Able Ann")

    _plan = test_care_plan.TestCarePlan._plan

    def test_a_failing_care_plan_does_not_stop_the_others(self):
        with freeze_time("2026-01-25 02:00:00"):
            kept = self._plan(provider_id=self.ren.id)
            kept.action_start()
            open_plan = self._plan(name="Monday visit", weekday="0")
            open_plan.action_start()
        before = (len(kept.request_ids), len(open_plan.request_ids))
        # Ren is suspended: his plan's new visits cannot be given to him
        self.ren.state_reason = "Away for three months"
        self.ren.action_suspend()
        cron = self.env.ref("timebank_matching.ir_cron_timebank_care_plan")
        with freeze_time("2026-02-01 02:00:00"):
            cron.method_direct_trigger()
        self.assertEqual(len(kept.request_ids), before[0])
        self.assertEqual(len(open_plan.request_ids), before[1] + 1)
        failure = kept.message_ids.filtered(
            lambda m: "could not be made" in (m.body or "")
        )
        self.assertIn("is not an active member", failure.body)
        told = self.env["mail.message"].search(
            [("subject", "like", "Care plan"), ("subject", "like", "failed in Bank A")]
        )
        self.assertEqual(told.partner_ids, self.manager.partner_id)
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        running = self.env["timebank.care.plan"].search_count(
            [("state", "=", "running")]
        )
        self.assertEqual((progress.done, progress.remaining), (running, 0))

    def test_find_candidates_for_many_requests_in_jobs(self):
        requests = self._request() | self._request() | self._request()
        with trap_jobs() as trap:
            action = requests.with_user(self.broker).action_find_candidates_background()
            self.assertIn("3 requests", action["params"]["message"])
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                requests.with_user(self.broker)._job_find_candidates
            )
            self.assertFalse(requests.candidate_ids)
            trap.perform_enqueued_jobs()
        for request in requests:
            self.assertTrue(request.candidate_ids)

    def test_a_failing_request_does_not_stop_the_others(self):
        good = self._request() | self._request()
        cancelled = self._request()
        with trap_jobs() as trap:
            (good | cancelled).with_user(
                self.broker
            ).action_find_candidates_background()
            # cancelled after the job was asked for, before it ran
            cancelled.sudo()._guarded_write({"state": "cancelled"})
            trap.perform_enqueued_jobs()
        for request in good:
            self.assertTrue(request.candidate_ids)
        self.assertFalse(cancelled.candidate_ids)
        failure = cancelled.message_ids.filtered(
            lambda m: "Finding candidates failed" in (m.body or "")
        )
        self.assertIn("there is nobody left to find", failure.body)
        told = self.env["mail.message"].search(
            [("subject", "=", "Finding candidates failed for 1 requests")]
        )
        self.assertEqual(told.partner_ids, self.broker.partner_id)

    def test_only_brokers(self):
        requests = self._request()
        member_user = self._portal_user(self.elder)
        with self.assertRaisesRegex(AccessError, "Only a broker does this"):
            requests.with_user(member_user).action_find_candidates_background()
