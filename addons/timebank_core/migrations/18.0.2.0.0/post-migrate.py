"""Services recorded before 18.0.2.0.0 take the coefficient and cap of their item,
and the record rules of the time bank (a noupdate block) are loaded again.

From this version a service keeps the coefficient and cap it was confirmed with;
the credits already stored on posted services are left exactly as they are. The
rules now give a proxy only what the person allowed and hide persons who are
members of other banks only.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file


def migrate(cr, version):
    cr.execute(
        """
        UPDATE timebank_exchange AS e
           SET coefficient = i.coefficient, cap_minutes = COALESCE(i.cap_minutes, 0)
          FROM timebank_service_item AS i
         WHERE i.id = e.item_id AND e.coefficient IS NULL
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(
        env,
        "timebank_core",
        "security/timebank_core_security.xml",
        {},
        mode="init",
        noupdate=True,
    )
