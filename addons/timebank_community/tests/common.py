from datetime import datetime, timedelta

from odoo.addons.timebank_core.tests.common import TimebankCase


class CommunityCase(TimebankCase):
    """Bank A's members and a gathering of the bank, a week from now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gathering_type = cls.env.ref(
            "timebank_community.event_type_timebank_gathering"
        )
        cls.amy = cls._member("Amy Chen", active=True, email="amy@example.com")
        # paper-first: no e-mail, a phone
        cls.bo = cls._member("Bo Lin", active=True, phone="+886 2 2345 6789")

    @classmethod
    def _gathering(cls, bank=None, days=7, **vals):
        begin = datetime.now().replace(microsecond=0) + timedelta(days=days)
        return cls.env["event.event"].create(
            dict(
                {
                    "name": "Spring tea afternoon",
                    "event_type_id": cls.gathering_type.id,
                    "company_id": (bank or cls.bank_a).id,
                    "date_begin": begin,
                    "date_end": begin + timedelta(hours=2),
                    "timebank_published": True,
                },
                **vals,
            )
        )

    @classmethod
    def _registrations(cls, event, member):
        return cls.env["event.registration"].search(
            [("event_id", "=", event.id), ("partner_id", "=", member.partner_id.id)]
        )
