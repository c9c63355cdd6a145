"""What a record's create reaches through x2many commands is checked as usual.

A model's own ``create`` may set its number and its terms; the values a client
sends may also hold commands on other records (``(1, id, values)``), which must
not ride on that leave.
"""

from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import TimebankCase, xmlrpc_call


@tagged("post_install", "-at_install")
class TestNestedCommands(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": cls.bank_a.id}
        )
        cls.item = cls.env["timebank.service.item"].create(
            {
                "name": "Shopping",
                "category_id": category.id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.amy = cls._member("Amy", active=True)
        cls.david = cls._member("David", active=True)
        cls.entry = cls._pay(
            cls._system("issuance"), cls.amy, 60, journal_type="adjustment"
        )
        start = fields.Datetime.now() - timedelta(hours=5)
        cls.vals = {
            "provider_id": cls.amy.id,
            "receiver_id": cls.david.id,
            "item_id": cls.item.id,
            "company_id": cls.bank_a.id,
            "date_start": start,
            "date_end": start + timedelta(hours=1),
        }
        cls.dispute = cls.env["timebank.dispute"].create(
            {
                "name": "Late",
                "description": "Came late.",
                "category": "quality",
                "member_id": cls.amy.id,
                "company_id": cls.bank_a.id,
            }
        )

    def _rpc(self, login, model, method, *args):
        return xmlrpc_call(self, login, model, method, *args)

    def test_a_dispute_created_does_not_reopen_a_posted_entry(self):
        with self.assertRaisesRegex(Fault, r"\(state\)[^.]* cannot be written"):
            self._rpc(
                "tb_manager",
                "timebank.dispute",
                "create",
                {
                    "name": "Anything",
                    "description": "Anything.",
                    "category": "quality",
                    "member_id": self.amy.id,
                    "company_id": self.bank_a.id,
                    "entry_ids": [(1, self.entry.id, {"state": "draft"})],
                },
            )
        self.assertEqual(self.entry.state, "posted")

    def test_a_service_created_does_not_decide_a_dispute(self):
        vals = dict(
            self.vals,
            date_start=fields.Datetime.to_string(self.vals["date_start"]),
            date_end=fields.Datetime.to_string(self.vals["date_end"]),
            dispute_ids=[(1, self.dispute.id, {"state": "resolved"})],
        )
        with self.assertRaisesRegex(Fault, r"\(state\)[^.]* cannot be written"):
            self._rpc("tb_broker", "timebank.exchange", "create", vals)
        self.assertEqual(self.dispute.state, "new")
