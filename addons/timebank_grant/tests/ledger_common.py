from odoo import Command

from .common import GrantCase, GrantHttpCase


class LedgerMixin:
    """Bills with taxes, credit notes, payments and exchange rates, as the
    general ledger books them."""

    @classmethod
    def _setup_ledger(cls):
        cls.usd = cls.company.currency_id
        cls.usd_program = cls.env["timebank.grant.program"].create(
            {
                "name": "Neighbourhood fund",
                "year": 2026,
                "currency_id": cls.usd.id,
                "max_per_case": 50000,
                "fee_rate": 10,
                "kind_ids": [
                    Command.create({"name": "Activities"}),
                    Command.create({"name": "Printing"}),
                    Command.create({"name": "Trips", "excluded": True}),
                    Command.create({"name": "Fee", "is_management_fee": True}),
                ],
            }
        )
        # the TWD of the bills: 32 to the dollar until June, 30 after
        cls.env["res.currency.rate"].create(
            [
                {"name": "2026-01-01", "rate": 32.0, "currency_id": cls.twd.id},
                {"name": "2026-06-01", "rate": 30.0, "currency_id": cls.twd.id},
            ]
        )
        # a 5% input VAT that cannot be deducted: Odoo books it on the
        # expense account, with the analytic distribution of its base
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "account_id": cls.company_data["default_account_expense"].id,
                    "use_in_tax_closing": False,
                }
            ),
        ]
        cls.vat_5 = cls.env["account.tax"].create(
            {
                "name": "5% VAT (not deductible)",
                "type_tax_use": "purchase",
                "amount_type": "percent",
                "amount": 5,
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )

    @classmethod
    def _usd_grant(cls, running=False):
        """A dollar grant: activities, printing and the management fee."""
        lines = [("Activities", 20000, 2000), ("Printing", 5000, 0), ("Fee", 2000, 0)]
        if running:
            return cls._running_grant(lines, program=cls.usd_program)
        return cls._grant(lines, program=cls.usd_program)

    @classmethod
    def _move(
        cls,
        lines,
        date="2026-03-10",
        move_type="in_invoice",
        currency=None,
        post=True,
        ref=None,
    ):
        """A vendor bill (or credit note); ``lines`` is
        [(label, amount, {analytic: percent}, taxes)]."""
        move = (
            cls.env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": cls.partner_a.id,
                    "invoice_date": date,
                    "date": date,
                    "ref": ref,
                    "currency_id": (currency or cls.usd).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": label,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.set(taxes.ids)],
                                "analytic_distribution": {
                                    str(account.id): percent
                                    for account, percent in distribution.items()
                                },
                            }
                        )
                        for label, amount, distribution, taxes in (
                            line if len(line) == 4 else (*line, cls.env["account.tax"])
                            for line in lines
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
            cls._receipt(move)
        return move

    @classmethod
    def _receipt(cls, move):
        cls.env["ir.attachment"].create(
            {
                "name": f"receipt-{move.id}.pdf",
                "raw": b"%PDF-1.4 receipt",
                "res_model": "account.move",
                "res_id": move.id,
            }
        )

    @classmethod
    def _pay(cls, move, date):
        """Pay the bill in its own currency, at the rate of the payment date."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"payment_date": date})
            ._create_payments()
        )

    @classmethod
    def _ledger_total(cls, account, date_from="2026-01-01", date_to="2026-12-31"):
        """What the analytic ledger holds on the account (expenses positive)."""
        column = account.plan_id._column_name()
        lines = cls.env["account.analytic.line"].search(
            [
                (column, "=", account.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ]
        )
        return account.currency_id.round(-sum(lines.mapped("amount")))


class LedgerCase(LedgerMixin, GrantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_ledger()


class LedgerHttpCase(LedgerMixin, GrantHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_ledger()
