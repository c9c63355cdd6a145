from xmlrpc.client import Fault

from odoo.tests import new_test_user, tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestConfigurationRights(GrantHttpCase):
    """A program binds the grants of every bank that uses it: the grant
    manager changes the programs of their own banks, only the system
    administrator changes the shared ones, and the accountant none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dinner = cls.kinds["dinner"]
        cls.deadline = cls.program.deadline_ids[0]
        cls.program_b = cls.env["timebank.grant.program"].create(
            {
                "name": "Bank B's county fund",
                "year": 2026,
                "company_id": cls.company_b.id,
                "kind_ids": [(0, 0, {"name": "Workshops"})],
            }
        )
        cls.admin = new_test_user(
            cls.env,
            login="grant_sysadmin",
            groups="base.group_system,timebank_grant.group_grant_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id, cls.company_b.id],
        )

    def _assert_program_unchanged(self):
        self.assertEqual(self.program.fee_rate, 10)
        self.assertTrue(self.dinner.excluded)
        self.assertEqual(self.deadline.month, 7)

    def test_accountant_changes_no_program(self):
        for model, record, vals, kind in (
            ("timebank.grant.program", self.program, {"fee_rate": 20}, "Grant Program"),
            (
                "timebank.grant.expense.kind",
                self.dinner,
                {"excluded": False},
                "Grant Expense Kind",
            ),
            (
                "timebank.grant.deadline",
                self.deadline,
                {"month": 9},
                "Grant Report Deadline",
            ),
        ):
            with (
                self.subTest(model=model),
                self.assertRaisesRegex(
                    Fault, rf"You are not allowed to modify '{kind}'"
                ),
            ):
                self._call(self.accountant, model, "write", record.ids, vals)
        with self.assertRaisesRegex(
            Fault, r"You are not allowed to create 'Grant Expense Kind'"
        ):
            self._call(
                self.accountant,
                "timebank.grant.expense.kind",
                "create",
                {"name": "Dinners, again", "program_id": self.program.id},
            )
        with self.assertRaisesRegex(
            Fault, r"You are not allowed to create 'Grant Program'"
        ):
            self._call(
                self.accountant,
                "timebank.grant.program",
                "create",
                {"name": "Own fund", "year": 2026, "company_id": self.company.id},
            )
        self._assert_program_unchanged()

    def test_grant_manager_changes_the_programs_of_their_bank_only(self):
        for model, record, vals, kind in (
            ("timebank.grant.program", self.program, {"fee_rate": 20}, "Grant Program"),
            (
                "timebank.grant.expense.kind",
                self.dinner,
                {"excluded": False},
                "Grant Expense Kind",
            ),
            (
                "timebank.grant.deadline",
                self.deadline,
                {"month": 9},
                "Grant Report Deadline",
            ),
        ):
            with (
                self.subTest(model=model),
                self.assertRaisesRegex(
                    Fault, rf"doesn't have 'write' access to:.*- {kind}"
                ),
            ):
                self._call(self.grant_manager, model, "write", record.ids, vals)
        with self.assertRaisesRegex(Fault, r"doesn't have 'create' access"):
            self._call(
                self.grant_manager,
                "timebank.grant.program",
                "create",
                {"name": "Shared by anyone", "year": 2026},
            )
        with self.assertRaisesRegex(Fault, r"doesn't have 'unlink' access"):
            self._call(
                self.grant_manager,
                "timebank.grant.deadline",
                "unlink",
                self.deadline.ids,
            )
        with self.assertRaisesRegex(Fault, r"top-secret records"):
            self._call(
                self.grant_manager,
                "timebank.grant.program",
                "write",
                self.program_b.ids,
                {"fee_rate": 20},
            )
        self.assertEqual(self.program_b.fee_rate, 10)
        program_id = self._call(
            self.grant_manager,
            "timebank.grant.program",
            "create",
            {
                "name": "Bank A's own fund",
                "year": 2026,
                "company_id": self.company.id,
                "kind_ids": [(0, 0, {"name": "Workshops"})],
                "deadline_ids": [(0, 0, {"name": "Report", "month": 12})],
            },
        )
        self._call(
            self.grant_manager,
            "timebank.grant.program",
            "write",
            [program_id],
            {
                "fee_rate": 15,
                "kind_ids": [(0, 0, {"name": "Dinners", "excluded": True})],
            },
        )
        program = self.env["timebank.grant.program"].browse(program_id)
        self.assertEqual(program.fee_rate, 15)
        self.assertEqual(program.kind_ids.mapped("name"), ["Workshops", "Dinners"])
        self._assert_program_unchanged()

    def test_system_administrator_changes_shared_programs(self):
        self._call(
            self.admin,
            "timebank.grant.program",
            "write",
            self.program.ids,
            {"fee_rate": 8},
        )
        self._call(
            self.admin,
            "timebank.grant.expense.kind",
            "write",
            self.dinner.ids,
            {"note": "Not even working dinners."},
        )
        self.assertEqual(self.program.fee_rate, 8)
        self.assertEqual(self.dinner.note, "Not even working dinners.")
