"""Benchmark of the time bank ledger against baselines run in the same process.

Measures, in a database of its own (created on the first run):

1. posting exchanges through the ledger's API (``timebank.entry._transfer_many``),
   and (1b) as draft entries created with the ORM and posted (``_post``);
2. baseline A: the same entries as ``account.move`` through Odoo accounting;
3. baseline B: the same rows inserted with raw SQL into scratch tables (the floor);
4. balances in a bank with many members and a million posted lines.

Every part runs in a transaction of its own, rolled back at the end (unless
``--keep``), on a fresh company, so repeated runs are comparable. Nothing is
asserted: the script prints a table of times, rates and ratios.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_ledger.py [--entries 10000]
        [--members 10000] [--lines 1000000] [--moves N] [--db timebank_bench] [--keep]
"""

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import odoo
from odoo import Command
from odoo.modules.registry import Registry
from odoo.tools import SQL

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / ".local" / "odoo.conf"
MODULES = "account,timebank_core"
PROTECTED_DATABASES = {"timebank", "timebank_test", "tb_dev"}

LEDGER_TARGET = 25  # the ledger posts at least 25x faster than account.move
RAW_SQL_TARGET = 4  # and at most 4x slower than raw SQL into indexed tables
ONE_BALANCE_TARGET = 0.005  # seconds
MANY_BALANCES_TARGET = 1.0  # seconds, for 10,000 balances

ENTRY_COLUMNS = [
    "id",
    "name",
    "journal_id",
    "company_id",
    "date",
    "ref",
    "state",
    "total_minutes",
    "posted_at",
    "posted_by_id",
    "chain_sequence",
    "chain_hash",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
]
LINE_COLUMNS = [
    "id",
    "entry_id",
    "account_id",
    "debit",
    "credit",
    "amount",
    "company_id",
    "journal_id",
    "date",
    "parent_state",
    "member_id",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
]
# Setting up the banks is not measured: skip chatter messages and followers there.
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


# ---------------------------------------------------------------------- helpers
def load_config():
    """Read ``.local/odoo.conf`` (made by ``bin/timebank setup``) into Odoo."""
    if not CONFIG.exists():
        sys.exit(f"{CONFIG} is missing: run bin/timebank setup first.")
    odoo.tools.config.parse_config(
        ["-c", str(CONFIG), "--log-level=warn"], setup_logging=True
    )


