"""Benchmark: the matching engine against a naive ORM loop.

Ranks 100,000 active members for one request, then matches 1,000 open requests
against them in one batch, and prints the times next to the obvious per-member
Python implementation through the ORM, measured in the same process, and their
ratios to it. Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_matching.py [--members 100000]
        [--requests 1000] [--naive 2000] [--db timebank_match_bench] [--update]

The first run creates the database with ``timebank_core`` and
``timebank_matching`` (no demo) and commits a bank of ``--members`` members with
skills, weekly availability and coordinates (several minutes); later runs reuse
that bank. Requests are created and measured in a transaction that is rolled back.
"""

import argparse
import math
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta

from bench_ledger import (
    CONFIG,
    PROTECTED_DATABASES,
    QUIET,
    REPO,
    duration,
    number,
    progress,
    transaction,
    vacuum,
)

import odoo
from odoo import Command
from odoo.modules.registry import Registry

MODULES = "timebank_core,timebank_matching"
BANK = "Matching bench"
SKILLS = 20
CENTRE = (24.8, 120.97)
KM_PER_DEGREE = 6371.0088 * math.pi / 180
TARGET_ONE = 0.5
TARGET_BATCH = 30.0


def prepare_database(db, update):
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        exists = bool(cr.fetchone())
    command = [sys.executable, "-m", "odoo", "-c", str(CONFIG), "-d", db]
    command += ["--stop-after-init", "--log-level=warn"]
    if not exists:
        progress(f"creating database {db} with {MODULES}...")
        command += ["-i", MODULES, "--without-demo=all"]
    elif update:
        command += ["-u", "timebank_matching"]
    else:
        return
    subprocess.run(command, check=True, cwd=REPO)


def place(rng, radius_km=15):
    """A random point within ``radius_km`` of the centre."""
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    lat = CENTRE[0] + distance * math.cos(angle) / KM_PER_DEGREE
    lon = CENTRE[1] + distance * math.sin(angle) / (
        KM_PER_DEGREE * math.cos(math.radians(CENTRE[0]))
    )
    return lat, lon


def ensure_bank(registry, member_count):
    """The committed bench bank with ``member_count`` members (made once)."""
    with transaction(registry, keep=True) as env:
        company = env["res.company"].search([("name", "=", BANK)], limit=1)
        if company:
            count = env["timebank.member"].search_count(
                [("company_id", "=", company.id), ("state", "=", "active")]
            )
            if count >= member_count:
                return company.id
            sys.exit(f"{BANK} has {count} members: drop the database or use --db.")
        started = time.perf_counter()
        progress(f"creating {number(member_count)} members (once)...")
        company = env["res.company"].create({"name": BANK})
        skills = env["timebank.skill"].create(
            [{"name": f"Bench skill {n}"} for n in range(SKILLS)]
        )
        rng = random.Random(11)
        quiet = env(context=QUIET)
        for first in range(0, member_count, 5000):
            vals_list = []
            for _n in range(first, min(first + 5000, member_count)):
                lat, lon = place(rng)
                vals_list.append(
                    {
                        "name": f"Bench volunteer {_n}",
                        "timebank_privacy_consent": True,
                        "partner_latitude": lat,
                        "partner_longitude": lon,
                        "birthdate_date": datetime(1940, 1, 1)
                        + timedelta(days=rng.randrange(70 * 365)),
                        "timebank_skill_ids": [
                            Command.set(rng.sample(skills.ids, rng.randint(0, 3)))
                        ],
                        "timebank_availability_ids": [
                            Command.create(
                                {
                                    "weekday": str(rng.randrange(7)),
                                    "hour_from": hour,
                                    "hour_to": hour + rng.choice((1, 2, 3)),
                                }
                            )
                            for hour in rng.sample(range(8, 20), 2)
                        ],
                    }
                )
            partners = quiet["res.partner"].create(vals_list)
            members = (
                quiet["timebank.member"]
                .with_company(company)
                .create(
                    [{"partner_id": p.id, "company_id": company.id} for p in partners]
                )
            )
            members.action_activate()
            env.flush_all()
            env.invalidate_all()
            progress(f"  {number(first + len(partners))} members")
        category = env["timebank.service.category"].create(
            {"name": "Bench", "company_id": company.id}
        )
        env["timebank.service.item"].create(
            [
                {
                    "name": f"Bench service {n}",
                    "category_id": category.id,
                    "company_id": company.id,
                    "skill_ids": [Command.set(skills[n : n + 2].ids)],
                }
                for n in range(0, SKILLS, 2)
            ]
        )
        progress(f"  done in {duration(time.perf_counter() - started)}")
        return company.id


