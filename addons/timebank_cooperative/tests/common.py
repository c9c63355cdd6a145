from datetime import date, datetime, timedelta

from odoo.tests import HttpCase, freeze_time, new_test_user

from odoo.addons.timebank_core.tests.common import TimebankCase


class CooperativeCase(TimebankCase):
    """Bank A requires checked and trained brokers; members and a service item."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.bank_a | cls.bank_b).timebank_broker_check_required = True
        cls.amy = cls._member("Amy Lin", active=True)
        cls.bob = cls._member("Bob Chen", active=True)
        cls.item = cls._service_item("Shopping")

    @classmethod
    def _check(cls, partner, kind, passed, expiry=None, bank=None, name=None):
        return cls.env["timebank.broker.check"].create(
            {
                "name": name or f"{kind} of {partner.name}",
                "kind": kind,
                "partner_id": partner.id,
                "company_id": (bank or cls.bank_a).id,
                "date": passed,
                "expiry_date": expiry,
            }
        )

    @classmethod
    def _checked(cls, user, bank=None, today=None):
        """A valid background check and training for ``user`` in ``bank``."""
        today = today or date.today()
        for kind in ("background", "training"):
            cls._check(
                user.partner_id,
                kind,
                today - timedelta(days=30),
                today + timedelta(days=300),
                bank,
            )

    @classmethod
    def _confirmed(cls, provider, receiver, item=None, minutes=60, days_ago=2):
        start = datetime.now().replace(microsecond=0) - timedelta(days=days_ago)
        exchange = cls.env["timebank.exchange"].create(
            {
                "provider_id": provider.id,
                "receiver_id": receiver.id,
                "item_id": (item or cls.item).id,
                "company_id": provider.company_id.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=minutes),
            }
        )
        exchange.action_submit()
        exchange.action_confirm("phone")
        return exchange

    @classmethod
    def _portal_user(cls, member, login):
        return new_test_user(
            cls.env,
            login=login,
            name=member.partner_id.name,
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=member.partner_id.id,
            company_id=member.company_id.id,
            company_ids=[member.company_id.id],
        )


class AssemblyCase(CooperativeCase):
    """Five active members in bank A, a quorum of 50 % and one proxy each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # five active members in bank A: Amy, Bob and these three
        cls.carol = cls._member("Carol Wu", active=True)
        cls.dan = cls._member("Dan Ho", active=True)
        cls.eve = cls._member("Eve Kao", active=True)
        cls.bank_a.write(
            {"timebank_assembly_quorum": 50, "timebank_assembly_max_proxies": 1}
        )

    def _assembly(self, **vals):
        return (
            self.env["timebank.assembly"]
            .with_user(self.broker)
            .with_company(self.bank_a)
            .create(
                dict(
                    {
                        "name": "Annual general assembly",
                        "date": datetime.now() + timedelta(days=20),
                        "item_ids": [
                            (
                                0,
                                0,
                                {"name": "Accounts of the year", "kind": "accounts"},
                            ),
                            (0, 0, {"name": "Report", "kind": "information"}),
                        ],
                    },
                    **vals,
                )
            )
        )

    def _in_session(self, **vals):
        assembly = self._assembly(**vals)
        assembly.action_convene()
        self._open(assembly)
        return assembly

    @staticmethod
    def _open(assembly):
        """Open the session on the day and hour it was convened for."""
        with freeze_time(assembly.date):
            assembly.action_open()

    def _attend(self, assembly, member, proxy=None):
        return self.env["timebank.assembly.attendance"].create(
            {
                "assembly_id": assembly.id,
                "member_id": member.id,
                "mode": "proxy" if proxy else "person",
                "proxy_id": proxy.id if proxy else False,
            }
        )

    def _vote(self, item, member, choice):
        return self.env["timebank.assembly.vote"].create(
            {"item_id": item.id, "member_id": member.id, "choice": choice}
        )

    @staticmethod
    def _accounts(assembly):
        return assembly.item_ids.filtered(lambda i: i.kind == "accounts")


class CooperativeHttpCase(HttpCase, AssemblyCase):
    """The same banks and members, for calls through the external API."""

    def _rpc(self, login, model, method, *args, **kwargs):
        """Call ``method`` as ``login`` over XML-RPC; the records are read
        afresh afterwards."""
        db = self.env.cr.dbname
        # the password new_test_user gives
        password = login + "x" * (8 - len(login))
        uid = self.xmlrpc_common.authenticate(db, login, password, {})
        self.assertTrue(uid, f"{login} could not log in")
        self.env.flush_all()
        try:
            return self.xmlrpc_object.execute_kw(
                db, uid, password, model, method, list(args), kwargs
            )
        finally:
            self.env.invalidate_all()
