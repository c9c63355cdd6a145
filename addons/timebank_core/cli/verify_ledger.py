"""``odoo timebank-verify``: an auditor checks the hash chain of every bank."""

import argparse
import sys
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from ..models.timebank_account import format_minutes
from ..models.timebank_chain import run_sequencer


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
        parser.add_argument(
            "--seal",
            action="append",
            default=[],
            metavar="FILE",
            help="a seal exported earlier (Chain Seal); the chain must still "
            "match it. May be given several times.",
        )
        args = parser.parse_args(cmdargs)
        odoo.tools.config.parse_config(
            (["-c", args.config] if args.config else []) + ["--log-level=warn"]
        )
        try:
            seals = [Path(name).read_text(encoding="utf-8") for name in args.seal]
        except OSError as error:
            sys.exit(f"cannot read the seal: {error}")
        registry = Registry(args.database)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            banks = (
                env["res.company"].browse(args.bank)
                if args.bank
                else env["res.company"].search([])
            )
            bank_ids = banks.ids
        # what a crash left pending is numbered and chained first, as posting does
        run_sequencer(registry, bank_ids)
        broken = False
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            try:
                parsed = env["timebank.chain"]._parse_seals(seals)
            except UserError as error:
                sys.exit(f"{args.seal}: {error}")
            used = 0
            for bank in env["res.company"].browse(bank_ids):
                result = env["timebank.entry"].verify_chain(bank.id, seals=parsed)
                used += result["seals_checked"]
                status = "OK" if result["ok"] else "BROKEN"
                sealed = (
                    f", {result['seals_checked']} seals matched"
                    if result["seals_checked"]
                    else ""
                )
                sys.stdout.write(
                    f"{bank.name}: {status}, {result['checked']} entries "
                    f"checked{sealed}\n"
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
            if parsed and used < len(parsed) and not broken:
                sys.stdout.write(
                    f"{len(parsed) - used} of {len(parsed)} seals belong to no bank "
                    "verified here (another bank or database)\n"
                )
                broken = True
            cr.rollback()
        sys.exit(1 if broken else 0)
