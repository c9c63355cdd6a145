from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from odoo.addons.timebank_core.tests.common import xmlrpc_call

from .common import AssemblyCase, CooperativeCase


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


@tagged("post_install", "-at_install")
class TestLockDateRpc(CooperativeCase, HttpCase):
    """The sealed year holds over XML-RPC, for the lowest user who could try."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._checked(cls.broker)
        cls.admin = new_test_user(
            cls.env,
            login="tb_lock_admin",
            groups="base.group_user,base.group_system,"
            "timebank_core.group_timebank_manager",
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id, cls.bank_b.id],
        )

    def test_a_broker_cannot_post_into_a_sealed_year(self):
        exchange = self._confirmed(self.amy, self.bob, minutes=60, days_ago=2)
        exchange.with_user(self.broker).action_verify()
        yesterday = date.today() - timedelta(days=1)
        self.bank_a._timebank_lock_until(yesterday)
        with self.assertRaisesRegex(Fault, "cannot be posted with that date"):
            xmlrpc_call(
                self,
                self.broker.login,
                "timebank.exchange",
                "action_post",
                exchange.ids,
            )
        self.assertEqual(exchange.state, "verified")
        self.assertEqual(self.amy.balance, 0)
        # the other bank's ledger is not sealed
        lin = self._member("Lin", bank=self.bank_b, active=True)
        self.bank_b.timebank_pool_credit_limit = 1000
        entry = self._pay(
            self._system("pool", self.bank_b), lin, 30, bank=self.bank_b, date=yesterday
        )
        self.assertEqual(entry.state, "posted")

    def test_the_lock_date_is_not_written_over_rpc(self):
        self.bank_a._timebank_lock_until("2025-12-31")
        for value in (False, "2024-12-31", "2027-12-31"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(Fault, "cannot be written by hand"):
                    xmlrpc_call(
                        self,
                        self.admin.login,
                        "res.company",
                        "write",
                        self.bank_a.ids,
                        {"timebank_lock_date": value},
                    )
        self.assertEqual(str(self.bank_a.timebank_lock_date), "2025-12-31")
