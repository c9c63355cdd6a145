"""Load test: brokers posting services and members reading their portal pages at once.

Starts an Odoo server with ``--workers 4 --max-cron-threads 1`` on a free
loopback port, on a database of its own (created on the first run from every
addon of ``addons/``, no demo data), sets up a fresh bank (committed) with
members, broker users and portal users, and lets 32 clients work at the same
time for a fixed time:

- brokers (8 by default) post services through XML-RPC as a back-office client
  does: ``create`` of a ``timebank.exchange``, then ``action_submit``,
  ``action_confirm`` (in person), ``action_verify`` and ``action_post``, each
  broker on members of their own;
- members (the other clients) log in over HTTP (a session cookie) and read their
  portal pages in turn: ``/my/timebank``, ``/my/timebank/requests``,
  ``/my/timebank/offers`` and ``/my/timebank/can-buy``.

Then it stops the server and prints the p50 and p95 latency and the error rate of
every kind of request, the postings made (``action_post`` answered) against the
posted services and ledger entries found in the database, and the verification
of the bank's hash chain by ``odoo timebank-verify`` (what ``bin/timebank verify``
runs). Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_load.py [--clients 32]
        [--brokers 8] [--seconds 60] [--workers 4] [--members 200]
        [--db timebank_bench_load]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

import requests
from bench_ledger import (
    CONFIG,
    PROTECTED_DATABASES,
    REPO,
    create_bank,
    load_config,
    progress,
)
from bench_ledger_clients import free_port, start_server, stop_server

import odoo
from odoo.modules.registry import Registry

PAGES = (
    "/my/timebank",
    "/my/timebank/requests",
    "/my/timebank/offers",
    "/my/timebank/can-buy",
)
FLOW = ("create", "action_submit", "action_confirm", "action_verify", "action_post")
MINUTES = 30  # of each service


def prepare_database(db):
    """Create ``db`` with every addon of the repository (no demo) if it does not
    exist yet."""
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        if cr.fetchone():
            return
    modules = ",".join(sorted(path.name for path in (REPO / "addons").iterdir()))
    progress(f"creating database {db} with {modules} (a few minutes)...")
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", str(CONFIG), "-d", db]
        + ["-i", modules, "--without-demo=all", "--stop-after-init"]
        + ["--log-level=warn"],
        check=True,
        cwd=REPO,
    )


def set_up_bank(db, member_count, brokers, readers):
    """A committed bank with ``member_count`` active members, ``brokers`` broker
    users and ``readers`` portal users (the first members), the four-eyes check
    off (each broker confirms and verifies their own sheets).

    :return: dict with bank, item, brokers [(login, [member ids])], readers
        [login]; every password is the login
    """
    registry = Registry(db)
    stamp = datetime.now().strftime("%H%M%S")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company, members = create_bank(env, "load", member_count)
        company.timebank_four_eyes = False
        category = env["timebank.service.category"].create(
            {"name": "Load", "company_id": company.id}
        )
        item = env["timebank.service.item"].create(
            {"name": "Neighbourly care", "category_id": category.id}
            | {"company_id": company.id}
        )
        Users = env["res.users"].with_context(no_reset_password=True)
        broker_group = env.ref("timebank_core.group_timebank_broker")
        result = {"bank": company.id, "item": item.id, "brokers": [], "readers": []}
        broker_partners = env["res.partner"]
        for index in range(brokers):
            login = f"load{stamp}_broker{index}"
            broker_partners |= Users.create(
                {
                    "name": f"Load broker {index}",
                    "login": login,
                    "email": f"{login}@example.com",  # the author of messages
                    "password": login,
                    "company_id": company.id,
                    "company_ids": [odoo.Command.set(company.ids)],
                    "groups_id": [
                        odoo.Command.link(env.ref("base.group_user").id),
                        odoo.Command.link(broker_group.id),
                    ],
                }
            ).partner_id
            pool = members.ids[index::brokers]
            result["brokers"].append((login, pool))
        if "timebank.broker.check" in env:
            # timebank_cooperative: brokers verify and post with a valid
            # background check and training, as the bank requires by default
            today = datetime.now().date()
            env["timebank.broker.check"].create(
                [
                    {
                        "name": "Load test record",
                        "kind": kind,
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "date": today - timedelta(days=30),
                        "expiry_date": today + timedelta(days=300),
                    }
                    for partner in broker_partners
                    for kind in ("background", "training")
                ]
            )
        member_group = env.ref("timebank_core.group_timebank_member")
        for index, member in enumerate(members[:readers]):
            login = f"load{stamp}_member{index}"
            Users.create(
                {
                    "login": login,
                    "password": login,
                    "partner_id": member.partner_id.id,
                    "company_id": company.id,
                    "company_ids": [odoo.Command.set(company.ids)],
                    "groups_id": [
                        odoo.Command.set(
                            [env.ref("base.group_portal").id, member_group.id]
                        )
                    ],
                }
            )
            result["readers"].append(login)
        cr.commit()
    return result


class Client(threading.Thread):
    """One client; ``timings`` {kind: [seconds]}, ``errors`` {kind: [text]}."""

    def __init__(self, url, db, start, seconds):
        super().__init__(daemon=True)
        self.url, self.db, self.start_event, self.seconds = url, db, start, seconds
        self.timings, self.errors = {}, {}

    def timed(self, kind, func, *args):
        """``func(*args)``, its time and error recorded under ``kind``."""
        started = time.perf_counter()
        try:
            result = func(*args)
        except Exception as error:  # noqa: BLE001 -- every failure is counted
            self.errors.setdefault(kind, []).append(describe(error))
            raise
        finally:
            self.timings.setdefault(kind, []).append(time.perf_counter() - started)
        return result

    def run(self):
        self.start_event.wait()
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            try:
                self.step()
            except Exception:  # noqa: BLE001,S112 -- recorded by timed()
                continue


class Broker(Client):
    """Posts services between members of its own, one after the other."""

    def __init__(self, url, db, start, seconds, login, pool, bank, item):
        super().__init__(url, db, start, seconds)
        self.login, self.pool, self.bank, self.item = login, pool, bank, item
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, login, login, {})
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )
        # services end in the past and never overlap for a provider
        self.base = datetime.now().replace(microsecond=0) - timedelta(days=20)
        self.count = self.posted = 0

    def call(self, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db,
            self.uid,
            self.login,
            "timebank.exchange",
            method,
            list(args),
            {"context": {"allowed_company_ids": [self.bank]}, **kwargs},
        )

    def step(self):
        number = self.count
        self.count += 1
        begin = self.base + timedelta(minutes=(MINUTES + 10) * number)
        vals = {
            "provider_id": self.pool[number % len(self.pool)],
            "receiver_id": self.pool[(number + 1) % len(self.pool)],
            "item_id": self.item,
            "company_id": self.bank,
            "date_start": begin.strftime("%Y-%m-%d %H:%M:%S"),
            "date_end": (begin + timedelta(minutes=MINUTES)).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
        }
        started = time.perf_counter()
        exchange_id = self.timed("xmlrpc create service", self.call, "create", vals)
        for method in FLOW[1:]:
            args = (
                ([exchange_id], "in_person")
                if method == "action_confirm"
                else ([exchange_id],)
            )
            self.timed(f"xmlrpc {method}", self.call, method, *args)
        self.posted += 1
        self.timings.setdefault("a whole posting (5 calls)", []).append(
            time.perf_counter() - started
        )


class Reader(Client):
    """A member reading their portal pages in turn, logged in."""

    def __init__(self, url, db, start, seconds, login):
        super().__init__(url, db, start, seconds)
        self.session = requests.Session()
        response = self.session.post(
            f"{url}/web/session/authenticate",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "params": {"db": db, "login": login, "password": login},
                }
            ),
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        response.raise_for_status()
        if response.json().get("error") or not response.json()["result"].get("uid"):
            raise RuntimeError(f"{login} could not log in: {response.text[:200]}")
        self.page = 0

    def get(self, path):
        response = self.session.get(
            f"{self.url}{path}", timeout=300, allow_redirects=False
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} {path}")
        return response

    def step(self):
        path = PAGES[self.page % len(PAGES)]
        self.page += 1
        self.timed(f"GET {path}", self.get, path)


def describe(error):
    if isinstance(error, xmlrpc.client.Fault):
        return error.faultString.strip().splitlines()[-1][:200]
    return repr(error)[:200]


def percentile(values, share):
    """The ``share`` (0 to 1) percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def warm_up(url, db, setup, workers):
    """Let every worker load the registry before anything is timed."""
    login = setup["brokers"][0][0]
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(db, login, login, {})

    def ping():
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
        for _n in range(3):
            models.execute_kw(db, uid, login, "timebank.exchange", "search_count", [[]])
            requests.get(f"{url}/web/login", timeout=300)

    threads = [threading.Thread(target=ping) for _n in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def found_in_database(db, bank):
    """Posted services of ``bank`` and their posted ledger entries."""
    registry = Registry(db)
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT count(*), count(entry.id)
              FROM timebank_exchange exchange
              LEFT JOIN timebank_entry entry
                ON entry.id = exchange.entry_id AND entry.state = 'posted'
             WHERE exchange.company_id = %s AND exchange.state = 'posted'
            """,
            [bank],
        )
        return cr.fetchone()


def verify(db, bank):
    """``odoo timebank-verify`` for the bank, as ``bin/timebank verify`` runs it:
    (exit code, output)."""
    addons_path = odoo.tools.config["addons_path"]
    done = subprocess.run(
        [sys.executable, "-m", "odoo", f"--addons-path={addons_path}"]
        + ["timebank-verify", "-c", str(CONFIG), "-d", db, "--bank", str(bank)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def report(clients, seconds):
    timings, errors = {}, {}
    for client in clients:
        for kind, values in client.timings.items():
            timings.setdefault(kind, []).extend(values)
        for kind, values in client.errors.items():
            errors.setdefault(kind, []).extend(values)
    print()
    print(
        f"{'request':<34}{'count':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'errors':>8}{'rate':>8}"
    )
    print("-" * 83)
    for kind in sorted(timings):
        values = timings[kind]
        failed = len(errors.get(kind, []))
        print(
            f"{kind:<34}{len(values):>7}{len(values) / seconds:>8.1f}"
            f"{1000 * percentile(values, 0.5):>9.0f}"
            f"{1000 * percentile(values, 0.95):>9.0f}"
            f"{failed:>8}{failed / len(values):>8.1%}"
        )
    requests_made = sum(
        len(values) for kind, values in timings.items() if not kind.startswith("a ")
    )
    failed = sum(len(values) for values in errors.values())
    print(
        f"\nall requests: {requests_made}, {requests_made / seconds:.1f}/s, "
        f"errors {failed} ({failed / requests_made if requests_made else 0:.2%})"
    )
    for kind, values in sorted(errors.items()):
        print(f"  {kind}: {values[0]}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="clients at once")
    parser.add_argument("--brokers", type=int, default=8, help="of them, brokers")
    parser.add_argument("--seconds", type=float, default=60, help="length of the run")
    parser.add_argument("--workers", type=int, default=4, help="server workers")
    parser.add_argument("--cron-threads", type=int, default=1, help="cron workers")
    parser.add_argument("--members", type=int, default=200, help="members of the bank")
    parser.add_argument("--db", default="timebank_bench_load", help="database")
    args = parser.parse_args(argv)
    if args.db in PROTECTED_DATABASES:
        parser.error(f"{args.db} is not a benchmark database")
    readers = args.clients - args.brokers
    if args.brokers < 1 or readers < 1 or args.members < max(2 * args.brokers, readers):
        parser.error(
            "--brokers >= 1, --clients > --brokers, and --members at least "
            "twice --brokers and at least the readers"
        )
    return args


def main(argv=None):
    args = parse_args(argv)
    load_config()
    prepare_database(args.db)
    readers = args.clients - args.brokers
    progress(
        f"setting up a bank with {args.members} members, {args.brokers} brokers "
        f"and {readers} members with a portal login..."
    )
    setup = set_up_bank(args.db, args.members, args.brokers, readers)
    odoo.sql_db.close_all()
    port = free_port()
    log_path = Path(REPO, ".local", "bench_load.log")
    progress(
        f"starting Odoo with --workers={args.workers} "
        f"--max-cron-threads={args.cron_threads} on 127.0.0.1:{port}..."
    )
    server = start_server(
        args.db, port, args.workers, log_path, cron_threads=args.cron_threads
    )
    load_before = os.getloadavg()
    try:
        url = f"http://127.0.0.1:{port}"
        warm_up(url, args.db, setup, args.workers)
        start = threading.Event()
        bank, item = setup["bank"], setup["item"]
        clients = [
            Broker(url, args.db, start, args.seconds, login, pool, bank, item)
            for login, pool in setup["brokers"]
        ] + [
            Reader(url, args.db, start, args.seconds, login)
            for login in setup["readers"]
        ]
        for client in clients:
            client.start()
        progress(f"{len(clients)} clients for {args.seconds:.0f} s...")
        began = time.monotonic()
        start.set()
        for client in clients:
            client.join(timeout=args.seconds + 600)
        elapsed = time.monotonic() - began
        load_during = os.getloadavg()
    finally:
        progress("stopping the server...")
        stop_server(server)
    odoo.sql_db.close_all()
    report(clients, elapsed)
    made = sum(client.posted for client in clients if isinstance(client, Broker))
    services, entries = found_in_database(args.db, setup["bank"])
    print(
        f"\npostings made (action_post answered): {made}; posted services found: "
        f"{services}; their posted ledger entries: {entries}; lost: {made - entries}"
    )
    code, output = verify(args.db, setup["bank"])
    print(f"chain verification (odoo timebank-verify, exit {code}): {output}")
    print(
        f"{os.cpu_count()} CPUs; load average (1, 5, 15 min) before the run "
        f"{', '.join(f'{v:.2f}' for v in load_before)}, at its end "
        f"{', '.join(f'{v:.2f}' for v in load_during)}; server log {log_path}"
    )


if __name__ == "__main__":
    main()
