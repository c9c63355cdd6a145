from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The ledger arrives: journals, system accounts, chains and member accounts."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([])._timebank_create_ledger()
    env["timebank.member"].search([("account_id", "=", False)])._create_accounts()
