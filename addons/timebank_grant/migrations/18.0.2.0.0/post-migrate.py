from odoo import SUPERUSER_ID, Command, api

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
    # Demo databases: installing accounting made the demo broker an Invoicing
    # Administrator; the broker keeps a broker's groups only.
    broker = env.ref("timebank_core.user_broker_demo", raise_if_not_found=False)
    if broker:
        broker.groups_id = [
            Command.set(
                [
                    env.ref("base.group_user").id,
                    env.ref("timebank_core.group_timebank_broker").id,
                ]
            )
        ]
