"""Benchmark: monthly statements made as background jobs, against one rendered
synchronously.

Orders the statements of N members (``timebank.statement.run``, as the Monthly
Statements wizard does), then runs its jobs one after the other in this process,
as queue_job's runner has them run (loaded from the database, performed, marked
done): the preparing job, one job per member (the statement rendered as a PDF, and
mailed to the members with an e-mail address), the closing job that gathers the
printed ones into one PDF. The baseline, in the same process and bank: one
statement rendered synchronously to PDF, as Print did inside the web request
(median of a few). It prints the rate of each and their ratio, and the progress
of the run as a user sees it. Nothing is asserted; the transaction is rolled back.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_statements.py [--members 10000]
        [--emailed 0.5] [--entries 3] [--baseline 3] [--db timebank_bench] [--update]
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date

from bench_ledger import (
    CONFIG,
    PROTECTED_DATABASES,
    create_bank,
    duration,
    exchange_plan,
    number,
    post_through_ledger,
    prepare_database,
    progress,
    transaction,
)

import odoo
from odoo.modules.registry import Registry

PERIOD = {"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)}


def period_context():
    return {
        "timebank_statement_from": PERIOD["date_from"].isoformat(),
        "timebank_statement_to": PERIOD["date_to"].isoformat(),
    }


def render_one(env, member):
    """The baseline: one statement rendered to PDF, synchronously."""
    context = period_context()
    pdf, _format = (
        env["ir.actions.report"]
        .with_context(force_report_rendering=True, **context)
        ._render_qweb_pdf(
            "timebank_core.action_report_statement",
            member.ids,
            data=dict(context, member_ids=member.ids),
        )
    )
    return pdf


def run_jobs(env, run, report_every):
    """Run the run's waiting jobs as the runner does, until none is left.

    :return: {method: (count, seconds)}
    """
    # importable once the configuration named the addons path
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415

    times = {}
    last_report = 0
    while True:
        records = env["queue.job"].search(
            [("channel", "=", "root.timebank"), ("state", "=", "pending")],
            order="priority, id",
        )
        if not records:
            return times
        for record in records:
            job = Job.load(env, record.uuid)
            started = time.perf_counter()
            job.set_enqueued()
            job.set_started()
            job.store()
            job.perform()
            env.flush_all()
            job.set_done()
            job.store()
            env.flush_all()
            count, seconds = times.get(record.method_name, (0, 0.0))
            times[record.method_name] = (
                count + 1,
                seconds + time.perf_counter() - started,
            )
            if record.method_name == "_generate":
                made = times["_generate"][0]
                if made - last_report >= report_every:
                    last_report = made
                    run.invalidate_recordset()
                    progress(
                        f"  progress: {run.done_count} done, {run.failed_count} "
                        f"failed, {run.pending_count} waiting ({run.progress:.0f}%)"
                    )


def bench(registry, args):
    with transaction(registry, keep=False) as env:
        company, members = create_bank(env, "statements", args.members)
        rng = random.Random(7)
        emailed = members[: int(len(members) * args.emailed)]
        for member in emailed:
            member.partner_id.email = f"member{member.id}@example.com"
        plan = exchange_plan(
            rng,
            members.account_id.ids,
            max(2, args.members * args.entries // 2),
            PERIOD["date_to"],
        )
        # on the last day of the period and the 89 days before: most in it
        post_through_ledger(env, company, plan, 1000)
        env.flush_all()
        env.invalidate_all()

        progress(f"baseline: {args.baseline} statements rendered one at a time...")
        samples = []
        for member in members[: args.baseline]:
            started = time.perf_counter()
            render_one(env, member)
            samples.append(time.perf_counter() - started)
        baseline = statistics.median(samples)

        progress(f"{number(args.members)} statements as background jobs...")
        env = env(context={"allowed_company_ids": company.ids})
        started = time.perf_counter()
        run = env["timebank.statement.run"].create(
            dict(PERIOD, company_id=company.id, member_ids=[(6, 0, members.ids)])
        )
        env.flush_all()
        ordered = time.perf_counter() - started
        times = run_jobs(env, run, max(1, args.members // 10))
        elapsed = time.perf_counter() - started
        run.invalidate_recordset()
        made = run.done_count

        print()
        print(f"Statements of {number(args.members)} members ({len(emailed)} e-mailed)")
        print(f"{'measurement':<44} {'time':>10} {'statements/s':>14}")
        print(
            f"{'baseline: one statement, synchronous PDF':<44} "
            f"{duration(baseline):>10} {1 / baseline:>14.2f}"
        )
        print(f"{'ordering the run (the web request)':<44} {duration(ordered):>10}")
        for method, (count, seconds) in sorted(times.items()):
            print(f"{'  jobs ' + method + f' x{count}':<44} {duration(seconds):>10}")
        rate = made / elapsed if elapsed else 0.0
        print(
            f"{'all jobs, one worker, in order':<44} {duration(elapsed):>10} "
            f"{rate:>14.2f}"
        )
        print(
            f"ratio to the baseline: {rate * baseline:.2f}x "
            f"(done {made}, failed {run.failed_count}, state {run.state}, "
            f"PDF to print: {len(run.paper_attachment_id.raw or b'') // 1024} KB)"
        )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="statements")
    parser.add_argument(
        "--emailed", type=float, default=0.5, help="share of members with e-mail"
    )
    parser.add_argument(
        "--entries", type=int, default=3, help="ledger entries per member"
    )
    parser.add_argument(
        "--baseline", type=int, default=3, help="statements in the baseline"
    )
    parser.add_argument("--db", default="timebank_bench", help="benchmark database")
    parser.add_argument(
        "--update", action="store_true", help="update timebank_core first"
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
    bench(Registry(args.db), args)


if __name__ == "__main__":
    main()
