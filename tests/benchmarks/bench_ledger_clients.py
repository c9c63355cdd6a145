"""Benchmark: postings per second from 1, 8 and 32 XML-RPC clients at once.

Starts an Odoo server with several workers on a free loopback port, on a
database of its own (created on the first run with ``timebank_core``, no demo
data), sets up a bank with one pair of members for each client (committed), and
lets 1, then 8, then 32 clients post at the same time, each from one member of its
own pair to the other: every posting is two calls, ``create`` and
``action_post`` on ``timebank.entry``, as a back-office client makes them. A
round ends when every client has posted ``--postings`` entries or after
``--seconds``, whichever comes first. Prints the postings per second of each
round and their ratio to the one-client figure, the postings refused as busy and
any other error, then verifies the bank's chain over RPC and stops the server.
Nothing is asserted.

Usage (from the repository, after ``bin/timebank setup``)::

    .local/venv/bin/python tests/benchmarks/bench_ledger_clients.py [--clients 1,8,32]
        [--workers 8] [--postings 60] [--seconds 30] [--repeat 1]
        [--db timebank_bench_clients]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

from bench_ledger import CONFIG, PROTECTED_DATABASES, REPO, create_bank, progress

import odoo
from odoo.modules.registry import Registry

PASSWORD = "admin"
DEBIT = 10
START_TIMEOUT = 180  # seconds for the server to answer
STOP_TIMEOUT = 60  # seconds for the server to stop before it is killed


def free_port():
    """A TCP port of the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(db):
    """Create ``db`` with ``timebank_core`` (no demo) if it does not exist yet."""
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        if cr.fetchone():
            return
    progress(f"creating database {db} with timebank_core (a minute or two)...")
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", str(CONFIG), "-d", db]
        + ["-i", "timebank_core", "--without-demo=all", "--stop-after-init"]
        + ["--log-level=warn"],
        check=True,
        cwd=REPO,
    )


def set_up_bank(db, pairs):
    """A committed bank with ``pairs`` pairs of active members, and the admin able
    to post in it.

    :return: (bank id, exchange journal id, [(payer account, payee account)])
    """
    registry = Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company, members = create_bank(env, "clients", 2 * pairs)
        admin = env.ref("base.user_admin")
        admin.write(
            {
                "password": PASSWORD,
                "company_ids": [odoo.Command.link(company.id)],
                "groups_id": [
                    odoo.Command.link(
                        env.ref("timebank_core.group_timebank_manager").id
                    )
                ],
            }
        )
        journal = env["timebank.journal"]._get(company, "exchange")
        accounts = members.account_id.ids
        result = (
            company.id,
            journal.id,
            [(accounts[2 * n], accounts[2 * n + 1]) for n in range(pairs)],
        )
        cr.commit()
    return result


def start_server(db, port, workers, log_path, cron_threads=0):
    """An Odoo server with ``workers`` workers (and ``cron_threads`` cron
    workers) on the loopback ``port``.

    Started through a script file, as ``odoo-bin`` does: the server starts its
    long-polling (gevent) process again with ``sys.argv[0]``, which
    ``python -m odoo`` leaves unusable. Nothing here polls, so that process only
    waits until it is stopped.
    """
    launcher = Path(REPO, ".local", "bench_odoo_server.py")
    launcher.write_text(
        "import sys\nimport time\n\n"
        "if sys.argv[1:2] == ['gevent']:\n"
        "    while True:\n"
        "        time.sleep(3600)\n\n"
        "import odoo.cli\n\nodoo.cli.main()\n"
    )
    command = [sys.executable, str(launcher), "-c", str(CONFIG), "-d", db]
    command += ["--db-filter", f"^{db}$", "--http-interface", "127.0.0.1"]
    command += ["--http-port", str(port), "--gevent-port", str(free_port())]
    command += ["--workers", str(workers), "--max-cron-threads", str(cron_threads)]
    command += ["--limit-time-real", "600", "--limit-time-cpu", "300"]
    command += ["--log-level", "warn", "--logfile", str(log_path)]
    with open(log_path, "ab") as log:
        server = subprocess.Popen(
            command, cwd=REPO, start_new_session=True, stdout=log, stderr=log
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped at once, see {log_path}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/health", timeout=5
            ) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(1)
    stop_server(server)
    sys.exit(f"the server did not answer within {START_TIMEOUT} s, see {log_path}")


