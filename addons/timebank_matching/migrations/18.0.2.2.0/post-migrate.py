"""A request booked with a standing offer, and its preferred times, are seen
only by the member whose offer it is (besides its requester and the brokers):
load the record rules of requests again, although they are in a noupdate
block."""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(
        env,
        "timebank_matching",
        "security/timebank_matching_security.xml",
        {},
        mode="init",
        noupdate=True,
    )
