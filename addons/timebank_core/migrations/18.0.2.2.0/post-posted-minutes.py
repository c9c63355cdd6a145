"""Posted services: what the ledger credits for them now, for the reports."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            "UPDATE timebank_exchange x SET posted_minutes = COALESCE(("
            "  SELECT SUM(l.credit) FROM timebank_entry e"
            "  JOIN timebank_entry_line l ON l.entry_id = e.id"
            "  WHERE e.exchange_id = x.id AND e.state = 'posted'"
            "  AND e.reversed_entry_id IS NULL), 0)"
            " WHERE x.state = 'posted'"
        )
    )
