"""Benchmark: what the broker check of timebank_cooperative costs verify and post.

Takes N services, all of an item that needs a background check, through verify
and post as a broker, in batches, twice in the same process: in a bank that
requires checked and trained brokers (the broker and every provider hold valid
records) and in a bank that does not (the baseline). Prints both rates and their
ratio. Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_broker_check.py [--exchanges 5000]
        [--providers 200] [--batch 1000] [--db timebank_bench_coop]
"""

import argparse
import sys
import time
from datetime import date, timedelta

import bench_ledger
from bench_exchange import service_plan
from bench_ledger import (
    CONFIG,
    PROTECTED_DATABASES,
    create_bank,
    duration,
    number,
    prepare_database,
    progress,
    transaction,
    vacuum,
)

import odoo
from odoo.modules.registry import Registry
from odoo.tests import new_test_user

MODULES = "account,timebank_core,timebank_cooperative"


def checked_bank(env, label, providers, required):
    """A bank, its broker and its providers, all with valid records."""
    company, members = create_bank(env, label, providers)
    company.timebank_broker_check_required = required
    broker = new_test_user(
        env,
        login=f"bench_broker_{company.id}",
        groups="base.group_user,timebank_core.group_timebank_broker",
        company_id=company.id,
        company_ids=[company.id],
    )
    today = date.today()
    people = [(broker.partner_id, "background"), (broker.partner_id, "training")]
    people += [(member.partner_id, "background") for member in members]
    env["timebank.broker.check"].create(
        [
            {
                "name": "Bench record",
                "kind": kind,
                "partner_id": partner.id,
                "company_id": company.id,
                "date": today - timedelta(days=30),
                "expiry_date": today + timedelta(days=300),
            }
            for partner, kind in people
        ]
    )
    category = env["timebank.service.category"].create(
        {"name": "Bench", "company_id": company.id}
    )
    item = env["timebank.service.item"].create(
        {
            "name": "Escort",
            "category_id": category.id,
            "company_id": company.id,
            "requires_background_check": True,
        }
    )
    return company, members, broker, item


def bench_verify_post(env, company, members, broker, item, count, batch_size):
    """Seconds spent in verify + post by the broker, summed over the batches."""
    plan = service_plan(members, count)
    model = env["timebank.exchange"].with_company(company)
    seconds = 0.0
    for start in range(0, len(plan), batch_size):
        exchanges = model.create(
            [
                {
                    "provider_id": provider,
                    "receiver_id": receiver,
                    "item_id": item.id,
                    "company_id": company.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(minutes=minutes),
                }
                for provider, receiver, begin, minutes in plan[
                    start : start + batch_size
                ]
            ]
        )
        exchanges.action_submit()
        exchanges.action_confirm("phone")
        env.flush_all()
        as_broker = exchanges.with_user(broker).with_company(company)
        started = time.perf_counter()
        as_broker.action_verify()
        as_broker.action_post()
        env.flush_all()
        seconds += time.perf_counter() - started
    return seconds


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=5000, help="services")
    parser.add_argument("--providers", type=int, default=200, help="members")
    parser.add_argument("--batch", type=int, default=1000, help="services per batch")
    parser.add_argument(
        "--db", default="timebank_bench_coop", help="benchmark database"
    )
    args = parser.parse_args(argv)
    if args.db in PROTECTED_DATABASES:
        parser.error(f"{args.db} is not a benchmark database")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not CONFIG.exists():
        sys.exit(f"{CONFIG} is missing: run bin/timebank setup first.")
    odoo.tools.config.parse_config(
        ["-c", str(CONFIG), "--log-level=warn"], setup_logging=True
    )
    # the shared helpers create the database with these modules
    bench_ledger.MODULES = MODULES
    prepare_database(args.db, update=False)
    registry = Registry(args.db)
    results = {}
    for label, required in (("baseline", False), ("checked", True)):
        vacuum(args.db)
        progress(f"{number(args.exchanges)} services verified and posted ({label})...")
        with transaction(registry, keep=False) as env:
            bank = checked_bank(env, label, args.providers, required)
            results[label] = bench_verify_post(env, *bank, args.exchanges, args.batch)
        progress(f"  {duration(results[label])}")
    base, checked = results["baseline"], results["checked"]
    print()
    print(f"| bank | verify + post of {number(args.exchanges)} | services/s |")
    print("|---|---|---|")
    for label, seconds in (("no check required", base), ("checks required", checked)):
        print(f"| {label} | {duration(seconds)} | {args.exchanges / seconds:,.0f} |")
    print(f"\nchecks required / baseline: {checked / base:.2f}x the time")


if __name__ == "__main__":
    main()
