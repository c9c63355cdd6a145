"""A coefficient changed by the general assembly moves no past figure.

Services posted before the change, their ledger entries and balances, the
indicators of the period and the grant's execution report read exactly the same
after the assembly's policy change is applied; only services not yet confirmed
follow the new coefficient.
"""

import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from odoo import SUPERUSER_ID
from odoo.tests import freeze_time, tagged

from odoo.addons.timebank_grant.tests.common import GrantCase


@tagged("post_install", "-at_install")
class TestPolicyHistory(GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write(
            {"timebank_assembly_quorum": 50, "timebank_broker_check_required": False}
        )
        # the time bank side is run by its broker; OdooBot stands in for them
        cls.bank_env = cls.env(user=SUPERUSER_ID)
        Member = cls.bank_env["timebank.member"]
        cls.members = {}
        for name, born in (("Amy", date(1950, 4, 1)), ("David", date(1990, 9, 9))):
            partner = cls.bank_env["res.partner"].create(
                {"name": name, "birthdate_date": born, "timebank_privacy_consent": True}
            )
            member = Member.create(
                {"partner_id": partner.id, "company_id": cls.company.id}
            )
            member.action_activate()
            member.write({"has_own_credit_limit": True, "credit_limit": 10000})
            cls.members[name] = member
        category = cls.bank_env["timebank.service.category"].create(
            {"name": "Care", "company_id": cls.company.id}
        )
        cls.escort = cls.bank_env["timebank.service.item"].create(
            {
                "name": "Hospital escort",
                "category_id": category.id,
                "company_id": cls.company.id,
                "coefficient": 1.5,
            }
        )
        cls.grant = cls._running_grant([("training", 100000, 0)])

    def _service(self, provider, receiver, start, minutes):
        return self.bank_env["timebank.exchange"].create(
            {
                "provider_id": self.members[provider].id,
                "receiver_id": self.members[receiver].id,
                "item_id": self.escort.id,
                "company_id": self.company.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=minutes),
            }
        )

    def _figures(self, posted):
        """Everything of the first half of 2026 that must never move."""
        posted = posted.with_env(self.bank_env)
        posted.invalidate_recordset()
        kpi = (
            self.env["timebank.kpi.wizard"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 6, 30),
                }
            )
        )
        kpis = kpi._kpis()
        kpis["given_received"] = {
            member.id: value for member, value in kpis["given_received"].items()
        }
        wizard = (
            self.env["timebank.grant.execution.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "grant_id": self.grant.id,
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 6, 30),
                }
            )
        )
        report = self.env.ref("timebank_grant.timebank_grant_execution_xlsx_report")
        content, _kind = report.with_user(self.accountant)._render_xlsx(
            report.report_name, wizard.ids, data={}
        )
        book = load_workbook(io.BytesIO(content))
        return {
            "services": posted.read(
                ["credit_minutes", "actual_minutes", "coefficient", "cap_minutes"]
            ),
            "entries": posted.entry_id.read(["name", "total_minutes", "chain_hash"]),
            "balances": {
                name: member.account_id.balance for name, member in self.members.items()
            },
            "kpis": kpis,
            "execution": wizard._execution_data(
                self.grant, date(2026, 1, 1), date(2026, 6, 30)
            ),
            "xlsx": [
                [[cell.value for cell in row] for row in sheet.iter_rows()]
                for sheet in book.worksheets
                if sheet.title != book.worksheets[0].title
            ],
        }

    def _approve_coefficient(self, value, effective):
        """The annual assembly votes the new coefficient of the escort."""
        assembly = self.bank_env["timebank.assembly"].create(
            {
                "name": "Annual general assembly 2026",
                "company_id": self.company.id,
                "date": datetime(2026, 6, 28, 6, 0),
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Escorts are harder than they look",
                            "kind": "policy",
                            "policy_change_ids": [
                                (
                                    0,
                                    0,
                                    {
                                        "kind": "coefficient",
                                        "service_item_id": self.escort.id,
                                        "new_value": value,
                                        "effective_date": effective,
                                    },
                                )
                            ],
                        },
                    )
                ],
            }
        )
        with freeze_time("2026-06-01"):
            assembly.action_convene()
        with freeze_time("2026-06-28"):
            assembly.action_open()
            item = assembly.item_ids
            for member in self.members.values():
                self.bank_env["timebank.assembly.attendance"].create(
                    {"assembly_id": assembly.id, "member_id": member.id}
                )
                self.bank_env["timebank.assembly.vote"].create(
                    {"item_id": item.id, "member_id": member.id, "choice": "for"}
                )
            item.action_close_vote()
        return item.policy_change_ids

    def test_coefficient_change_moves_no_past_figure(self):
        with freeze_time("2026-06-20"):
            posted = self._service(
                "Amy", "David", datetime(2026, 2, 10, 2), 120
            ) | self._service("David", "Amy", datetime(2026, 5, 1, 2), 40)
            posted.action_submit()
            posted.action_confirm("phone")
            posted.action_verify()
            posted.action_post()
            waiting = self._service("Amy", "David", datetime(2026, 6, 19, 2), 60)
        self.assertEqual(posted.mapped("credit_minutes"), [180, 60])
        before = self._figures(posted)
        change = self._approve_coefficient(3.0, "2026-07-01")
        self.assertEqual(change.state, "approved")
        with freeze_time("2026-07-01"):
            self.bank_env["timebank.policy.change"]._cron_apply()
        self.assertEqual(change.state, "applied")
        self.assertEqual(self.escort.coefficient, 3.0)
        self.assertEqual(self._figures(posted), before)
        self.assertTrue(
            self.bank_env["timebank.entry"].verify_chain(self.company.id)["ok"]
        )
        # the service not yet confirmed follows the new coefficient
        self.assertEqual((waiting.coefficient, waiting.credit_minutes), (3.0, 180))
