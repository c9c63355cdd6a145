"""The place of a request is kept for the brokers in address, address_latitude
and address_longitude; place, latitude and longitude now show it to whoever may
see it. Keep what was stored."""

from odoo.tools import sql

RENAMED = {
    "place": "address",
    "latitude": "address_latitude",
    "longitude": "address_longitude",
}


def migrate(cr, version):
    for old, new in RENAMED.items():
        if sql.column_exists(cr, "timebank_request", old) and not sql.column_exists(
            cr, "timebank_request", new
        ):
            sql.rename_column(cr, "timebank_request", old, new)
