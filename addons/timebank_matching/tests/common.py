from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.timebank_core.tests.common import TimebankCase

# kilometres in one degree of latitude, on the mean earth radius
KM_PER_DEGREE = 6371.0088 * 3.141592653589793 / 180
HOME = (24.8, 120.97)


class MatchingCase(TimebankCase):
    """An elder in bank A who needs shopping done, and helpers for volunteers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopping = cls._service_item("Shopping", category="Errands")
        cls.elder = cls._member(
            "Elder Lin",
            active=True,
            partner_latitude=HOME[0],
            partner_longitude=HOME[1],
            birthdate_date=date(1940, 3, 1),
        )

    @classmethod
    def _volunteer(cls, name, km=1.0, bank=None, active=True, **partner_vals):
        """An active member ``km`` kilometres north of the elder."""
        partner_vals.setdefault("birthdate_date", date(1985, 6, 1))
        partner_vals.setdefault("partner_latitude", HOME[0] + km / KM_PER_DEGREE)
        partner_vals.setdefault("partner_longitude", HOME[1])
        return cls._member(name, bank=bank, active=active, **partner_vals)

    @classmethod
    def _portal_user(cls, member, login=None):
        """A portal login for ``member``, in the member's bank."""
        partner = member.partner_id
        return new_test_user(
            cls.env,
            login=login or partner.name.lower().replace(" ", "_"),
            name=partner.name,
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=partner.id,
            company_id=member.company_id.id,
            company_ids=[member.company_id.id],
        )

    @classmethod
    def _request(cls, item=None, member=None, start=None, hours=2, **vals):
        """A draft request of the elder, with one preferred time window."""
        start = start or fields.Datetime.now().replace(microsecond=0) + timedelta(
            days=2
        )
        return cls.env["timebank.request"].create(
            dict(
                {
                    "member_id": (member or cls.elder).id,
                    "item_id": (item or cls.shopping).id,
                    "company_id": (member or cls.elder).company_id.id,
                    "tz": "UTC",
                    "window_ids": [
                        Command.create(
                            {
                                "date_from": start,
                                "date_to": start + timedelta(hours=hours),
                            }
                        )
                    ],
                },
                **vals,
            )
        )

    def _ranked(self, request, limit=50):
        """Member ids of the ranking, best first, and the rows."""
        rows = self.env["timebank.matching.engine"]._rank(request, limit)[request]
        return [row["member_id"] for row in rows], rows
