from odoo import SUPERUSER_ID, api

from odoo.addons.timebank_grant.models.timebank_grant_expense import OVERRIDE_FIELDS


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # Claims submitted before keep what they hold now, as they were submitted.
    env["timebank.grant.claim"].search(
        [("state", "!=", "draft"), ("line_ids", "=", False)]
    )._snapshot()
    # An override is for one kind and one subsidy, and lost on unassign.
    Expense = env["timebank.grant.expense"]
    Expense.search(
        [("state", "=", "new"), ("override_reason", "!=", False)]
    )._guarded_write(dict.fromkeys(OVERRIDE_FIELDS, False))
    for expense in Expense.search(
        [("state", "=", "assigned"), ("override_reason", "!=", False)]
    ):
        expense._guarded_write(
            {
                "override_kind_id": expense.kind_id.id,
                "override_amount": expense.subsidy_amount,
            }
        )
