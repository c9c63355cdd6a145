"""The record rules of requests changed (proxies act within the rights the
person gave them): load them again, although they are in a noupdate block."""

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
