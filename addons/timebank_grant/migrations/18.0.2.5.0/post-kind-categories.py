from odoo import SUPERUSER_ID, api

# The kinds of spending of the 2026 MOHW call and the budget category (the
# approved item of its 經費來源 table) each is spent under; the data file is
# noupdate, so the kinds of an existing database get their category here.
CATEGORIES = {
    "printing": "training",
    "venue": "training",
    "lecturer": "training",
    "supplies": "management_fee",
    "utilities": "management_fee",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for code, category_code in CATEGORIES.items():
        kind = env.ref(
            f"timebank_grant.timebank_grant_expense_kind_mohw_{code}",
            raise_if_not_found=False,
        )
        category = env.ref(
            f"timebank_grant.timebank_grant_expense_kind_mohw_{category_code}",
            raise_if_not_found=False,
        )
        if kind and category and not kind.category_id:
            kind.write(
                {
                    "category_id": category.id,
                    "is_management_fee": kind.is_management_fee
                    or category.is_management_fee,
                }
            )
    # Expenditures assigned before kinds were proposed were decided without a
    # proposal: what has been decided stays decided.
    env["timebank.grant.expense"].search([("state", "=", "assigned")])._guarded_write(
        {"proposed_kind_id": False, "proposed_rule_id": False}
    )
