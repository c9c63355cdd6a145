from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import AssemblyCase


@tagged("post_install", "-at_install")
class TestLockDate(AssemblyCase):
    def test_assembly_does_not_open_before_its_date(self):
        with freeze_time("2026-12-01"):
            assembly = self._assembly(date=datetime(2026, 12, 31, 10, 0))
            assembly.action_convene()
            with self.assertRaisesRegex(UserError, "its session opens that day"):
                assembly.action_open()
        self.assertEqual(assembly.state, "convened")
        with freeze_time("2026-12-31 10:00"):
            assembly.action_open()
        self.assertEqual(assembly.state, "in_session")

    def test_lock_date_not_written_by_hand(self):
        with self.assertRaisesRegex(UserError, "cannot be written by hand"):
            self.bank_a.write({"timebank_lock_date": "2025-12-31"})
        self.bank_a._timebank_lock_until("2025-12-31")
        with self.assertRaisesRegex(UserError, "cannot be written by hand"):
            self.bank_a.write({"timebank_lock_date": False})

    def test_lock_blocks_one_bank_only(self):
        self.bank_a._timebank_lock_until("2025-12-31")
        with (
            freeze_time("2025-08-08"),
            self.assertRaisesRegex(UserError, "locked until 2025-12-31"),
        ):
            self._pay(self._system("issuance"), self.amy, 30)
        # a posting in the open period goes through
        self._pay(self._system("issuance"), self.amy, 30)
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"])