def make_requests(env, company, count):
    """``count`` published requests of random members, in the coming week."""
    rng = random.Random(5)
    members = env["timebank.member"].search(
        [("company_id", "=", company.id), ("state", "=", "active")]
    )
    items = env["timebank.service.item"].search([("company_id", "=", company.id)])
    start = datetime.now().replace(minute=0, second=0, microsecond=0)
    vals_list = []
    for member in rng.sample(list(members), count):
        begin = start + timedelta(hours=rng.randrange(24, 24 * 7))
        vals_list.append(
            {
                "company_id": company.id,
                "member_id": member.id,
                "item_id": rng.choice(items).id,
                "tz": "Asia/Taipei",
                "window_ids": [
                    Command.create(
                        {"date_from": begin, "date_to": begin + timedelta(hours=3)}
                    )
                ],
            }
        )
    requests = env(context=QUIET)["timebank.request"].create(vals_list)
    requests.action_publish()
    env.flush_all()
    return requests.with_env(env)


def naive_rank(env, request, member_limit, limit=10):
    """The obvious implementation: a Python loop over the members, through the ORM.

    Same factors and weights as the engine; the reliability and workload of
    each member come from ``search_count`` calls.
    """
    company = request.company_id
    weights = company._timebank_weights()
    total = sum(weights.values())
    needed = set(request.skill_ids.ids)
    windows = [(w.date_from, w.date_to) for w in request.window_ids]
    since = datetime.now() - timedelta(days=company.timebank_fairness_days)
    Request = env["timebank.request"]
    Exchange = env["timebank.exchange"]
    scored = []
    members = env["timebank.member"].search(
        [("company_id", "=", company.id), ("state", "=", "active")],
        limit=member_limit,
    )
    for member in members:
        if member == request.member_id:
            continue
        if (
            request.item_id.requires_background_check
            and not member.has_valid_background_check
        ):
            continue
        partner = member.partner_id
        skill = (
            len(needed & set(partner.timebank_skill_ids.ids)) / len(needed)
            if needed
            else 1.0
        )
        wanted = covered = 0
        for start, end in windows:
            slot = start
            while slot < end:
                wanted += 1
                hour = slot.hour + slot.minute / 60
                covered += any(
                    int(a.weekday) == slot.weekday() and a.hour_from <= hour < a.hour_to
                    for a in partner.timebank_availability_ids
                )
                slot += timedelta(minutes=30)
        availability = covered / wanted if wanted else 1.0
        lat1, lon1 = math.radians(request.latitude), math.radians(request.longitude)
        lat2 = math.radians(partner.partner_latitude)
        lon2 = math.radians(partner.partner_longitude)
        km = (
            2
            * 6371.0088
            * math.asin(
                math.sqrt(
                    math.sin((lat2 - lat1) / 2) ** 2
                    + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
                )
            )
        )
        distance = 1 / (1 + km / company.timebank_distance_scale_km)
        done = Request.search_count(
            [("provider_id", "=", member.id), ("state", "=", "done")]
        )
        missed = Request.search_count(
            [("provider_id", "=", member.id), ("missed", "=", True)]
        )
        recent = Request.search_count(
            [("provider_id", "=", member.id), ("date_assigned", ">=", since)]
        ) + Exchange.search_count(
            [("provider_id", "=", member.id), ("date_start", ">=", since)]
        )
        reliability = (done + 1) / (done + missed + 2)
        fairness = 1 / (1 + recent)
        generation = (
            0.5
            if not (member.generation and request.member_id.generation)
            else float(member.generation != request.member_id.generation)
        )
        factors = {
            "skill": skill,
            "availability": availability,
            "distance": distance,
            "reliability": reliability,
            "fairness": fairness,
            "generation": generation,
        }
        score = sum(factors[f] * w for f, w in weights.items()) * 100 / total
        scored.append((score, member.id))
    scored.sort(reverse=True)
    return scored[:limit]