def progress(message):
    """Print a progress line at once."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def number(value):
    """An integer with thousands separators."""
    return f"{value:,}"


def duration(seconds):
    """Seconds as a short human-readable time."""
    if seconds < 1:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.2f} s"


def median_time(env, func, repeat):
    """Median wall time of ``func()`` over ``repeat`` runs, each on an empty cache.

    :return: (median seconds, min seconds, max seconds, last result)
    """
    times, result = [], None
    for _run in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), result


def post_in_batches(env, plan, batch_size, create, post, batches=None):
    """Create and post ``plan`` in batches, timing each step as a commit would.

    Every step is flushed inside its own timing; "commit" is the rest of what a
    commit does: the precommit hooks (chatter tracking) and the flush of what
    they write, and the ledger's sequencer, which numbers and chains the posted
    entries right after COMMIT (here in the transaction, as ``_sequence_now()``
    does). It is measured although the transaction rolls back.

    :param create: function(chunk of the plan, index of its first item) -> records
    :param post: function(records) posting them; if it returns records, they
                 are the batch's posted records
    :param batches: a list that receives the seconds of each batch, if given
    :return: ({"create": s, "post": s, "commit": s}, all the records)
    """
    times = dict.fromkeys(("create", "post", "commit"), 0.0)
    records = None
    for start in range(0, len(plan), batch_size):
        started = time.perf_counter()
        batch = create(plan[start : start + batch_size], start)
        env.flush_all()
        created = time.perf_counter()
        result = post(batch)
        if isinstance(result, odoo.models.BaseModel):
            batch = result
        env.flush_all()
        posted = time.perf_counter()
        env.cr.precommit.run()
        env.flush_all()
        env["timebank.chain"]._sequence_pending()
        times["create"] += created - started
        times["post"] += posted - created
        times["commit"] += time.perf_counter() - posted
        if batches is not None:
            batches.append(time.perf_counter() - started)
        records = batch if records is None else records | batch
    return times, records


def total(times):
    """Seconds of create + post + commit, from ``post_in_batches``."""
    return times["create"] + times["post"] + times["commit"]


def batch_rates(batches, plan_size, batch_size):
    """Entries/s of the first and of the last batch, as a note for the table."""
    if len(batches) < 2:
        return ""
    last_size = plan_size - batch_size * (len(batches) - 1)
    return (
        f"batch 1: {batch_size / batches[0]:,.0f}/s, "
        f"batch {len(batches)}: {last_size / batches[-1]:,.0f}/s"
    )


@contextmanager
def transaction(registry, keep):
    """A superuser environment in a transaction of its own.

    The transaction is rolled back at the end, or committed with ``keep``.
    """
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            yield env
        except BaseException:
            cr.rollback()
            raise
        if keep:
            cr.commit()
        else:
            cr.rollback()
    # rolled back companies and accounts must not linger in the ormcaches
    registry.clear_all_caches()


def exchange_plan(rng, account_ids, count, today):
    """``count`` random exchanges between two distinct accounts.

    :return: [(paying account, receiving account, minutes, date)]
    """
    plan = []
    for _index in range(count):
        payer, receiver = rng.sample(account_ids, 2)
        plan.append(
            (
                payer,
                receiver,
                rng.randint(10, 120),
                today - timedelta(rng.randrange(90)),
            )
        )
    return plan


# ---------------------------------------------------------------------- database
def database_state(db):
    """Whether ``db`` exists, and the state of the modules it needs.

    :return: None if the database does not exist, else {module name: state}
    """
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        if not cr.fetchone():
            return None
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute(
            "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)",
            [MODULES.split(",")],
        )
        return dict(cr.fetchall())


def prepare_database(db, update):
    """Create ``db`` with accounting and the time bank if it does not exist yet."""
    state = database_state(db)
    command = [sys.executable, "-m", "odoo", "-c", str(CONFIG), "-d", db]
    command += ["--stop-after-init", "--log-level=warn"]
    if state is None:
        progress(f"creating database {db} with {MODULES} (takes a minute or two)...")
        command += ["-i", MODULES, "--without-demo=all"]
    elif any(state.get(name) != "installed" for name in MODULES.split(",")):
        sys.exit(
            f"Database {db} exists but {MODULES} are not all installed ({state}): "
            "drop it or name another one with --db."
        )
    elif update:
        progress(f"updating timebank_core in {db}...")
        command += ["-u", "timebank_core"]
    else:
        return
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO)
    progress(f"  done in {duration(time.perf_counter() - started)}")


def vacuum(db):
    """VACUUM FULL and ANALYZE the database, so that each part starts compact.

    Rolled back parts and runs (a million lines in part 4) leave the tables and
    indexes bloated; a plain VACUUM keeps the files at their size, and posting
    into the bloated ledger tables slows down batch after batch (several times
    slower by the tenth batch of 1,000 in one transaction).
    """
    started = time.perf_counter()
    with closing(odoo.sql_db.db_connect(db).cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute("VACUUM (FULL, ANALYZE)")
    progress(f"  (vacuumed {db} in {duration(time.perf_counter() - started)})")


# ---------------------------------------------------------------------- setup
def create_bank(env, label, member_count):
    """A fresh company with ``member_count`` active members and no credit limit.

    :return: (company, members)
    """
    started = time.perf_counter()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    company = env["res.company"].create({"name": f"Bench {label} {stamp}"})
    company.timebank_credit_limit = 10**9
    quiet = env(context=QUIET)
    partners = quiet["res.partner"].create(
        [
            {"name": f"Bench member {index}", "timebank_privacy_consent": True}
            for index in range(member_count)
        ]
    )
    members = (
        quiet["timebank.member"]
        .with_company(company)
        .create([{"partner_id": p.id, "company_id": company.id} for p in partners])
    )
    members.action_activate()
    env.flush_all()
    progress(
        f"  {number(member_count)} members created and activated in "
        f"{duration(time.perf_counter() - started)}"
    )
    return company, members.with_env(env)


# ---------------------------------------------------------------------- measurements
def post_through_ledger(env, company, plan, batch_size, batches=None):
    """Post the planned exchanges in batches through the ledger's API
    (``_transfer_many``, as services, gifts and expiry post).

    "create" is only building the transfers; the entries and their lines are
    created by the posting itself.

    :param batches: a list that receives the seconds of each batch, if given
    :return: ({"create": s, "post": s, "commit": s}, posted entries)
    """
    journal = env["timebank.journal"]._get(company, "exchange")
    Account = env["timebank.account"].with_company(company)

    def create(chunk, first):
        return [
            {
                "journal": journal,
                "date": day,
                "ref": f"Exchange {first + index + 1}",
                "debit": Account.browse(payer),
                "credit": Account.browse(receiver),
                "minutes": minutes,
            }
            for index, (payer, receiver, minutes, day) in enumerate(chunk)
        ]

    return post_in_batches(
        env,
        plan,
        batch_size,
        create,
        lambda transfers: env["timebank.entry"]._transfer_many(transfers),
        batches,
    )


def post_drafts_through_ledger(env, company, plan, batch_size, batches=None):
    """Create draft entries with the ORM and post them (``_post``), as a user's
    own entries are posted.

    :param batches: a list that receives the seconds of each batch, if given
    :return: ({"create": s, "post": s, "commit": s}, posted entries)
    """
    journal = env["timebank.journal"]._get(company, "exchange")
    model = env["timebank.entry"].with_company(company)

    def create(chunk, first):
        return model.create(
            [
                {
                    "journal_id": journal.id,
                    "date": day,
                    "ref": f"Exchange {first + index + 1}",
                    "line_ids": [
                        Command.create({"account_id": payer, "debit": minutes}),
                        Command.create({"account_id": receiver, "credit": minutes}),
                    ],
                }
                for index, (payer, receiver, minutes, day) in enumerate(chunk)
            ]
        )

    return post_in_batches(env, plan, batch_size, create, lambda e: e._post(), batches)


def bench_ledger(registry, args, rng):
    """Part 1: post ``--entries`` exchanges between random members."""
    with transaction(registry, args.keep) as env:
        progress(f"ledger: setting up a bank of {number(args.members)} members...")
        company, members = create_bank(env, "ledger", args.members)
        plan = exchange_plan(rng, members.account_id.ids, args.entries, date.today())
        progress(f"posting {number(args.entries)} entries through the ledger...")
        batches = []
        times, entries = post_through_ledger(env, company, plan, args.batch, batches)
        posted = entries.filtered(lambda e: e.state == "posted")
        if len(posted) != args.entries:
            sys.exit(f"only {len(posted)} of {args.entries} entries were posted")
        progress(f"  done in {duration(total(times))}")
        return times, batches


def bench_ledger_drafts(registry, args, rng):
    """Part 1b: the same exchanges as drafts created with the ORM, then posted."""
    with transaction(registry, args.keep) as env:
        progress(f"drafts: setting up a bank of {number(args.members)} members...")
        company, members = create_bank(env, "drafts", args.members)
        plan = exchange_plan(rng, members.account_id.ids, args.entries, date.today())
        progress(f"creating and posting {number(args.entries)} draft entries...")
        times, entries = post_drafts_through_ledger(env, company, plan, args.batch)
        posted = entries.filtered(lambda e: e.state == "posted")
        if len(posted) != args.entries:
            sys.exit(f"only {len(posted)} of {args.entries} entries were posted")
        progress(f"  done in {duration(total(times))}")
        return times


def bench_account_moves(registry, args, rng):
    """Baseline A: the same two-line entries as ``account.move`` of a company."""
    count = args.moves
    with transaction(registry, args.keep) as env:
        progress("account.move: setting up a company, two accounts and a journal...")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        company = env["res.company"].create({"name": f"Bench accounting {stamp}"})
        accounts = (
            env["account.account"]
            .with_company(company)
            .create(
                [
                    {
                        "name": "Bench member credits",
                        "code": "TB1001",
                        "account_type": "asset_current",
                        "company_ids": [Command.set(company.ids)],
                    },
                    {
                        "name": "Bench member debts",
                        "code": "TB2001",
                        "account_type": "liability_current",
                        "company_ids": [Command.set(company.ids)],
                    },
                ]
            )
        )
        journal = env["account.journal"].create(
            {
                "name": "Bench",
                "code": "BNCH",
                "type": "general",
                "company_id": company.id,
            }
        )
        plan = exchange_plan(rng, accounts.ids, count, date.today())
        model = env["account.move"].with_company(company)

        def create(chunk, first):
            return model.create(
                [
                    {
                        "move_type": "entry",
                        "journal_id": journal.id,
                        "date": day,
                        "ref": f"Exchange {first + index + 1}",
                        "line_ids": [
                            Command.create(
                                {"account_id": payer, "debit": float(minutes)}
                            ),
                            Command.create(
                                {"account_id": receiver, "credit": float(minutes)}
                            ),
                        ],
                    }
                    for index, (payer, receiver, minutes, day) in enumerate(chunk)
                ]
            )

        progress(f"posting {number(count)} account.move entries through accounting...")
        batches = []
        times, moves = post_in_batches(
            env, plan, args.batch, create, lambda m: m.action_post(), batches
        )
        posted = moves.filtered(lambda m: m.state == "posted")
        if len(posted) != count:
            sys.exit(f"only {len(posted)} of {count} moves were posted")
        progress(f"  done in {duration(total(times))}")
        return times, batches


def raw_rows(plan, first_id, company_id, journal_id):
    """Entry and line rows as the ledger leaves them after posting."""
    now = datetime.now().replace(microsecond=0)
    entries, lines = [], []
    for offset, (payer, receiver, minutes, day) in enumerate(plan):
        entry_id = first_id + offset
        chain_hash = hashlib.sha256(str(entry_id).encode()).hexdigest()
        entries.append(
            (entry_id, f"EXC/{offset + 1:06d}", journal_id, company_id, day)
            + (f"Exchange {offset + 1}", "posted", minutes, now, 1)
            + (offset + 1, chain_hash, 1, now, 1, now)
        )
        for line_offset, account, debit, credit in (
            (0, payer, minutes, 0),
            (1, receiver, 0, minutes),
        ):
            lines.append(
                (2 * entry_id + line_offset, entry_id, account, debit, credit)
                + (credit - debit, company_id, journal_id, day, "posted")
                + (account, 1, now, 1, now)
            )
    return entries, lines


def insert_rows(cr, table, columns, rows, batch_size):
    """Multi-row INSERTs of ``batch_size`` rows each."""
    head = SQL(
        "INSERT INTO %s (%s) VALUES ",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
    )
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), batch_size):
        cr.execute(
            SQL(
                "%s%s",
                head,
                SQL(", ").join(
                    SQL(placeholder, *row) for row in rows[start : start + batch_size]
                ),
            )
        )


def bench_raw_sql(registry, args, rng):
    """Baseline B: the same rows with multi-row INSERTs into scratch tables.

    Measured twice: into bare temporary tables (no index, no WAL: the floor), and
    into temporary tables with the indexes of the ledger's tables. The rows are
    built before the clock starts: only the INSERTs are timed.

    :return: {"bare": seconds, "indexed": seconds}
    """
    plan = exchange_plan(
        rng, list(range(1, args.members + 1)), args.entries, date.today()
    )
    entries, lines = raw_rows(plan, 1, 1, 1)
    results = {}
    with transaction(registry, False) as env:
        cr = env.cr
        for variant, including in (("bare", ""), ("indexed", " INCLUDING INDEXES")):
            progress(
                f"raw SQL ({variant} tables): inserting {number(len(entries))} "
                f"entries and {number(len(lines))} lines..."
            )
            for table in ("timebank_entry", "timebank_entry_line"):
                cr.execute(
                    SQL(
                        "CREATE TEMP TABLE %s (LIKE %s%s) ON COMMIT DROP",
                        SQL.identifier(f"bench_{variant}_{table}"),
                        SQL.identifier(table),
                        SQL(including),
                    )
                )
            started = time.perf_counter()
            insert_rows(
                cr,
                f"bench_{variant}_timebank_entry",
                ENTRY_COLUMNS,
                entries,
                args.batch,
            )
            insert_rows(
                cr,
                f"bench_{variant}_timebank_entry_line",
                LINE_COLUMNS,
                lines,
                2 * args.batch,
            )
            results[variant] = time.perf_counter() - started
            progress(f"  done in {duration(results[variant])}")
    return results


def bulk_ledger(env, company, members, line_count, seed):
    """Insert about ``line_count`` posted lines (two per entry) with bulk SQL.

    Exchanges between random members over the last three years, numbered in the
    exchange journal, then every account's balance set from its lines in one
    UPDATE, and the tables analysed as autovacuum would.

    :return: the number of entries inserted
    """
    cr = env.cr
    journal = env["timebank.journal"]._get(company, "exchange")
    entry_count = line_count // 2
    member_count = len(members)
    cr.execute(SQL("SELECT setseed(%s)", seed))
    cr.execute(
        SQL(
            "CREATE TEMP TABLE bench_account ON COMMIT DROP AS "
            "SELECT (row_number() OVER (ORDER BY m.id) - 1)::int AS idx, "
            "m.account_id, m.id AS member_id FROM timebank_member m WHERE m.id IN %s",
            tuple(members.ids),
        )
    )
    cr.execute("CREATE UNIQUE INDEX ON bench_account (idx)")
    cr.execute(
        SQL(
            "CREATE TEMP TABLE bench_plan ON COMMIT DROP AS "
            "SELECT g AS n, floor(random() * %(m)s)::int AS payer, "
            "floor(random() * (%(m)s - 1))::int AS hop, "
            "10 + floor(random() * 111)::int AS minutes, "
            "current_date - floor(random() * 1095)::int AS date "
            "FROM generate_series(1, %(entries)s) AS g",
            m=member_count,
            entries=entry_count,
        )
    )
    # a block of entry ids, so the lines can name their entry
    cr.execute("SELECT nextval('timebank_entry_id_seq')")
    first_id = cr.fetchone()[0]
    cr.execute(
        SQL("SELECT setval('timebank_entry_id_seq', %s)", first_id + entry_count - 1)
    )
    common = {
        "first": first_id - 1,
        "company": company.id,
        "journal": journal.id,
        "uid": env.uid,
        "m": member_count,
    }
    cr.execute(
        SQL(
            "INSERT INTO timebank_entry (id, name, journal_id, company_id, date, ref, "
            "state, total_minutes, posted_at, posted_by_id, create_uid, create_date, "
            "write_uid, write_date) "
            "SELECT %(first)s + p.n, %(code)s || '/' || lpad(p.n::text, 6, '0'), "
            "%(journal)s, %(company)s, p.date, 'Exchange ' || p.n, 'posted', "
            "p.minutes, now() at time zone 'UTC', %(uid)s, %(uid)s, "
            "now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC' "
            "FROM bench_plan p",
            code=journal.code,
            **common,
        )
    )
    cr.execute(
        SQL(
            "INSERT INTO timebank_entry_line (entry_id, account_id, debit, credit, "
            "amount, company_id, journal_id, date, parent_state, member_id, "
            "create_uid, create_date, write_uid, write_date) "
            "SELECT %(first)s + p.n, side.account_id, side.debit, side.credit, "
            "side.credit - side.debit, %(company)s, %(journal)s, p.date, 'posted', "
            "side.member_id, %(uid)s, now() at time zone 'UTC', %(uid)s, "
            "now() at time zone 'UTC' "
            "FROM bench_plan p "
            "JOIN bench_account pa ON pa.idx = p.payer "
            "JOIN bench_account ra ON ra.idx = mod(p.payer + 1 + p.hop, %(m)s) "
            "CROSS JOIN LATERAL (VALUES "
            "(pa.account_id, pa.member_id, p.minutes, 0), "
            "(ra.account_id, ra.member_id, 0, p.minutes)"
            ") AS side(account_id, member_id, debit, credit)",
            **common,
        )
    )
    cr.execute(
        SQL(
            "UPDATE timebank_journal SET next_number = %s WHERE id = %s",
            entry_count + 1,
            journal.id,
        )
    )
    cr.execute(
        SQL(
            "UPDATE timebank_account AS a SET balance = s.total FROM ("
            "SELECT account_id, SUM(credit - debit) AS total FROM timebank_entry_line "
            "WHERE company_id = %s AND parent_state = 'posted' GROUP BY account_id"
            ") AS s WHERE a.id = s.account_id",
            company.id,
        )
    )
    cr.execute("ANALYZE timebank_entry, timebank_entry_line, timebank_account")
    env.invalidate_all()
    return entry_count


def bench_balances(registry, args, rng):
    """Part 4: balances and verification in a bank with a large ledger.

    :return: dict of measurements (see the keys below)
    """
    result = {}
    with transaction(registry, args.keep) as env:
        progress(f"balances: setting up a bank of {number(args.members)} members...")
        company, members = create_bank(env, "balances", args.members)
        progress(f"inserting {number(args.lines)} posted lines with bulk SQL...")
        started = time.perf_counter()
        result["bulk_entries"] = bulk_ledger(
            env, company, members, args.lines, rng.random()
        )
        progress(f"  done in {duration(time.perf_counter() - started)}")

        on_top = args.on_top
        progress(f"posting {number(on_top)} entries through the ledger on top...")
        plan = exchange_plan(rng, members.account_id.ids, on_top, date.today())
        times, _entries = post_through_ledger(env, company, plan, args.batch)
        result["on_top"] = total(times)
        progress(f"  done in {duration(result['on_top'])}")
        env.cr.execute(
            SQL(
                "SELECT count(*) FROM timebank_entry_line WHERE company_id = %s",
                company.id,
            )
        )
        result["lines"] = env.cr.fetchone()[0]

        repeat = args.repeat
        progress(f"measuring balances, median of {repeat} runs each...")
        member = members[rng.randrange(len(members))]
        # ids read before timing: the timed code starts from an empty cache
        member_id, partner_id = member.id, member.partner_id.id
        account_id = member.account_id.id
        member_ids, partner_ids = members.ids, members.partner_id.ids
        Member = env["timebank.member"]
        Partner = env["res.partner"].with_company(company)
        result["one"] = median_time(
            env, lambda: Member.browse(member_id).balance, repeat
        )
        result["one_partner"] = median_time(
            env, lambda: Partner.browse(partner_id).timebank_balance, repeat
        )
        result["many"] = median_time(
            env, lambda: Member.browse(member_ids).mapped("balance"), repeat
        )
        result["many_partners"] = median_time(
            env, lambda: Partner.browse(partner_ids).mapped("timebank_balance"), repeat
        )

        def audit_one():
            env.cr.execute(
                SQL(
                    "SELECT SUM(credit - debit) FROM timebank_entry_line "
                    "WHERE account_id = %s",
                    account_id,
                )
            )
            return env.cr.fetchone()[0]

        def audit_all():
            env.cr.execute(
                SQL(
                    "SELECT account_id, SUM(credit - debit) FROM timebank_entry_line "
                    "WHERE company_id = %s GROUP BY account_id",
                    company.id,
                )
            )
            return dict(env.cr.fetchall())

        result["audit_one"] = median_time(env, audit_one, repeat)
        result["audit_all"] = median_time(env, audit_all, repeat)
        # what the stored balances say against what the lines say
        kept = dict(
            zip(member_ids, Member.browse(member_ids).mapped("balance"), strict=True)
        )
        computed = result["audit_all"][3]
        result["consistent"] = all(
            computed.get(m.account_id.id, 0) == kept[m.id] for m in members
        ) and (result["one"][3] == result["audit_one"][3])

        progress(f"verifying the chain, median of {repeat} runs...")
        Entry = env["timebank.entry"]
        result["verify"] = median_time(
            env, lambda: Entry.verify_chain(company.id), repeat
        )
        result["accounts"] = env["timebank.account"].search_count(
            [("company_id", "=", company.id)]
        )
    return result


# ---------------------------------------------------------------------- report
def met(ok):
    """'met' or 'NOT met'."""
    return "met" if ok else "NOT met"


def report(args, ledger, drafts, moves, raw, balances):
    """Print the table of measurements and the verdicts.

    ``ledger`` and ``moves`` are (times, seconds of each batch) of parts 1 and 2;
    ``drafts`` the times of part 1b.
    """
    (ledger, ledger_batches), (moves, moves_batches) = ledger, moves
    n = args.entries
    ledger_s = total(ledger)
    ledger_rate = n / ledger_s
    moves_s = total(moves)
    moves_rate = args.moves / moves_s
    raw_rate = n / raw["bare"]
    raw_indexed_rate = n / raw["indexed"]
    speedup = ledger_rate / moves_rate
    scaled = args.moves != n
    verify_result = balances["verify"][3]

    rows = [("Posting (each part its own transaction)", "", "", "")]

    def add(label, seconds, rate, note=""):
        rows.append(
            (label, duration(seconds) if seconds is not None else "", rate, note)
        )

    add(
        f"1  ledger: {number(n)} entries, _transfer_many",
        ledger_s,
        f"{ledger_rate:,.0f} entries/s",
        f"batches of {number(args.batch)}; "
        + batch_rates(ledger_batches, args.entries, args.batch),
    )
    for part in ("create", "post", "commit"):
        add(f"     of which {part}", ledger[part], "", "")
    add(
        f"1b ledger: {number(n)} draft entries, ORM create + _post",
        total(drafts),
        f"{n / total(drafts):,.0f} entries/s",
        "a user's own entries",
    )
    for part in ("create", "post", "commit"):
        add(f"     of which {part}", drafts[part], "", "")
    add(
        f"2  account.move: {number(args.moves)} moves, create + action_post",
        moves_s,
        f"{moves_rate:,.0f} entries/s",
        "; ".join(
            note
            for note in (
                batch_rates(moves_batches, args.moves, args.batch),
                f"rate scaled to {number(n)}: ~{duration(n / moves_rate)}"
                if scaled
                else "",
            )
            if note
        ),
    )
    for part in ("create", "post", "commit"):
        add(f"     of which {part}", moves[part], "", "")
    add(
        f"3  raw SQL: {number(n)} + {number(2 * n)} rows, bare temp tables",
        raw["bare"],
        f"{3 * n / raw['bare']:,.0f} rows/s",
        f"= {raw_rate:,.0f} entries/s",
    )
    add(
        "3b raw SQL: same rows, temp tables with the ledger's indexes",
        raw["indexed"],
        f"{3 * n / raw['indexed']:,.0f} rows/s",
        f"= {raw_indexed_rate:,.0f} entries/s",
    )
    rows.append(("", "", "", ""))
    rows.append(
        (
            f"Balances: {number(args.members)} members, "
            f"{number(balances['lines'])} posted lines, median of {args.repeat}",
            "",
            "",
            "",
        )
    )
    add(
        f"   ledger: {number(args.on_top)} entries posted on top",
        balances["on_top"],
        f"{args.on_top / balances['on_top']:,.0f} entries/s",
    )

    def add_median(label, key, count=1, target=None):
        median, low, high, _value = balances[key]
        note = f"min {duration(low)}, max {duration(high)}"
        if target:
            note += f"; target < {duration(target)}: {met(median < target)}"
        rate = f"{count / median:,.0f} balances/s" if count > 1 else ""
        add(label, median, rate, note)

    add_median("4a one member's balance (member.balance)", "one", 1, ONE_BALANCE_TARGET)
    add_median(
        "   one partner's timebank_balance", "one_partner", 1, ONE_BALANCE_TARGET
    )
    add_median(
        f"4b {number(args.members)} members' balances (mapped)",
        "many",
        args.members,
        MANY_BALANCES_TARGET,
    )
    add_median(
        f"4c {number(args.members)} partners' timebank_balance",
        "many_partners",
        args.members,
        MANY_BALANCES_TARGET,
    )
    add_median("4d audit: SUM of one account's lines (SQL)", "audit_one")
    add_median(
        f"   audit: SUM of all {number(balances['accounts'])} accounts (SQL)",
        "audit_all",
        balances["accounts"],
    )
    add_median("4e verify_chain(company)", "verify")

    header = ("Measurement", "Time", "Rate", "Note")
    widths = [max(len(row[col]) for row in [header, *rows]) for col in range(4)]

    def line(cells):
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    print()
    print(line(header))
    print(line(["-" * width for width in widths]))
    for row in rows:
        print(line(row))

    print()
    print(
        f"ledger vs account.move: {speedup:.1f}x faster "
        f"(target >= {LEDGER_TARGET}x: {met(speedup >= LEDGER_TARGET)})"
        + (f"; account.move measured on {number(args.moves)} moves" if scaled else "")
    )
    slower = raw_indexed_rate / ledger_rate
    print(
        f"ledger vs raw SQL: {raw_rate / ledger_rate:.1f}x slower than bare tables, "
        f"{slower:.1f}x slower than indexed tables (target <= {RAW_SQL_TARGET}x: "
        f"{met(slower <= RAW_SQL_TARGET)})"
    )
    one = balances["one"][0]
    many = balances["many"][0]
    many_partners = balances["many_partners"][0]
    print(
        f"one balance: {duration(one)} (target < {duration(ONE_BALANCE_TARGET)}: "
        f"{met(one < ONE_BALANCE_TARGET)}); {number(args.members)} balances: "
        f"{duration(many)} via members, {duration(many_partners)} via partners "
        f"(target < {duration(MANY_BALANCES_TARGET)}: "
        f"{met(max(many, many_partners) < MANY_BALANCES_TARGET)})"
    )
    consistent = "yes" if balances["consistent"] else "NO"
    print(f"stored balances match their lines: {consistent}")
    print(
        f"verify_chain covers the {number(verify_result['checked'])} entries posted "
        f"through the ledger (the {number(balances['bulk_entries'])} SQL-inserted "
        "entries have no chain_sequence), and recomputes the balances of all "
        f"{number(balances['accounts'])} accounts from all "
        f"{number(balances['lines'])} lines: ok={verify_result['ok']}"
    )
    if not verify_result["ok"]:
        print(
            f"  first broken: {verify_result['first_broken']}, "
            f"reason: {verify_result['reason']}, "
            f"mismatches: {verify_result['balance_mismatches'][:5]}"
        )


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000, help="ledger entries")
    parser.add_argument(
        "--moves", type=int, help="account.move entries (default: --entries)"
    )
    parser.add_argument("--members", type=int, default=10_000, help="members per bank")
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="SQL-inserted posted lines"
    )
    parser.add_argument(
        "--on-top", type=int, default=1000, help="entries posted on the large ledger"
    )
    parser.add_argument("--batch", type=int, default=1000, help="entries per batch")
    parser.add_argument("--repeat", type=int, default=20, help="runs per median")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--db", default="timebank_bench", help="benchmark database")
    parser.add_argument(
        "--update", action="store_true", help="update timebank_core in --db first"
    )
    parser.add_argument(
        "--keep", action="store_true", help="commit instead of rolling back"
    )
    args = parser.parse_args(argv)
    if args.moves is None:
        args.moves = args.entries
    if args.db in PROTECTED_DATABASES:
        parser.error(f"{args.db} is not a benchmark database")
    if args.members < 2 or min(args.entries, args.moves, args.on_top, args.lines) < 2:
        parser.error("--members, --entries, --moves, --on-top and --lines must be >= 2")
    return args


def main(argv=None):
    """Run every part and print the table."""
    args = parse_args(argv)
    if not CONFIG.exists():
        sys.exit(f"{CONFIG} is missing: run bin/timebank setup first.")
    odoo.tools.config.parse_config(
        ["-c", str(CONFIG), "--log-level=warn"], setup_logging=True
    )
    started = time.perf_counter()
    prepare_database(args.db, args.update)
    progress(f"loading the registry of {args.db}...")
    registry = Registry(args.db)
    with registry.cursor() as cr:
        cr.execute("SHOW server_version")
        server = cr.fetchone()[0]
    progress(
        f"Odoo {odoo.release.version}, PostgreSQL {server}; entries={args.entries} "
        f"moves={args.moves} members={args.members} lines={args.lines} "
        f"on-top={args.on_top} batch={args.batch} repeat={args.repeat} "
        f"seed={args.seed}"
    )
    rng = random.Random(args.seed)

    parts, loads = [], []
    benches = (
        bench_ledger,
        bench_ledger_drafts,
        bench_account_moves,
        bench_raw_sql,
        bench_balances,
    )
    for bench in benches:
        vacuum(args.db)
        parts.append(bench(registry, args, rng))
        loads.append(os.getloadavg()[0])
    ledger, drafts, moves, raw, balances = parts
    report(args, ledger, drafts, moves, raw, balances)
    print(
        "1-minute load average after parts 1, 1b, 2, 3 and 4: "
        + ", ".join(f"{load:.2f}" for load in loads)
        + f" on {os.cpu_count()} CPUs (other busy processes skew the timings)"
    )
    print(f"total run time: {duration(time.perf_counter() - started)}")


if __name__ == "__main__":
    main()
