from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TimebankCase


@tagged("post_install", "-at_install")
class TestLedgerTransfer(TimebankCase):
    """``timebank.entry._transfer`` / ``_transfer_many``: the one way the
    product's code moves minutes (services, gifts, expiry, corrections)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol, cls.david, cls.emma = (
            cls._member(name, active=True) for name in ("Carol", "David", "Emma")
        )
        cls.journal = cls._journal("exchange")

    def test_a_transfer_is_one_posted_two_line_entry(self):
        entry = self.env["timebank.entry"]._transfer(
            self.journal,
            self.carol.account_id,
            self.david.account_id,
            90,
            "Shopping",
            credit_label="Shopping for Carol",
        )
        self.assertEqual(entry.state, "posted")
        self.assertEqual(
            [
                (line.account_id, line.debit, line.credit, line.name)
                for line in entry.line_ids
            ],
            [
                (self.carol.account_id, 90, 0, "Shopping"),
                (self.david.account_id, 0, 90, "Shopping for Carol"),
            ],
        )
        self.assertEqual((self.carol.balance, self.david.balance), (-90, 90))

    def test_a_batch_posts_all_or_nothing(self):
        self.bank_a.timebank_credit_limit = 120
        transfers = [
            {
                "journal": self.journal,
                "debit": self.carol.account_id,
                "credit": self.david.account_id,
                "minutes": 60,
                "ref": "Errand",
            },
            {
                "journal": self.journal,
                "debit": self.emma.account_id,
                "credit": self.david.account_id,
                "minutes": 150,
                "ref": "Cleaning",
            },
        ]
        with self.assertRaisesRegex(
            UserError,
            r"Emma cannot pay 2:30: the balance is 0:00 and may not go below -2:00",
        ):
            self.env["timebank.entry"]._transfer_many(transfers)
        self.env.invalidate_all()
        self.assertEqual(
            (self.carol.balance, self.david.balance, self.emma.balance), (0, 0, 0)
        )
        transfers[1]["minutes"] = 120
        entries = self.env["timebank.entry"]._transfer_many(transfers)
        self.assertEqual(entries.mapped("state"), ["posted", "posted"])
        self.assertEqual(self.david.balance, 180)

    def test_limits_may_be_left_to_the_caller(self):
        # expiry takes what is due whatever the limit
        self.bank_a.timebank_credit_limit = 0
        entry = self.env["timebank.entry"]._transfer(
            self._journal("expiry"),
            self.carol.account_id,
            self._system("expiry"),
            30,
            "Credits expired",
            check_limits=False,
        )
        self.assertEqual(entry.state, "posted")
        self.assertEqual(self.carol.balance, -30)

    def test_an_entry_links_only_to_records_of_its_own_bank(self):
        bank_b = self.bank_b
        payer, payee = (self._member(n, bank_b, active=True) for n in ("Fay", "Gus"))
        entry_b = self.env["timebank.entry"]._transfer(
            self._journal("exchange", bank_b),
            payer.account_id,
            payee.account_id,
            30,
            "Errand in bank B",
        )
        with self.assertRaisesRegex(UserError, "Incompatible companies on records"):
            self.env["timebank.entry"]._transfer(
                self.journal,
                self.carol.account_id,
                self.david.account_id,
                30,
                "Not a reversal of bank B's errand",
                vals={"reversed_entry_id": entry_b.id},
            )
        self.assertEqual(entry_b.state, "posted")