def timed(env, func, repeat=1):
    """Median seconds of ``func()`` over ``repeat`` runs, ORM cache emptied."""
    times = []
    result = None
    for _run in range(repeat):
        env.invalidate_all()
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000, help="members")
    parser.add_argument("--requests", type=int, default=1000, help="open requests")
    parser.add_argument(
        "--naive",
        type=int,
        default=2000,
        help="members the naive loop goes through (its time is scaled up)",
    )
    parser.add_argument("--db", default="timebank_match_bench")
    parser.add_argument("--update", action="store_true", help="update the addon")
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
    company_id = ensure_bank(registry, args.members)
    vacuum(args.db)
    with transaction(registry, keep=False) as env:
        company = env["res.company"].browse(company_id)
        Engine = env["timebank.matching.engine"]
        progress(f"{number(args.requests)} open requests...")
        requests = make_requests(env, company, args.requests)
        one = requests[0]
        progress("loading the features of every member...")
        load_time, _features = timed(
            env, lambda: Engine._load_features(company), repeat=5
        )
        progress("one request against every member...")
        one_time, ranking = timed(env, lambda: Engine._rank(one, 10), repeat=5)
        naive_members = min(args.naive, args.members)
        progress(f"naive loop over {number(naive_members)} members...")
        naive_time, _naive = timed(env, lambda: naive_rank(env, one, naive_members))
        naive_full = naive_time * args.members / naive_members
        progress(f"{number(args.requests)} requests in one batch...")
        batch_time, batch = timed(env, lambda: Engine._rank(requests, 10))
        progress("the same with candidates and explanations stored...")
        store_time, _done = timed(env, requests.action_find_candidates)
        shown = sum(len(rows) for rows in batch.values())

    print()
    print(f"{'Measurement':<58}{'Time':>12}{'Target':>10}")
    print("-" * 80)
    rows = (
        (
            f"features of {number(args.members)} members loaded (every skill and day)",
            load_time,
            None,
        ),
        (f"engine: 1 request x {number(args.members)} members", one_time, TARGET_ONE),
        (
            f"naive ORM loop: 1 request x {number(args.members)} members"
            f" (scaled from {number(naive_members)})",
            naive_full,
            None,
        ),
        (
            f"engine: {number(args.requests)} requests x {number(args.members)}"
            " members, one batch",
            batch_time,
            TARGET_BATCH,
        ),
        (
            f"naive ORM loop: {number(args.requests)} requests (scaled)",
            naive_full * args.requests,
            None,
        ),
        ("engine batch + storing candidates and explanations", store_time, None),
    )
    for label, seconds, target in rows:
        mark = "" if target is None else ("ok" if seconds < target else "MISSED")
        print(f"{label:<58}{duration(seconds):>12}{mark:>10}")
    print()
    print(f"one request: the engine is {naive_full / one_time:,.0f}x the naive loop")
    print(
        f"{number(args.requests)} requests: the engine is "
        f"{naive_full * args.requests / batch_time:,.0f}x the naive loop"
    )
    print(
        f"against the targets: one request {one_time / TARGET_ONE:.2f}x its "
        f"{TARGET_ONE} s, the batch {batch_time / TARGET_BATCH:.2f}x its "
        f"{TARGET_BATCH:.0f} s (under 1.00 meets the target)"
    )
    print(
        f"batch: {args.requests / batch_time:,.1f} requests/s, "
        f"{batch_time / args.requests * 1000:.1f} ms per request, "
        f"{number(shown)} candidates ranked"
    )
    print(f"best score of the first request: {ranking[one][0]['score']:.1f}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    progress(f"done in {duration(time.perf_counter() - start)}")
