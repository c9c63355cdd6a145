"""Brokers invite the members of their bank to a gathering in one go."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestGatheringInvite(CommunityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.applicant = cls._member("Cai Applicant", email="cai@example.com")
        cls.dan = cls._member("Dan Wu", active=True, email="dan@example.com")
        cls.bank_b_member = cls._member(
            "Eve Other", bank=cls.bank_b, active=True, email="eve@example.com"
        )
        cls.gathering = cls._gathering()

    def test_the_template_makes_a_gathering_with_odoo_mail_schedulers(self):
        self.assertTrue(self.gathering.timebank_gathering)
        schedules = {
            (m.interval_type, m.interval_unit, m.interval_nbr, m.template_ref)
            for m in self.gathering.event_mail_ids
        }
        self.assertEqual(
            schedules,
            {
                ("after_sub", "now", 0, self.env.ref("event.event_subscription")),
                ("before_event", "days", 1, self.env.ref("event.event_reminder")),
            },
        )
        celebration = self._gathering(
            event_type_id=self.env.ref(
                "timebank_community.event_type_annual_celebration"
            ).id
        )
        self.assertTrue(celebration.timebank_gathering)
        other = self.env["event.event"].create(
            {
                "name": "Not ours",
                "date_begin": self.gathering.date_begin,
                "date_end": self.gathering.date_end,
            }
        )
        self.assertFalse(other.timebank_gathering)

    def test_invite_registers_every_active_member_once(self):
        # Dan is registered already and said he cannot come
        self.env["event.registration"].create(
            {"event_id": self.gathering.id, "partner_id": self.dan.partner_id.id}
        ).action_cancel()
        gathering = self.gathering.with_user(self.broker)
        result = gathering.action_timebank_invite()
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(
            "2 members invited, 1 of them without e-mail", result["params"]["message"]
        )
        registrations = self.gathering.registration_ids
        self.assertEqual(
            registrations.partner_id,
            (self.amy | self.bo | self.dan).partner_id,
            "active members of bank A only: no applicant, nobody of bank B",
        )
        amy = self._registrations(self.gathering, self.amy)
        self.assertEqual(
            (amy.name, amy.email, amy.state), ("Amy Chen", "amy@example.com", "open")
        )
        bo = self._registrations(self.gathering, self.bo)
        self.assertEqual((bo.name, bo.email, bo.phone), ("Bo Lin", False, bo.phone))
        self.assertTrue(bo.phone)
        self.assertEqual(self._registrations(self.gathering, self.dan).state, "cancel")
        # the paper-first member is in the broker's activity, with the phone
        activity = self.gathering.activity_ids
        self.assertEqual(activity.summary, "Invite by phone or letter")
        self.assertEqual(activity.user_id, self.broker)
        self.assertIn("Bo Lin", activity.note)
        self.assertIn(bo.phone, activity.note)
        self.assertNotIn("Amy", activity.note)
        # again: nobody is registered twice, no new activity
        result = gathering.action_timebank_invite()
        self.assertIn("0 members invited", result["params"]["message"])
        self.assertEqual(len(self.gathering.registration_ids), 3)
        self.assertEqual(len(self.gathering.activity_ids), 1)

    def test_only_brokers_invite(self):
        organiser = new_test_user(
            self.env,
            login="tb_event_manager",
            groups="base.group_user,event.group_event_manager",
            company_id=self.bank_a.id,
            company_ids=[self.bank_a.id],
        )
        with self.assertRaisesRegex(
            AccessError, "Only a broker invites the members to a gathering"
        ):
            self.gathering.with_user(organiser).action_timebank_invite()
        self.assertFalse(self.gathering.registration_ids)

    def test_invite_refuses_what_is_not_a_gathering_of_a_bank(self):
        plain = self.env["event.event"].create(
            {
                "name": "Concert",
                "company_id": self.bank_a.id,
                "date_begin": self.gathering.date_begin,
                "date_end": self.gathering.date_end,
            }
        )
        with self.assertRaisesRegex(UserError, "Concert is not a time bank gathering"):
            plain.with_user(self.broker).action_timebank_invite()
        self.gathering.company_id = False
        with self.assertRaisesRegex(UserError, "has no time bank: set its company"):
            self.gathering.with_user(self.broker).action_timebank_invite()

    def test_the_member_form_counts_the_gatherings_attended(self):
        self.gathering.with_user(self.broker).action_timebank_invite()
        self.assertEqual(self.amy.gathering_count, 0)
        self._registrations(self.gathering, self.amy).action_set_done()
        self.amy.invalidate_recordset(["gathering_count"])
        self.assertEqual(self.amy.with_user(self.broker).gathering_count, 1)
        self.assertEqual(self.bo.gathering_count, 0)
        action = self.amy.with_user(self.broker).action_view_gatherings()
        self.assertEqual(
            self.env["event.registration"].search(action["domain"]),
            self._registrations(self.gathering, self.amy),
        )
