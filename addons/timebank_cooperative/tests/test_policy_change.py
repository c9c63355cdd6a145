from datetime import date, datetime, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import CooperativeCase


@tagged("post_install", "-at_install")
class TestPolicyChange(CooperativeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.write(
            {
                "timebank_expiry_years": 5,
                "timebank_credit_limit": 600,
                "timebank_assembly_quorum": 50,
            }
        )

    def _voted_change(self, changes, votes=("for", "for")):
        with freeze_time("2026-03-01"):
            assembly = self.env["timebank.assembly"].create(
                {
                    "name": "Annual general assembly 2026",
                    "company_id": self.bank_a.id,
                    "date": datetime(2026, 3, 28, 6, 0),
                    "item_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "New policy",
                                "kind": "policy",
                                "policy_change_ids": [(0, 0, vals) for vals in changes],
                            },
                        )
                    ],
                }
            )
            assembly.action_convene()
        with freeze_time("2026-03-28"):
            assembly.action_open()
            item = assembly.item_ids
            for member, choice in zip((self.amy, self.bob), votes, strict=True):
                self.env["timebank.assembly.attendance"].create(
                    {"assembly_id": assembly.id, "member_id": member.id}
                )
                self.env["timebank.assembly.vote"].create(
                    {"item_id": item.id, "member_id": member.id, "choice": choice}
                )
            item.action_close_vote()
        return item.policy_change_ids

    def test_change_takes_effect_on_its_date(self):
        changes = self._voted_change(
            [
                {
                    "kind": "expiry_years",
                    "new_value": 3,
                    "effective_date": "2026-07-01",
                },
                {
                    "kind": "credit_limit",
                    "new_value": 900,
                    "effective_date": "2026-07-01",
                },
                {
                    "kind": "coefficient",
                    "service_item_id": self.item.id,
                    "new_value": 1.5,
                    "effective_date": "2026-07-01",
                },
            ]
        )
        self.assertEqual(set(changes.mapped("state")), {"approved"})
        Change = self.env["timebank.policy.change"]
        with freeze_time("2026-06-30"):
            Change._cron_apply()
        self.assertEqual(self.bank_a.timebank_expiry_years, 5)
        self.assertEqual(self.bank_a.timebank_credit_limit, 600)
        self.assertEqual(self.item.coefficient, 1.0)
        with freeze_time("2026-07-01"):
            Change._cron_apply()
        self.assertEqual(self.bank_a.timebank_expiry_years, 3)
        self.assertEqual(self.bank_a.timebank_credit_limit, 900)
        self.assertEqual(self.item.coefficient, 1.5)
        self.assertEqual(set(changes.mapped("state")), {"applied"})
        self.assertEqual(changes[0].old_value, 5)
        self.assertEqual(changes[0].applied_date, date(2026, 7, 1))
        # applying again changes nothing, even after a manager edited the setting
        self.bank_a.timebank_credit_limit = 700
        with freeze_time("2026-07-02"):
            Change._cron_apply()
        self.assertEqual(self.bank_a.timebank_credit_limit, 700)
        self.assertEqual(changes[0].applied_date, date(2026, 7, 1))

    def test_change_in_the_past_applies_when_adopted(self):
        changes = self._voted_change(
            [{"kind": "expiry_years", "new_value": 4, "effective_date": "2026-01-01"}]
        )
        self.assertEqual(changes.state, "applied")
        self.assertEqual(self.bank_a.timebank_expiry_years, 4)

    def test_rejected_change_never_applies(self):
        changes = self._voted_change(
            [{"kind": "expiry_years", "new_value": 2, "effective_date": "2026-04-01"}],
            votes=("against", "for"),
        )
        self.assertEqual(changes.state, "rejected")
        with freeze_time("2026-05-01"):
            self.env["timebank.policy.change"]._cron_apply()
        self.assertEqual(self.bank_a.timebank_expiry_years, 5)

    def test_voted_change_is_frozen(self):
        changes = self._voted_change(
            [{"kind": "credit_limit", "new_value": 800, "effective_date": "2027-01-01"}]
        )
        with self.assertRaisesRegex(UserError, "cannot be edited"):
            changes.new_value = 8000

    def test_values_checked(self):
        with self.assertRaisesRegex(ValidationError, "whole numbers"):
            self._voted_change(
                [
                    {
                        "kind": "expiry_years",
                        "new_value": 2.5,
                        "effective_date": "2027-01-01",
                    }
                ]
            )
        with self.assertRaisesRegex(ValidationError, "Name the service"):
            self._voted_change(
                [
                    {
                        "kind": "coefficient",
                        "new_value": 2,
                        "effective_date": "2027-01-01",
                    }
                ]
            )

    def test_coefficient_changes_the_catalog_not_the_services_confirmed(self):
        self._checked(self.broker)
        posted = self._confirmed(self.amy, self.bob, minutes=60)
        as_broker = posted.with_user(self.broker).with_company(self.bank_a)
        as_broker.action_verify()
        as_broker.action_post()
        entry = posted.entry_id
        before = (posted.credit_minutes, posted.coefficient, entry.total_minutes)
        self.assertEqual(before, (60, 1.0, 60))
        confirmed = self._confirmed(self.amy, self.bob, minutes=60, days_ago=3)
        start = datetime.now().replace(microsecond=0) - timedelta(days=1)
        draft = self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "receiver_id": self.bob.id,
                "item_id": self.item.id,
                "company_id": self.bank_a.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=60),
            }
        )
        change = self._voted_change(
            [
                {
                    "kind": "coefficient",
                    "service_item_id": self.item.id,
                    "new_value": 1.5,
                    "effective_date": "2026-07-01",
                }
            ]
        )
        with freeze_time("2026-07-01"):
            self.env["timebank.policy.change"]._cron_apply()
        self.assertEqual(change.state, "applied")
        self.assertEqual(change.old_value, 1.0)
        self.assertEqual(self.item.coefficient, 1.5)
        # posted before: exactly as it was, and so is the ledger
        self.env.invalidate_all()
        self.assertEqual(
            (posted.credit_minutes, posted.coefficient, entry.total_minutes), before
        )
        self.assertEqual(entry.state, "posted")
        self.assertEqual(self.amy.balance, 60)
        # confirmed before: kept the coefficient it was confirmed with
        self.assertEqual((confirmed.coefficient, confirmed.credit_minutes), (1.0, 60))
        # a draft follows the catalog
        self.assertEqual((draft.coefficient, draft.credit_minutes), (1.5, 90))
        self.assertTrue(self.env["timebank.entry"].verify_chain(self.bank_a.id)["ok"])

    def test_values_read_as_their_setting(self):
        changes = self._voted_change(
            [
                {
                    "kind": "expiry_years",
                    "new_value": 3,
                    "effective_date": "2026-03-01",
                },
                {
                    "kind": "credit_limit",
                    "new_value": 900,
                    "effective_date": "2026-03-01",
                },
                {
                    "kind": "coefficient",
                    "service_item_id": self.item.id,
                    "new_value": 1.5,
                    "effective_date": "2026-03-01",
                },
            ]
        )
        self.assertEqual(changes.mapped("new_value_text"), ["3 years", "15:00", "1.5"])
        self.assertEqual(changes.mapped("old_value_text"), ["5 years", "10:00", "1"])
        self.assertIn("15:00", changes[1].display_name)
        self.assertNotIn("900", changes[1].display_name)

    def test_a_limit_is_typed_in_hours_and_minutes(self):
        with freeze_time("2026-03-01"):
            assembly = self.env["timebank.assembly"].create(
                {
                    "name": "Assembly typed in h:mm",
                    "company_id": self.bank_a.id,
                    "date": datetime(2026, 3, 28, 6, 0),
                    "item_ids": [(0, 0, {"name": "Limit", "kind": "policy"})],
                }
            )
            with Form(assembly) as form:
                with form.item_ids.edit(0) as item:
                    with item.policy_change_ids.new() as change:
                        change.kind = "credit_limit"
                        change.new_minutes = 150
                        change.effective_date = date(2026, 7, 1)
        self.assertEqual(assembly.item_ids.policy_change_ids.new_value, 150)
        self.assertEqual(assembly.item_ids.policy_change_ids.new_value_text, "2:30")
