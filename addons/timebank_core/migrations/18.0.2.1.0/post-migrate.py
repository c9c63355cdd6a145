"""Entries chained before the chain had versions were hashed under version 1."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            "UPDATE timebank_entry SET chain_version = 1 "
            "WHERE chain_sequence IS NOT NULL AND chain_version IS NULL"
        )
    )
