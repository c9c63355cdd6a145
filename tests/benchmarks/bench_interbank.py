"""Benchmark: transfers per second between two time banks next to local posting.

Two databases of their own (created on the first run with ``timebank_core`` and
``timebank_interbank``, no demo data), each served by an Odoo server on a free
loopback port, as in the two-server tests. Each run commits two fresh banks (one
per database) linked by an accepted peer agreement, and a second bank in the
first database linked to the first one in that database (level 0), each with
``--members`` active members. Then, every operation in a transaction of its own,
committed:

1. local posting: ``timebank.entry._transfer`` between two members of one bank
   (the baseline);
2. level 0: ``timebank.interbank.transfer._send`` to a member of the bank in the
   same database (both sides posted in one transaction);
3. level 1, one sender: ``_send`` in bank A; its commit sends the signed message
   to bank B's server, which posts and answers; bank A settles the hold on the
   answer (three transactions and one HTTP round trip per transfer);
4. level 1, ``--clients`` members at once, each calling ``send`` over XML-RPC on
   bank A's server (the server sends the messages after each commit, one message
   of a link in flight at a time); timed until every transfer is settled (what the
   requests left queued is sent by the scheduled job's method, run here).

Prints each time, rate and its ratio to local posting, then checks that nothing
was lost or created (members + transit + clearing over both banks), that both
chains verify and that the link statements agree. Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_interbank.py [--transfers 200]
        [--clients 8] [--members 16] [--db timebank_bench_ib] [-c .local/odoo.conf]
"""

import argparse
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench_ledger import CONFIG, PROTECTED_DATABASES, REPO, create_bank, progress

import odoo
from odoo import Command
from odoo.modules.registry import Registry

MODULES = "timebank_core,timebank_interbank"
START_TIMEOUT = 180
OPENING = 10**6
BIG = 10**9


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exists(db):
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        return bool(cr.fetchone())


def prepare_databases(config, dbs, update):
    """Install (or update) the two databases, at the same time."""
    commands = []
    for db in dbs:
        command = [sys.executable, "-m", "odoo", "-c", str(config), "-d", db]
        command += ["--stop-after-init", "--log-level=warn"]
        if not exists(db):
            command += ["-i", MODULES, "--without-demo=all"]
        elif update:
            command += ["-u", "timebank_interbank"]
        else:
            continue
        commands.append(command)
    if commands:
        progress(f"preparing {len(commands)} database(s) (a minute or two)...")
        procs = [subprocess.Popen(command, cwd=REPO) for command in commands]
        if any(proc.wait() for proc in procs):
            sys.exit("installing the benchmark databases failed")


def bank_env(registry):
    cr = registry.cursor()
    return cr, odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def fund(env, members):
    """``OPENING`` minutes issued to each member, committed with the caller."""
    for member in members:
        issuance = env["timebank.account"]._get_system(member.company_id, "issuance")
        env["timebank.interbank.transfer"]._post_ledger(
            member.company_id,
            [(issuance, OPENING, 0), (member.account_id, 0, OPENING)],
            "Opening balance",
        )


def set_up(registries, urls, member_count, clients):
    """Fresh banks and links, committed.

    :return: dict of the ids the measurements need
    """
    setup = {}
    info = []
    for index, registry in enumerate(registries):
        cr, env = bank_env(registry)
        with cr:
            company, members = create_bank(
                env, f"interbank {'AB'[index]}", member_count
            )
            fund(env, members)
            key = env["timebank.interbank.key"]._current(company)
            info.append((company.timebank_bank_code, key.key_id, key.public_key))
            setup[index] = {
                "company": company.id,
                "members": members.ids,
                "numbers": members.mapped("number"),
            }
            if index == 0:
                # a second bank in the same database, for level 0
                local, local_members = create_bank(env, "interbank A0", member_count)
                fund(env, local_members)
                Peer = env["timebank.peer"]
                out = Peer.create(
                    {
                        "name": "Bench A0",
                        "company_id": company.id,
                        "mode": "local",
                        "local_company_id": local.id,
                        "limit_they_owe": BIG,
                        "limit_we_owe": BIG,
                    }
                )
                back = Peer.create(
                    {
                        "name": "Bench A",
                        "company_id": local.id,
                        "mode": "local",
                        "local_company_id": company.id,
                        "limit_they_owe": BIG,
                        "limit_we_owe": BIG,
                    }
                )
                (out | back).sudo()._guarded_write({"state": "accepted"})
                setup["local_peer"] = out.id
                setup["local_numbers"] = local_members.mapped("number")
                setup["local_company"] = local.id
    for index, registry in enumerate(registries):
        other = 1 - index
        cr, env = bank_env(registry)
        with cr:
            peer = env["timebank.peer"].create(
                {
                    "name": f"Bench {'AB'[other]}",
                    "company_id": setup[index]["company"],
                    "url": urls[other],
                    "peer_code": info[other][0],
                    "peer_key_id": info[other][1],
                    "peer_public_key": info[other][2],
                    "limit_they_owe": BIG,
                    "limit_we_owe": BIG,
                }
            )
            peer.sudo()._guarded_write({"state": "accepted"})
            setup[index]["peer"] = peer.id
    # portal logins of bank A's first members, for the XML-RPC senders
    cr, env = bank_env(registries[0])
    with cr:
        groups = env.ref("base.group_portal") | env.ref(
            "timebank_core.group_timebank_member"
        )
        stamp = time.strftime("%Y%m%d%H%M%S")
        logins = []
        for member in env["timebank.member"].browse(setup[0]["members"][:clients]):
            login = f"bench-{stamp}-{member.id}"
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "login": login,
                    "password": login,
                    "partner_id": member.partner_id.id,
                    "groups_id": [Command.set(groups.ids)],
                    "company_id": member.company_id.id,
                    "company_ids": [Command.set(member.company_id.ids)],
                }
            )
            logins.append((member.id, login))
        setup["logins"] = logins
    return setup


