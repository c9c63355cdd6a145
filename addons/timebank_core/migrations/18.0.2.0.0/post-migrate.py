"""Services recorded before 18.0.2.0.0 take the coefficient and cap of their item.

From this version a service keeps the coefficient and cap it was confirmed with;
the credits already stored on posted services are left exactly as they are.
"""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE timebank_exchange AS e
           SET coefficient = i.coefficient, cap_minutes = COALESCE(i.cap_minutes, 0)
          FROM timebank_service_item AS i
         WHERE i.id = e.item_id AND e.coefficient IS NULL
        """
    )
