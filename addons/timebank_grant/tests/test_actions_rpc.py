from odoo.tests import tagged

from .common import GrantHttpCase


@tagged("post_install", "-at_install")
class TestActionsOverRpc(GrantHttpCase):
    """Every public action of the grant models answers an XML-RPC client
    with something it can read (no ``cannot marshal None``)."""

    def _public_actions(self):
        actions = set()
        for name, model in self.env.registry.items():
            for cls in model.__mro__:
                if getattr(cls, "_module", None) != "timebank_grant":
                    continue
                actions |= {
                    (name, attr)
                    for attr, value in vars(cls).items()
                    if attr.startswith("action_") and callable(value)
                }
        return actions

    def test_every_action_answers_over_xmlrpc(self):
        called = set()

        def act(user, model, method, ids, **kwargs):
            result = self._call(user, model, method, ids, **kwargs)
            self.assertTrue(result, f"{model}.{method} answered {result!r}")
            called.add((model, method))
            return result

        accountant, manager = self.accountant, self.grant_manager
        grant_id = self._call(
            accountant,
            "timebank.grant",
            "create",
            {
                "name": "Time bank grant",
                "program_id": self.program.id,
                "company_id": self.company.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "coi_officer": "no",
                "coi_spouse": "no",
                "coi_relative": "no",
                "line_ids": [
                    (
                        0,
                        0,
                        {"kind_id": self.kinds["training"].id, "subsidy_amount": 9000},
                    )
                ],
            },
        )
        grant = self.env["timebank.grant"].browse(grant_id)
        act(accountant, "timebank.grant", "action_approve", [grant_id])
        act(accountant, "timebank.grant", "action_draft", [grant_id])
        act(accountant, "timebank.grant", "action_approve", [grant_id])
        act(accountant, "timebank.grant", "action_start", [grant_id])
        self._bill(
            [
                ("Handbooks", 1000, {grant.analytic_account_id: 100}),
                ("Raffle prizes", 300, {grant.analytic_account_id: 100}),
            ]
        )
        action = act(accountant, "timebank.grant", "action_import_expenses", [grant_id])
        expenses = self.env["timebank.grant.expense"].search(action["domain"])
        self.assertEqual(len(expenses), 2)
        # imported again: nothing new, and the accountant is told so
        again = act(accountant, "timebank.grant", "action_import_expenses", [grant_id])
        self.assertEqual(again["tag"], "display_notification")
        self.assertIn("No new expenditure", again["params"]["message"])
        act(accountant, "timebank.grant.expense", "action_propose_kind", expenses.ids)
        handbooks = expenses.filtered(lambda e: e.name == "Handbooks")
        prizes = expenses - handbooks
        for expense, kind in ((handbooks, "printing"), (prizes, "prize")):
            self._call(
                accountant,
                "timebank.grant.expense",
                "write",
                expense.ids,
                {"line_id": grant.line_ids.id, "kind_id": self.kinds[kind].id},
            )
        for method in ("action_view_expenses", "action_view_claims"):
            act(accountant, "timebank.grant", method, [grant_id])
        action = act(accountant, "timebank.grant", "action_reconcile", [grant_id])
        act(accountant, action["res_model"], "action_refresh", [action["res_id"]])
        act(accountant, "timebank.grant", "action_budget_xlsx", [grant_id])
        action = act(
            accountant, "timebank.grant", "action_execution_report", [grant_id]
        )
        wizard_id = self._call(
            accountant,
            action["res_model"],
            "create",
            {"date_from": "2026-01-01", "date_to": "2026-06-30"},
            context=action["context"],
        )
        act(accountant, action["res_model"], "action_print_xlsx", [wizard_id])
        act(accountant, "timebank.grant.expense", "action_assign", handbooks.ids)
        act(accountant, "timebank.grant.expense", "action_unassign", handbooks.ids)
        act(accountant, "timebank.grant.expense", "action_assign", handbooks.ids)
        wizard_id = self._call(
            manager,
            "timebank.grant.override.wizard",
            "create",
            {"reason": "Prizes of the ministry's own contest."},
            context={"active_ids": prizes.ids},
        )
        act(manager, "timebank.grant.override.wizard", "action_confirm", [wizard_id])
        action = act(accountant, "timebank.grant", "action_new_claim", [grant_id])
        claim_id = action["res_id"]
        self._call(
            accountant,
            "timebank.grant.claim",
            "write",
            [claim_id],
            {"date_from": "2026-01-01", "date_to": "2026-06-30"},
        )
        for method in (
            "action_collect",
            "action_submit",
            "action_draft",
            "action_submit",
            "action_approve",
            "action_paid",
        ):
            act(accountant, "timebank.grant.claim", method, [claim_id])
        claim = self.env["timebank.grant.claim"].browse(claim_id)
        self.assertEqual(claim.state, "paid")
        self.assertEqual(claim.amount_total, 1300)
        act(accountant, "timebank.grant", "action_amend_budget", [grant_id])
        amendment_id = self._call(
            accountant,
            "timebank.grant.amendment",
            "create",
            {"grant_id": grant_id, "reason": "More handbooks."},
        )
        amendment = self.env["timebank.grant.amendment"].browse(amendment_id)
        self._call(
            accountant,
            "timebank.grant.amendment.line",
            "write",
            amendment.line_ids.ids,
            {"new_subsidy": 9500},
        )
        for user, method in (
            (accountant, "action_confirm"),
            (accountant, "action_draft"),
            (accountant, "action_confirm"),
            (manager, "action_refuse"),
            (accountant, "action_draft"),
            (accountant, "action_confirm"),
            (manager, "action_approve"),
            (accountant, "action_print"),
        ):
            act(user, "timebank.grant.amendment", method, [amendment_id])
        self.assertEqual(grant.line_ids.subsidy_amount, 9500)
        act(accountant, "timebank.grant", "action_view_amendments", [grant_id])
        act(accountant, "timebank.grant", "action_closing", [grant_id])
        act(accountant, "timebank.grant", "action_close", [grant_id])
        self.assertEqual(grant.state, "closed")
        self.assertEqual(called, self._public_actions())