def stop_server(server):
    """Stop the server (and its workers), killing it if it does not stop."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.wait(timeout=STOP_TIMEOUT)


class Client:
    """One XML-RPC client posting from one member of its pair to the other."""

    def __init__(self, url, db, uid, bank_id, journal_id, pair):
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )
        self.db, self.uid = db, uid
        self.context = {"allowed_company_ids": [bank_id]}
        self.journal_id = journal_id
        self.payer, self.payee = pair
        self.posted = self.busy = 0
        self.errors = []

    def call(self, method, *args):
        return self.models.execute_kw(
            self.db,
            self.uid,
            PASSWORD,
            "timebank.entry",
            method,
            list(args),
            {"context": self.context},
        )

    def post_one(self, label):
        entry_id = self.call(
            "create",
            {
                "journal_id": self.journal_id,
                "ref": label,
                "line_ids": [
                    (0, 0, {"account_id": self.payer, "debit": DEBIT}),
                    (0, 0, {"account_id": self.payee, "credit": DEBIT}),
                ],
            },
        )
        self.call("action_post", [entry_id])

    def run(self, start, postings, seconds):
        start.wait()
        deadline = time.monotonic() + seconds
        for number in range(postings):
            if time.monotonic() >= deadline:
                break
            try:
                self.post_one(f"bench {self.payer} {number}")
                self.posted += 1
            except xmlrpc.client.Fault as fault:
                if "busy" in fault.faultString:
                    self.busy += 1
                else:
                    self.errors.append(fault.faultString.strip().splitlines()[-1])
            except OSError as error:
                self.errors.append(repr(error))
        self.finished = time.monotonic()


def cpu_seconds(session_id):
    """CPU seconds used so far by the machine (all its processes, busy time of
    every core) and by the processes of the server's session.

    :return: (machine seconds, server seconds)
    """
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    server = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            data = (entry / "stat").read_text()
        except OSError:
            continue
        values = data.rsplit(")", 1)[1].split()
        if int(values[3]) == session_id:  # field 6: the session
            server += int(values[11]) + int(values[12])  # utime, stime
    return (sum(fields[:8]) - idle) / tick, server / tick


def run_round(url, db, uid, bank_id, journal_id, pairs, args):
    """``len(pairs)`` clients at once.

    :return: dict with postings, seconds, rate, busy and errors
    """
    clients = [Client(url, db, uid, bank_id, journal_id, pair) for pair in pairs]
    start = threading.Barrier(len(clients) + 1)
    threads = [
        threading.Thread(target=c.run, args=(start, args.postings, args.seconds))
        for c in clients
    ]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(args.server_pid)
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=args.seconds + 600)
    ended = max(getattr(c, "finished", time.monotonic()) for c in clients)
    machine, server = (
        after - before
        for after, before in zip(cpu_seconds(args.server_pid), cpu_before, strict=True)
    )
    posted = sum(c.posted for c in clients)
    seconds = ended - began
    return {
        "clients": len(clients),
        "postings": posted,
        "seconds": seconds,
        "rate": posted / seconds if seconds else 0.0,
        # cores busy on average during the round, and Odoo's CPU per posting
        "cores_busy": machine / seconds if seconds else 0.0,
        "server_ms": 1000 * server / posted if posted else 0.0,
        "busy": sum(c.busy for c in clients),
        "errors": [error for c in clients for error in c.errors],
    }


def warm_up(url, db, uid, bank_id, workers):
    """Let every worker load the registry before anything is timed."""
    models = [
        xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
        for _n in range(2 * workers)
    ]

    def ping(proxy):
        for _n in range(3):
            proxy.execute_kw(
                db,
                uid,
                PASSWORD,
                "timebank.entry",
                "search_count",
                [[]],
                {"context": {"allowed_company_ids": [bank_id]}},
            )

    threads = [threading.Thread(target=ping, args=(proxy,)) for proxy in models]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=START_TIMEOUT)


def report(rounds):
    """Print every round, then the median rate per number of clients and its
    ratio to the one-client median."""
    print()
    print(
        f"{'clients':>7}  {'postings':>8}  {'seconds':>7}  {'postings/s':>10}  "
        f"{'busy':>4}  {'errors':>6}  {'cores busy':>10}  Odoo CPU/posting"
    )
    for result in rounds:
        print(
            f"{result['clients']:>7}  {result['postings']:>8}  "
            f"{result['seconds']:>7.1f}  {result['rate']:>10.2f}  "
            f"{result['busy']:>4}  {len(result['errors']):>6}  "
            f"{result['cores_busy']:>6.2f}/{os.cpu_count():<3}  "
            f"{result['server_ms']:.1f} ms"
        )
    medians = {}
    for result in rounds:
        medians.setdefault(result["clients"], []).append(result["rate"])
    base = statistics.median(medians.get(1, [0])) or None
    print()
    print(f"{'clients':>7}  {'median/s':>8}  {'min-max':>13}  vs 1 client")
    for clients, rates in sorted(medians.items()):
        median = statistics.median(rates)
        ratio = f"{median / base:.2f}x" if base else "-"
        print(
            f"{clients:>7}  {median:>8.2f}  {min(rates):>6.2f}-{max(rates):<6.2f}  "
            f"{ratio}"
        )
    errors = [error for result in rounds for error in result["errors"]]
    if errors:
        print(f"\n{len(errors)} errors other than busy, first ones:")
        for error in errors[:5]:
            print(f"  {error}")
    if base and 8 in medians:
        ratio = statistics.median(medians[8]) / base
        verdict = "met" if ratio >= 4 else "NOT met"
        print(f"\n8 clients: {ratio:.2f}x one client (goal >= 4x: {verdict})")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients", default="1,8,32", help="comma-separated numbers of clients"
    )
    parser.add_argument("--workers", type=int, default=8, help="server workers")
    parser.add_argument(
        "--postings", type=int, default=60, help="postings per client and round"
    )
    parser.add_argument(
        "--seconds", type=float, default=30, help="longest round, in seconds"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="times every round is run, in turn"
    )
    parser.add_argument("--db", default="timebank_bench_clients", help="database")
    args = parser.parse_args(argv)
    args.clients = [int(n) for n in args.clients.split(",")]
    if args.db in PROTECTED_DATABASES:
        parser.error(f"{args.db} is not a benchmark database")
    if min(args.clients) < 1 or args.workers < 2 or args.postings < 1:
        parser.error("--clients >= 1, --workers >= 2 and --postings >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not CONFIG.exists():
        sys.exit(f"{CONFIG} is missing: run bin/timebank setup first.")
    odoo.tools.config.parse_config(
        ["-c", str(CONFIG), "--log-level=warn"], setup_logging=True
    )
    prepare_database(args.db)
    progress(f"setting up a bank with {max(args.clients)} pairs of members...")
    bank_id, journal_id, pairs = set_up_bank(args.db, max(args.clients))
    odoo.sql_db.close_all()
    port = free_port()
    log_path = Path(REPO, ".local", "bench_ledger_clients.log")
    progress(f"starting Odoo with {args.workers} workers on 127.0.0.1:{port}...")
    server = start_server(args.db, port, args.workers, log_path)
    args.server_pid = server.pid  # the session of the server and its workers
    rounds = []
    try:
        url = f"http://127.0.0.1:{port}"
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        uid = common.authenticate(args.db, "admin", PASSWORD, {})
        warm_up(url, args.db, uid, bank_id, args.workers)
        for _run in range(args.repeat):
            for count in args.clients:
                progress(f"{count} clients posting...")
                result = run_round(
                    url, args.db, uid, bank_id, journal_id, pairs[:count], args
                )
                progress(
                    f"  {result['postings']} postings in {result['seconds']:.1f} s: "
                    f"{result['rate']:.2f}/s, {result['busy']} busy, "
                    f"{len(result['errors'])} errors"
                )
                rounds.append(result)
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
        verified = models.execute_kw(
            args.db,
            uid,
            PASSWORD,
            "timebank.entry",
            "verify_chain",
            [bank_id],
            {"context": {"allowed_company_ids": [bank_id]}},
        )
    finally:
        progress("stopping the server...")
        stop_server(server)
    report(rounds)
    print(
        f"\nchain of the bank after the rounds: ok={verified['ok']}, "
        f"{verified['checked']} entries checked"
        + (f", broken at {verified['first_broken']}" if not verified["ok"] else "")
    )
    print(
        f"{os.cpu_count()} CPUs, 1-minute load average {os.getloadavg()[0]:.2f} "
        f"(other busy processes skew the figures); {args.workers} workers"
    )


if __name__ == "__main__":
    main()
