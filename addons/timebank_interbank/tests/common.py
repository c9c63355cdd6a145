from odoo.addons.timebank_core.tests.common import TimebankCase, post_opening_balance


class InterbankCase(TimebankCase):
    """Banks A and B of TimebankCase linked in this database (level 0)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Peer = cls.env["timebank.peer"]
        cls.peer_ab = Peer.create(
            {
                "name": "Bank B",
                "company_id": cls.bank_a.id,
                "mode": "local",
                "local_company_id": cls.bank_b.id,
                "limit_they_owe": 300,
                "limit_we_owe": 300,
            }
        )
        cls.peer_ba = Peer.create(
            {
                "name": "Bank A",
                "company_id": cls.bank_b.id,
                "mode": "local",
                "local_company_id": cls.bank_a.id,
                "limit_they_owe": 300,
                "limit_we_owe": 200,
            }
        )
        (cls.peer_ab | cls.peer_ba).action_accept()
        cls.alice = cls._member("Alice", cls.bank_a, active=True)
        cls.bob = cls._member("Bob", cls.bank_b, active=True)
        post_opening_balance(cls.env, cls.alice, 600)
        post_opening_balance(cls.env, cls.bob, 600)

    def _interbank_sum(self):
        """Members + transit + clearing accounts over both banks."""
        accounts = self.env["timebank.account"].search(
            [
                ("company_id", "in", (self.bank_a | self.bank_b).ids),
                ("type", "in", ("member", "peer_transit", "peer_clearing")),
            ]
        )
        return sum(accounts.mapped("balance"))

    def assertLedgersIntact(self):
        for bank in (self.bank_a, self.bank_b):
            result = self.env["timebank.entry"].verify_chain(bank.id)
            self.assertTrue(result["ok"], result)
