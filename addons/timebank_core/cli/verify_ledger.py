"""``odoo timebank-verify``: an auditor checks the hash chain of every bank."""

import argparse
import sys

import odoo
from odoo.cli import Command
from odoo.modules.registry import Registry

from ..models.timebank_account import format_minutes


class TimebankVerify(Command):
    """Verify the time bank ledger: hash chains and balances of every bank"""

    name = "timebank-verify"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(
            prog="odoo timebank-verify", description=self.__doc__
        )
        parser.add_argument("-c", "--config", help="Odoo configuration file")
        parser.add_argument("-d", "--database", required=True, help="database")
        parser.add_argument("--bank", type=int, help="id of one bank (company) only")
        args = parser.parse_args(cmdargs)
        odoo.tools.config.parse_config(
            (["-c", args.config] if args.config else []) + ["--log-level=warn"]
        )
        registry = Registry(args.database)
        broken = False
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            banks = (
                env["res.company"].browse(args.bank)
                if args.bank
                else env["res.company"].search([])
            )
            for bank in banks:
                result = env["timebank.entry"].verify_chain(bank.id)
                status = "OK" if result["ok"] else "BROKEN"
                sys.stdout.write(
                    f"{bank.name}: {status}, {result['checked']} entries checked\n"
                )
                if result["reason"]:
                    sys.stdout.write(
                        f"  chain breaks at {result['first_broken'] or '-'}: "
                        f"{result['reason']}\n"
                    )
                for account, kept, computed in result["balance_mismatches"]:
                    sys.stdout.write(
                        f"  {account}: balance {format_minutes(kept)}, lines "
                        f"{format_minutes(computed)}\n"
                    )
                broken = broken or not result["ok"]
            cr.rollback()
        sys.exit(1 if broken else 0)