def start_server(config, db, port, log_path):
    command = [sys.executable, "-m", "odoo", "-c", str(config), "-d", db]
    command += [f"--db-filter=^{db}$", "--http-interface=127.0.0.1"]
    command += [f"--http-port={port}", "--max-cron-threads=0"]
    command += ["--log-level=warn", f"--logfile={log_path}"]
    server = subprocess.Popen(command, cwd=REPO)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server of {db} stopped at once, see {log_path}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/health", timeout=5
            ) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"the server of {db} did not answer, see {log_path}")


def timed(count, step):
    started = time.perf_counter()
    for index in range(count):
        step(index)
    return time.perf_counter() - started


def bench_local(registry, setup, count):
    company_id = setup[0]["company"]
    members = setup[0]["members"]

    def step(index):
        cr, env = bank_env(registry)
        with cr:
            Member = env["timebank.member"]
            payer = Member.browse(members[index % len(members)])
            payee = Member.browse(members[(index + 1) % len(members)])
            journal = env["timebank.journal"]._get(
                env["res.company"].browse(company_id), "exchange"
            )
            env["timebank.entry"]._transfer(
                journal, payer.account_id, payee.account_id, 7, "Bench local"
            )

    return timed(count, step)


def bench_level0(registry, setup, count):
    members = setup[0]["members"]
    numbers = setup["local_numbers"]

    def step(index):
        cr, env = bank_env(registry)
        with cr:
            peer = env["timebank.peer"].browse(setup["local_peer"])
            member = env["timebank.member"].browse(members[index % len(members)])
            env["timebank.interbank.transfer"]._send(
                peer, member, numbers[index % len(numbers)], 7
            )

    return timed(count, step)


def held(registry, company_id):
    cr, env = bank_env(registry)
    with cr:
        return env["timebank.interbank.transfer"].search_count(
            [
                ("company_id", "=", company_id),
                ("direction", "=", "out"),
                ("state", "=", "held"),
            ]
        )


def settle(registry, company_id):
    """Run the scheduled job's method until nothing of the bank is in transit."""
    while held(registry, company_id):
        cr, env = bank_env(registry)
        with cr:
            env["timebank.interbank.transfer"]._cron_send()
        time.sleep(0.05)


def bench_level1(registry, setup, count):
    members = setup[0]["members"]
    numbers = setup[1]["numbers"]

    def step(index):
        # the commit of the hold sends the message and settles on the answer
        cr, env = bank_env(registry)
        with cr:
            peer = env["timebank.peer"].browse(setup[0]["peer"])
            member = env["timebank.member"].browse(members[index % len(members)])
            env["timebank.interbank.transfer"]._send(
                peer, member, numbers[index % len(numbers)], 7
            )

    seconds = timed(count, step)
    started = time.perf_counter()
    settle(registry, setup[0]["company"])
    return seconds + time.perf_counter() - started


