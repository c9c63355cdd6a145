from datetime import date, timedelta

from odoo.addons.timebank_matching.tests.common import MatchingCase


class TrainingMatchingCase(MatchingCase):
    """Bank A's escort to hospital requires a first-aid training; volunteers
    with a valid, an expired, a lapsing, a later or another training, or none.

    The requests are for the day after tomorrow (``_request``'s default).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        Kind = cls.env["timebank.training.kind"]
        cls.first_aid = Kind.create({"name": "First aid", "company_id": cls.bank_a.id})
        cls.dementia = Kind.create(
            {"name": "Dementia care", "company_id": cls.bank_a.id}
        )
        cls.escort = cls._service_item(
            "Escort to hospital",
            category="Care",
            required_training_kind_ids=[(6, 0, cls.first_aid.ids)],
        )
        cls.trained = cls._volunteer("Trained Tia", km=4)
        cls._training(cls.trained, expiry=today + timedelta(days=300))
        cls.untrained = cls._volunteer("Untrained Uma", km=1)
        cls.expired = cls._volunteer("Expired Eli", km=2)
        cls._training(cls.expired, expiry=today - timedelta(days=1))
        # valid today, but no longer on the request's day
        cls.lapsing = cls._volunteer("Lapsing Lou", km=3)
        cls._training(cls.lapsing, expiry=today + timedelta(days=1))
        # passed tomorrow, valid on the request's day
        cls.soon = cls._volunteer("Soon Sol", km=5)
        cls._training(cls.soon, passed=today + timedelta(days=1))
        cls.other_kind = cls._volunteer("Other Kind Oma", km=2.5)
        cls._training(cls.other_kind, kind=cls.dementia)
        # trained, but not an active member
        cls.suspended = cls._volunteer("Suspended Sue", km=3.5)
        cls._training(cls.suspended)
        cls.suspended.state_reason = "Paused"
        cls.suspended.action_suspend()

    @classmethod
    def _training(cls, member, passed=None, expiry=None, kind=None):
        kind = kind or cls.first_aid
        return cls.env["timebank.broker.check"].create(
            {
                "name": "First aid course",
                "kind": "training",
                "training_kind_id": kind.id,
                "partner_id": member.partner_id.id,
                "company_id": kind.company_id.id,
                "date": passed or date.today() - timedelta(days=30),
                "expiry_date": expiry,
                "issuer": "Red Cross",
            }
        )
