"""After a dispute corrects a posted service, every figure follows the ledger.

The indicators, the monthly recognition and the grant's execution report count
what the ledger credits for a service now, not the minutes it was posted with.
"""

from datetime import date, datetime, timedelta

from odoo import SUPERUSER_ID
from odoo.tests import freeze_time, tagged

from odoo.addons.timebank_grant.tests.common import GrantCase


@tagged("post_install", "-at_install")
class TestNumbersAfterDispute(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write({"timebank_broker_check_required": False})
        cls.bank_env = cls.env(user=SUPERUSER_ID)
        Member = cls.bank_env["timebank.member"]
        cls.members = {}
        for name in ("Amy", "David"):
            partner = cls.bank_env["res.partner"].create(
                {"name": name, "timebank_privacy_consent": True}
            )
            member = Member.create(
                {"partner_id": partner.id, "company_id": cls.company.id}
            )
            member.action_activate()
            cls.members[name] = member
        category = cls.bank_env["timebank.service.category"].create(
            {"name": "Repairs", "company_id": cls.company.id}
        )
        cls.repair = cls.bank_env["timebank.service.item"].create(
            {
                "name": "Home repair",
                "category_id": category.id,
                "company_id": cls.company.id,
            }
        )
        cls.grant = cls._running_grant([("training", 100000, 0)])

    def _figures(self):
        kpis = (
            self.env["timebank.kpi.wizard"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 31),
                }
            )
            ._kpis()
        )
        ranking = (
            self.env["timebank.recognition.wizard"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "period": "month",
                    "date": date(2026, 3, 15),
                }
            )
            ._ranking()
        )
        execution = (
            self.env["timebank.grant.execution.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "grant_id": self.grant.id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 31),
                }
            )
            ._execution_data(self.grant, date(2026, 3, 1), date(2026, 3, 31))
        )
        return kpis, ranking, execution

    @freeze_time("2026-04-10")
    def test_a_correction_reaches_every_report(self):
        amy, david = self.members["Amy"], self.members["David"]
        start = datetime(2026, 3, 10, 9, 0)
        service = self.bank_env["timebank.exchange"].create(
            {
                "provider_id": amy.id,
                "receiver_id": david.id,
                "item_id": self.repair.id,
                "company_id": self.company.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=90),
            }
        )
        service.action_submit()
        service.action_confirm("phone")
        service.action_verify()
        service.action_post()
        kpis, ranking, execution = self._figures()
        self.assertEqual(kpis["minutes"], 90)
        self.assertEqual(ranking[0][:2], (amy, 90))
        self.assertEqual(execution["credited_minutes"], 90)

        dispute = self.bank_env["timebank.dispute"].create(
            {
                "name": "The repair took one hour",
                "description": "Both agree it ended at ten.",
                "category": "hours",
                "exchange_id": service.id,
                "adjust_credits": True,
                "corrected_minutes": 60,
                "resolution": "One hour.",
            }
        )
        dispute.action_review()
        dispute.action_resolve()
        self.assertEqual(amy.account_id.balance, 60)
        self.assertEqual(service.posted_minutes, 60)

        kpis, ranking, execution = self._figures()
        self.assertEqual(kpis["minutes"], amy.account_id.balance)
        self.assertEqual(kpis["given_received"][amy][0], 60)
        self.assertEqual(ranking[0][:2], (amy, 60))
        # credited as corrected (what was worked stays the service's own times)
        self.assertEqual(execution["credited_minutes"], 60)
        self.assertEqual(execution["by_item"][0][2], 60)
