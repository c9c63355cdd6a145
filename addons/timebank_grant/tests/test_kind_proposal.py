from xmlrpc.client import Fault

from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestKindProposal(GrantHttpCase):
    """A product, an expense account or a word of the label proposes the kind
    of spending of an imported journal item, so that an excluded kind is
    proposed, not hoped for; another kind needs the accountant's written
    decision, kept with who and when."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 100000, 0), ("management_fee", 10000, 0)]
        )
        cls.training, cls.fee = cls.grant.line_ids
        cls.account = cls.grant.analytic_account_id

    def _import_one(self, label, amount=8000):
        self._bill([(label, amount, {self.account: 100})])
        return self._import(self.grant)

    def _write(self, expense, vals, user=None):
        return self._call(
            user or self.accountant,
            "timebank.grant.expense",
            "write",
            expense.ids,
            vals,
        )

    def _assign(self, expense, user=None):
        return self._call(
            user or self.accountant,
            "timebank.grant.expense",
            "action_assign",
            expense.ids,
        )

    def test_hiking_coach_is_proposed_as_travel_and_refused_as_training(self):
        expense = self._import_one("健行旅遊遊覽車")
        travel = self.kinds["travel"]
        self.assertEqual(expense.proposed_kind_id, travel)
        self.assertEqual(expense.kind_id, travel, "the proposal is the kind")
        with self.assertRaisesRegex(
            Fault, r"Travel \(including hiking\) is not eligible"
        ):
            self._assign(expense)
        # passed as training, it is refused and says why
        self._write(
            expense,
            {"line_id": self.training.id, "kind_id": self.kinds["training"].id},
        )
        refusal = (
            r"健行旅遊遊覽車 looks like Travel \(including hiking\) "
            r"\(keyword “旅遊”\), "
            r"which 2026 MOHW time bank grant does not pay for: keep Travel "
            r"\(including hiking\), or write in Kind Decision why it is Training "
            r"and activities\."
        )
        with self.assertRaisesRegex(Fault, refusal):
            self._assign(expense)
        self.assertEqual(expense.state, "new")
        self.assertEqual(self.training.subsidy_remaining, 100000)
        # the accountant decides otherwise, in writing
        self._write(
            expense,
            {"kind_reason": "The coach took the volunteers to the first-aid course."},
        )
        self.assertEqual(expense.kind_reason_user_id, self.accountant)
        self.assertTrue(expense.kind_reason_date)
        self.assertEqual(expense.kind_reason_kind_id, self.kinds["training"])
        self.assertIn(
            "Grant Accountant decided that this is Training and activities, not "
            "Travel (including hiking): The coach took the volunteers to the "
            "first-aid course.",
            "".join(expense.message_ids.mapped("body")),
        )
        self._assign(expense)
        self.assertEqual(expense.state, "assigned")
        self.assertEqual(self.training.subsidy_committed, 8000)

    def test_decision_is_for_one_kind_and_its_trace_is_not_written(self):
        expense = self._import_one("Spring hiking, coach hire")
        self.assertEqual(expense.proposed_kind_id, self.kinds["travel"])
        self._write(
            expense,
            {
                "line_id": self.training.id,
                "kind_id": self.kinds["venue"].id,
                "kind_reason": "Hall hire, the label is wrong.",
            },
        )
        self.assertEqual(expense.kind_reason_kind_id, self.kinds["venue"])
        self._write(expense, {"kind_id": self.kinds["printing"].id})
        with self.assertRaisesRegex(Fault, r"why it is Printing"):
            self._assign(expense)
        for name, value in (
            ("kind_reason_user_id", self.grant_manager.id),
            ("kind_reason_kind_id", self.kinds["printing"].id),
            ("proposed_kind_id", self.kinds["printing"].id),
        ):
            with self.assertRaisesRegex(Fault, rf"\({name}\) cannot be written"):
                self._write(expense, {name: value})
        self.assertEqual(expense.kind_reason_user_id, self.accountant)
        self.assertEqual(expense.proposed_kind_id, self.kinds["travel"])

    def test_assigned_decision_stays(self):
        expense = self._import_one("郊遊交通車")
        self._write(
            expense,
            {
                "line_id": self.training.id,
                "kind_id": self.kinds["venue"].id,
                "kind_reason": "Shuttle to the training venue.",
            },
        )
        self._assign(expense)
        with self.assertRaisesRegex(
            Fault, r"Unassign the expenditure before changing its kind decision"
        ):
            self._write(expense, {"kind_reason": False})
        self.assertEqual(expense.kind_reason, "Shuttle to the training venue.")

    def test_product_and_account_propose_their_kind(self):
        Rule = self.env["timebank.grant.kind.rule"]
        product = self.env["product.product"].create({"name": "Year-end banquet"})
        account = self.company_data["default_account_expense"]
        Rule.create(
            [
                {
                    "program_id": self.program.id,
                    "kind_id": self.kinds["dinner"].id,
                    "product_id": product.id,
                },
                {
                    "program_id": self.program.id,
                    "kind_id": self.kinds["printing"].id,
                    "account_id": account.id,
                },
            ]
        )
        bill = self._bill([("Handbooks", 1000, {self.account: 100})])
        expense = self._import(self.grant)
        self.assertEqual(expense.move_line_id.account_id, account)
        self.assertEqual(expense.proposed_kind_id, self.kinds["printing"])
        self.assertEqual(bill.state, "posted")
        dinner = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": "2026-03-10",
                "currency_id": self.twd.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "name": "Team meal",
                            "price_unit": 3000,
                            "tax_ids": [],
                            "analytic_distribution": {str(self.account.id): 100},
                        },
                    )
                ],
            }
        )
        dinner.action_post()
        expense = self._import(self.grant)
        # an excluded kind wins over the account's kind
        self.assertEqual(expense.proposed_kind_id, self.kinds["dinner"])

    def test_later_rules_do_not_change_what_was_proposed(self):
        expense = self._import_one("Volunteer T-shirts")
        self.assertFalse(expense.proposed_kind_id)
        self._write(
            expense,
            {"line_id": self.training.id, "kind_id": self.kinds["printing"].id},
        )
        self._assign(expense)
        self.env["timebank.grant.kind.rule"].create(
            {
                "program_id": self.program.id,
                "kind_id": self.kinds["clothing"].id,
                "keyword": "t-shirt",
            }
        )
        expense.invalidate_recordset()
        self.assertFalse(expense.proposed_kind_id)
        self._call(
            self.accountant,
            "timebank.grant.expense",
            "action_propose_kind",
            expense.ids,
        )
        self.assertFalse(expense.proposed_kind_id, "assigned: decided already")
        other = self._import_one("Event T-shirts for the volunteers")
        self.assertEqual(other.proposed_kind_id, self.kinds["clothing"])

    def test_every_excluded_kind_of_the_call_has_keywords(self):
        rules = self.env["timebank.grant.kind.rule"].search(
            [("program_id", "=", self.program.id)]
        )
        for kind in self.program.kind_ids.filtered(lambda k: k.excluded or k.personnel):
            self.assertIn(kind, rules.kind_id, kind.name)
