from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Accounts approved before this version were presented when they were
    approved; assemblies in session present theirs now, before anyone votes."""
    cr.execute(
        "UPDATE timebank_assembly SET accounts_presented_date = accounts_approved_date "
        "WHERE accounts_approved_date IS NOT NULL AND accounts_presented_date IS NULL"
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    assemblies = env["timebank.assembly"].search(
        [("state", "=", "in_session"), ("accounts_presented_date", "=", False)]
    )
    assemblies.filtered(
        lambda a: a._accounts_items().filtered(lambda i: i.result == "pending")
    )._present_accounts()
