import base64
from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import Form, tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestAmendment(GrantHttpCase):
    """A running grant's budget changes through versioned amendments only:
    who, when, why, old and new amounts; moves within an approved item are
    applied at once, others wait for a grant manager; no line goes below
    what it has used."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant = cls._running_grant(
            [("training", 10000, 0), ("printing", 5000, 0), ("management_fee", 1500, 0)]
        )
        cls.training, cls.printing, cls.fee = cls.grant.line_ids
        cls.bill, cls.expense = cls._assigned_bill(cls.grant, cls.training)

    def _amend(self, amounts, reason="Fewer workshops, more handbooks.", user=None):
        """An amendment of the accountant; ``amounts`` is {grant line:
        (subsidy, self-funded)}."""
        user = user or self.accountant
        amendment_id = self._call(
            user,
            "timebank.grant.amendment",
            "create",
            {"grant_id": self.grant.id, "reason": reason},
        )
        amendment = self.env["timebank.grant.amendment"].browse(amendment_id)
        self._call(
            user,
            "timebank.grant.amendment",
            "write",
            [amendment_id],
            {
                "line_ids": [
                    (
                        1,
                        line.id,
                        {
                            "new_subsidy": amounts[line.grant_line_id][0],
                            "new_self_funded": amounts[line.grant_line_id][1],
                        },
                    )
                    for line in amendment.line_ids
                    if line.grant_line_id in amounts
                ]
            },
        )
        return amendment

    def _act(self, user, amendment, method):
        return self._call(user, "timebank.grant.amendment", method, amendment.ids)

    def test_the_accountant_amends_in_the_form(self):
        action = self.grant.with_user(self.accountant).action_amend_budget()
        Amendment = (
            self.env[action["res_model"]]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        with Form(Amendment) as form:
            self.assertEqual(len(form.line_ids), 3)
            form.reason = "The second workshop is cancelled."
            with form.line_ids.edit(0) as line:
                self.assertEqual(line.old_subsidy, 10000)
                line.new_subsidy = 8000
            with form.line_ids.edit(1) as line:
                line.new_subsidy = 7000
        amendment = form.record
        self.assertEqual(len(amendment.line_ids), 3)
        self.assertEqual(amendment.line_ids.mapped("old_subsidy"), [10000, 5000, 1500])
        amendment.action_confirm()
        self.assertEqual(amendment.state, "approved")
        self.assertEqual(amendment.version, 2)
        self.assertEqual(
            (self.training.subsidy_amount, self.printing.subsidy_amount), (8000, 7000)
        )

    def test_plain_write_of_a_running_line_is_refused(self):
        refusal = (
            r"The budget of Time bank grant is running: its lines change only "
            r"through a budget amendment"
        )
        for user in (self.accountant, self.grant_manager):
            with self.assertRaisesRegex(Fault, refusal):
                self._call(
                    user,
                    "timebank.grant.line",
                    "write",
                    self.training.ids,
                    {"subsidy_amount": 5792},
                )
            with self.assertRaisesRegex(Fault, refusal):
                self._call(
                    user,
                    "timebank.grant",
                    "write",
                    self.grant.ids,
                    {"line_ids": [(1, self.training.id, {"name": "x"})]},
                )
        self.assertEqual(self.training.subsidy_amount, 10000)

    def test_running_line_is_not_cut_below_what_is_used(self):
        self.assertEqual(self.training.subsidy_committed, 6200)
        amendment = self._amend({self.training: (5792, 0), self.printing: (9208, 0)})
        with self.assertRaisesRegex(
            Fault,
            r"Budget line Training and activities: TWD 6,200 of subsidy is used "
            r"already, more than the new subsidy of TWD 5,792 \(TWD -408 would be "
            r"left\)",
        ):
            self._act(self.accountant, amendment, "action_confirm")
        self.assertEqual(amendment.state, "draft")
        self.assertEqual(self.training.subsidy_amount, 10000)
        self.assertEqual(self.training.subsidy_remaining, 3800)

    def test_unassigning_a_credit_note_does_not_leave_a_line_below_zero(self):
        account = self.grant.analytic_account_id
        refund = self.env["account.move"].create(
            {
                "move_type": "in_refund",
                "partner_id": self.partner_a.id,
                "invoice_date": "2026-03-12",
                "date": "2026-03-12",
                "currency_id": self.twd.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Workshop discount",
                            "price_unit": 408,
                            "tax_ids": [],
                            "analytic_distribution": {str(account.id): 100},
                        }
                    )
                ],
            }
        )
        refund.action_post()
        self.env["ir.attachment"].create(
            {
                "name": "credit-note.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 credit note"),
                "res_model": "account.move",
                "res_id": refund.id,
            }
        )
        credit = self._import(self.grant)
        credit.write({"line_id": self.training.id, "kind_id": self.kinds["venue"].id})
        credit.action_assign()
        self._bill([("Second workshop", 4208, {account: 100})])
        second = self._import(self.grant)
        second.write({"line_id": self.training.id, "kind_id": self.kinds["venue"].id})
        second.action_assign()
        self.assertEqual(self.training.subsidy_remaining, 0)
        with self.assertRaisesRegex(
            Fault,
            r"Budget line Training and activities: TWD 10,408 of subsidy is "
            r"assigned to expenditures, more than the new subsidy budget of "
            r"TWD 10,000",
        ):
            self._call(
                self.accountant, "timebank.grant.expense", "action_unassign", credit.ids
            )
        self.assertEqual(credit.state, "assigned")
        self.assertEqual(self.training.subsidy_remaining, 0)

    def test_move_within_an_item_is_applied_at_once(self):
        # training and printing are both lines of Training and activities
        amendment = self._amend({self.training: (7000, 0), self.printing: (8000, 0)})
        self._act(self.accountant, amendment, "action_confirm")
        self.assertEqual(amendment.state, "approved")
        self.assertFalse(amendment.requires_approval)
        self.assertEqual(amendment.version, 2)
        self.assertEqual(amendment.request_user_id, self.accountant)
        self.assertTrue(amendment.request_date)
        self.assertEqual(
            [
                (line.kind_name, line.old_subsidy, line.new_subsidy)
                for line in amendment.line_ids
            ],
            [
                ("Training and activities", 10000, 7000),
                ("Printing", 5000, 8000),
                ("Project management fee", 1500, 1500),
            ],
        )
        self.assertEqual(
            (self.training.subsidy_amount, self.printing.subsidy_amount), (7000, 8000)
        )
        self.assertEqual(self.grant.budget_version, 2)
        first = self.grant.amendment_ids.filtered(lambda a: a.version == 1)
        self.assertEqual(first.line_ids.mapped("new_subsidy"), [10000, 5000, 1500])

    def test_other_changes_wait_for_the_grant_manager(self):
        amendment = self._amend(
            {self.training: (9000, 0), self.fee: (1400, 0), self.printing: (5000, 500)}
        )
        self._act(self.accountant, amendment, "action_confirm")
        self.assertEqual(amendment.state, "to_approve")
        self.assertTrue(amendment.requires_approval)
        self.assertEqual(self.training.subsidy_amount, 10000)
        with self.assertRaisesRegex(
            Fault, r"Only a grant manager may approve or refuse a budget amendment"
        ):
            self._act(self.accountant, amendment, "action_approve")
        with self.assertRaisesRegex(Fault, r"only a draft amendment changes"):
            self._call(
                self.accountant,
                "timebank.grant.amendment",
                "write",
                amendment.ids,
                {"state": "approved"},
            )
        with self.assertRaisesRegex(Fault, r"only a draft amendment changes"):
            self._call(
                self.accountant,
                "timebank.grant.amendment.line",
                "write",
                amendment.line_ids[:1].ids,
                {"new_subsidy": 1},
            )
        self._act(self.grant_manager, amendment, "action_approve")
        self.assertEqual(amendment.state, "approved")
        self.assertEqual(amendment.approve_user_id, self.grant_manager)
        self.assertEqual(amendment.version, 2)
        self.assertEqual(
            (self.training.subsidy_amount, self.fee.subsidy_amount), (9000, 1400)
        )
        self.assertEqual(self.printing.self_funded_amount, 500)
        self.assertEqual(amendment.subsidy_total, 15400)
        self.assertEqual(amendment.fee_cap, 1400)

    def test_an_amendment_keeps_the_funders_rules(self):
        amendment = self._amend({self.fee: (1600, 0)})
        with self.assertRaisesRegex(
            Fault, r"management fee of TWD 1,600 exceeds its cap of TWD 1,500"
        ):
            self._act(self.accountant, amendment, "action_confirm")
        self.assertEqual(amendment.state, "draft")

    def test_one_open_amendment_and_plain_fields_guarded(self):
        with self.assertRaisesRegex(Fault, r"\(version\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.amendment",
                "create",
                {"grant_id": self.grant.id, "reason": "x", "version": 7},
            )
        amendment = self._amend({self.training: (9000, 0)})
        with self.assertRaisesRegex(Fault, r"is not decided yet"):
            self._amend({self.training: (8000, 0)})
        for vals in ({"state": "approved"}, {"approve_user_id": self.accountant.id}):
            with self.assertRaisesRegex(Fault, r"cannot be written"):
                self._call(
                    self.accountant,
                    "timebank.grant.amendment",
                    "write",
                    amendment.ids,
                    vals,
                )
        with self.assertRaisesRegex(Fault, r"\(old_subsidy\) cannot be written"):
            self._call(
                self.accountant,
                "timebank.grant.amendment.line",
                "write",
                amendment.line_ids[:1].ids,
                {"old_subsidy": 1},
            )
        self.assertEqual(amendment.state, "draft")
        self.assertEqual(amendment.line_ids[0].old_subsidy, 10000)

    def test_approved_amendment_stays_when_configuration_changes(self):
        amendment = self._amend({self.training: (7000, 0), self.printing: (8000, 0)})
        self._act(self.accountant, amendment, "action_confirm")
        report = self.env.ref("timebank_grant.timebank_grant_amendment_report")
        before = report._render_qweb_html(report.report_name, amendment.ids)[0]
        self.kinds["printing"].name = "Printed matter"
        self.kinds["printing"].category_id = False
        self.program.fee_rate = 5
        amendment.invalidate_recordset()
        self.assertEqual(amendment.line_ids[1].kind_name, "Printing")
        self.assertEqual(amendment.fee_cap, 1500)
        self.assertFalse(amendment.requires_approval)
        self.assertEqual(amendment.state, "approved")
        after = report._render_qweb_html(report.report_name, amendment.ids)[0]
        self.assertEqual(before, after)
        with self.assertRaisesRegex(Fault, r"only a draft amendment changes"):
            self._call(
                self.grant_manager,
                "timebank.grant.amendment",
                "write",
                amendment.ids,
                {"reason": "Rewritten"},
            )
        with self.assertRaisesRegex(Fault, r"only a draft amendment can be deleted"):
            self._call(
                self.grant_manager, "timebank.grant.amendment", "unlink", amendment.ids
            )

    def test_every_version_is_printed(self):
        amendment = self._amend({self.training: (7000, 0), self.printing: (8000, 0)})
        self._act(self.accountant, amendment, "action_confirm")
        report = self.env.ref("timebank_grant.timebank_grant_amendment_report")
        for version in self.grant.amendment_ids:
            html = (
                report.with_user(self.accountant)
                ._render_qweb_html(report.report_name, version.ids)[0]
                .decode()
            )
            self.assertIn(f"Budget version <span>{version.version}</span>", html)
            self.assertIn(version.reason, html)
        pdf, kind = (
            report.with_user(self.accountant)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report.report_name, amendment.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_broker_cannot_see_amendments(self):
        amendment = self._amend({self.training: (7000, 0), self.printing: (8000, 0)})
        for model, ids in (
            ("timebank.grant.amendment", amendment.ids),
            ("timebank.grant.amendment.line", amendment.line_ids.ids),
            ("timebank.grant.kind.rule", []),
        ):
            with self.assertRaisesRegex(Fault, r"You are not allowed to access"):
                self._call(self.broker, model, "search_read", [("id", "in", ids)])

    def test_other_bank_sees_no_amendment(self):
        self._amend({self.training: (7000, 0), self.printing: (8000, 0)})
        self.assertFalse(
            self._call(self.accountant_b, "timebank.grant.amendment", "search_read", [])
        )