def bench_level1_clients(registry, url, db, setup, count):
    numbers = setup[1]["numbers"]
    logins = setup["logins"]
    per_client = max(count // len(logins), 1)
    errors = []
    barrier = threading.Barrier(len(logins))

    def client(job):
        index, (member_id, login) = job
        uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
            db, login, login, {}
        )
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
        barrier.wait()
        for number in range(per_client):
            try:
                models.execute_kw(
                    db,
                    uid,
                    login,
                    "timebank.interbank.transfer",
                    "send",
                    [
                        setup[0]["peer"],
                        member_id,
                        numbers[(index + number) % len(numbers)],
                        7,
                    ],
                )
            except xmlrpc.client.Fault as fault:
                text = fault.faultString.strip()
                if fault.faultCode != 2:
                    # not a message for the member (a UserError has code 2):
                    # a server error, whose traceback ends with what failed
                    lines = text.splitlines() or ["(empty)"]
                    text = "server error: " + lines[-1]
                errors.append(text[:200] or "(empty message)")

    started = time.perf_counter()
    with ThreadPoolExecutor(len(logins)) as pool:
        list(pool.map(client, enumerate(logins)))
    sent = time.perf_counter() - started
    settle(registry, setup[0]["company"])
    return per_client * len(logins), sent, time.perf_counter() - started, errors


def check(registries, setup):
    """Nothing lost or created, chains, link statement."""
    total = issued = 0
    ok = True
    for index, registry in enumerate(registries):
        cr, env = bank_env(registry)
        with cr:
            companies = env["res.company"].browse(setup[index]["company"])
            if index == 0:
                companies |= env["res.company"].browse(setup["local_company"])
            accounts = env["timebank.account"].search(
                [
                    ("company_id", "in", companies.ids),
                    ("type", "in", ("member", "peer_transit", "peer_clearing")),
                ]
            )
            total += sum(accounts.mapped("balance"))
            for company in companies:
                issued -= (
                    env["timebank.account"]._get_system(company, "issuance").balance
                )
                ok &= env["timebank.entry"].verify_chain(company.id)["ok"]
            if index == 0:
                statement = (
                    env["timebank.peer"].browse(setup[0]["peer"])._exchange_statement()
                )
    return total == issued, ok, statement


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--members", type=int, default=16)
    parser.add_argument("--db", default="timebank_bench_ib")
    parser.add_argument("-c", "--config", default=str(CONFIG))
    parser.add_argument("--update", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = Path(args.config)
    if not config.exists():
        sys.exit(f"{config} is missing: run bin/timebank setup first.")
    if args.db in PROTECTED_DATABASES:
        sys.exit(f"{args.db} is not a benchmark database")
    odoo.tools.config.parse_config(["-c", str(config), "--log-level=warn"])
    dbs = [f"{args.db}_a", f"{args.db}_b"]
    prepare_databases(config, dbs, args.update)
    registries = [Registry(db) for db in dbs]
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    log_dir = Path(odoo.tools.config["data_dir"])
    servers = [
        start_server(config, db, port, log_dir / f"{db}.log")
        for db, port in zip(dbs, ports, strict=True)
    ]
    try:
        progress("setting up the banks and links...")
        setup = set_up(registries, urls, args.members, args.clients)
        count = args.transfers
        progress(f"{count} local postings...")
        local = bench_local(registries[0], setup, count)
        progress(f"{count} transfers in one database (level 0)...")
        level0 = bench_level0(registries[0], setup, count)
        progress(f"{count} transfers to the other server, one sender...")
        level1 = bench_level1(registries[0], setup, count)
        progress(f"{count} transfers to the other server, {args.clients} clients...")
        sent, requests_time, clients_time, errors = bench_level1_clients(
            registries[0], urls[0], dbs[0], setup, count
        )
        balanced, chains, statement = check(registries, setup)
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
    base_rate = count / local
    print()
    print(f"{'Measurement':<52}{'Time':>10}{'Rate':>12}{'Ratio':>10}")
    print("-" * 84)
    for label, n, seconds in (
        ("local posting (ledger _transfer), baseline", count, local),
        ("level 0: two banks in one database", count, level0),
        ("level 1: to the other server, one sender", count, level1),
        (f"level 1: {args.clients} XML-RPC clients, until settled", sent, clients_time),
        (
            f"  ({args.clients} clients: the requests alone)",
            sent,
            requests_time,
        ),
    ):
        rate = n / seconds
        print(f"{label:<52}{seconds:>9.2f}s{rate:>10.1f}/s{rate / base_rate:>9.3f}x")
    print()
    print(f"refused or failed requests: {len(errors)} {sorted(set(errors))[:3]}")
    print(
        f"nothing lost or created: {balanced}; chains verify: {chains}; "
        f"link statement: {statement['detail']}"
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    progress(f"done in {time.perf_counter() - started:.1f} s")
