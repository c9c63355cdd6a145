"""Benchmark: services through the whole flow, next to the ledger's own posting.

Records N services (``timebank.exchange``) and takes them through submit, confirm,
verify and post, in batches, then posts the same number of two-line entries
straight through the ledger in the same process, and prints both rates and their
ratio. Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_exchange.py [--exchanges 10000]
        [--providers 200] [--batch 1000] [--sheet 100] [--db timebank_bench]
        [--update]

Also takes one paper sheet of ``--sheet`` services (100) through the whole flow
as one batch, five times in fresh transactions, and prints the median.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

from bench_ledger import (
    CONFIG,
    PROTECTED_DATABASES,
    create_bank,
    duration,
    exchange_plan,
    met,
    number,
    post_in_batches,
    post_through_ledger,
    prepare_database,
    progress,
    transaction,
    vacuum,
)

import odoo
from odoo.modules.registry import Registry

FLOW = ("action_submit", "action_confirm", "action_verify", "action_post")
FLOW_TARGET = 0.5  # the whole flow at least half the ledger's own posting rate
SHEET_TARGET = 2.0  # seconds for one paper sheet of services


def service_plan(members, count):
    """``count`` one-hour-or-less services, none overlapping for a provider.

    Provider ``i`` gives its k-th service k hours after the start, all in the past,
    to the next member; durations from 15 to 55 minutes.
    """
    rng = random.Random(7)
    start = datetime.now().replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=count // len(members) + 48
    )
    plan = []
    for index in range(count):
        provider = members[index % len(members)]
        receiver = members[(index + 1) % len(members)]
        begin = start + timedelta(hours=index // len(members))
        plan.append((provider.id, receiver.id, begin, rng.randrange(15, 60, 5)))
    return plan


def bench_flow(env, company, members, plan, batch_size):
    """Create the services and take each batch through the four steps."""
    category = env["timebank.service.category"].create(
        {"name": "Bench", "company_id": company.id}
    )
    item = env["timebank.service.item"].create(
        {
            "name": "Neighbourly care",
            "category_id": category.id,
            "company_id": company.id,
        }
    )
    model = env["timebank.exchange"].with_company(company)

    def create(chunk, first):
        return model.create(
            [
                {
                    "provider_id": provider,
                    "receiver_id": receiver,
                    "item_id": item.id,
                    "company_id": company.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(minutes=minutes),
                }
                for provider, receiver, begin, minutes in chunk
            ]
        )

    def commit_work():
        # what the commit of a request does first: the chatter's tracking
        # messages (a service is recorded, then each step is a request of its
        # own; without it no step of a service created in the same transaction
        # would be tracked)
        env.flush_all()
        env.cr.precommit.run()
        env.flush_all()

    def flow(exchanges):
        started = time.perf_counter()
        commit_work()
        steps["commit of the create"] += time.perf_counter() - started
        for step in FLOW:
            started = time.perf_counter()
            if step == "action_confirm":
                # the benchmark confirms for the receivers, as a broker would
                exchanges.action_confirm("in_person")
            else:
                getattr(exchanges, step)()
            commit_work()
            steps[step] += time.perf_counter() - started

    steps = dict.fromkeys(("commit of the create", *FLOW), 0.0)
    times, records = post_in_batches(env, plan, batch_size, create, flow)
    return times, records, steps


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchanges", type=int, default=10_000, help="services")
    parser.add_argument("--providers", type=int, default=200, help="members")
    parser.add_argument("--batch", type=int, default=1000, help="services per batch")
    parser.add_argument(
        "--sheet", type=int, default=100, help="services of one paper sheet"
    )
    parser.add_argument("--db", default="timebank_bench", help="benchmark database")
    parser.add_argument(
        "--update",
        action="store_true",
        help="update timebank_core in the database first",
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
    prepare_database(args.db, args.update)
    registry = Registry(args.db)

    vacuum(args.db)
    progress(f"{number(args.exchanges)} services through the whole flow...")
    with transaction(registry, keep=False) as env:
        company, members = create_bank(env, "flow", args.providers)
        plan = service_plan(members, args.exchanges)
        flow_times, exchanges, steps = bench_flow(
            env, company, members, plan, args.batch
        )
        posted = exchanges.filtered(lambda e: e.state == "posted")
        progress(f"  {number(len(posted))} posted")

    vacuum(args.db)
    progress(f"one paper sheet of {number(args.sheet)} services, median of 5...")
    sheets = []
    for _run in range(5):
        with transaction(registry, keep=False) as env:
            company, members = create_bank(env, "sheet", min(args.sheet, 50))
            plan = service_plan(members, args.sheet)
            sheet_times, _sheet, _steps = bench_flow(
                env, company, members, plan, args.sheet
            )
            sheets.append(sum(sheet_times.values()))

    vacuum(args.db)  # the rolled back services leave the tables bloated
    progress(f"{number(args.exchanges)} entries straight through the ledger...")
    with transaction(registry, keep=False) as env:
        company, members = create_bank(env, "ledger", args.providers)
        ledger_plan = exchange_plan(
            random.Random(7),
            members.account_id.ids,
            args.exchanges,
            datetime.now().date(),
        )
        ledger_times, _entries = post_through_ledger(
            env, company, ledger_plan, args.batch
        )

    flow_total = sum(flow_times.values())
    ledger_total = sum(ledger_times.values())
    print()
    print(f"{'Measurement':<44}{'Time':>12}{'Rate':>18}")
    print("-" * 74)
    for label, total, times in (
        ("services: create + 4 steps + commit work", flow_total, flow_times),
        ("ledger entries: create + post + commit work", ledger_total, ledger_times),
    ):
        rate = args.exchanges / total
        print(f"{label:<44}{duration(total):>12}{rate:>14,.0f} /s")
        for step, seconds in times.items():
            print(f"  {step:<42}{duration(seconds):>12}")
    print("  of which, in the 4 steps (each with its commit work):")
    for step, seconds in steps.items():
        print(f"    {step:<40}{duration(seconds):>12}")
    sheet = statistics.median(sheets)
    print(
        f"{'one sheet: ' + number(args.sheet) + ' services, whole flow':<44}"
        f"{duration(sheet):>12}{args.sheet / sheet:>14,.0f} /s"
    )
    print(
        f"  (min {duration(min(sheets))}, max {duration(max(sheets))}; "
        f"target < {duration(SHEET_TARGET)}: {met(sheet < SHEET_TARGET)})"
    )
    print()
    ratio = ledger_total / flow_total
    print(
        f"the whole service flow runs at {ratio:.2f}x the ledger's own posting rate "
        f"(target >= {FLOW_TARGET}: {met(ratio >= FLOW_TARGET)})"
    )
    print(f"1-minute load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    progress(f"done in {duration(time.perf_counter() - start)}")
