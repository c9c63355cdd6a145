"""Two real Odoo servers on loopback, each with its own database (level 1).

The fixture installs ``timebank_core,timebank_interbank`` in two databases named
after the test database, starts a server on each, waits for ``/web/health``, links
the two banks and stops and drops everything at the end. It fails, never skips.
"""

import socket
import subprocess
import sys
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import config

from odoo.addons.timebank_interbank.models import protocol

MODULES = "timebank_core,timebank_interbank"
PORTS = range(8272, 8290)


def _free_port(taken=()):
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)):
                return port
    raise RuntimeError("no free port in 8272-8289")


def _odoo(*args):
    return [sys.executable, "-m", "odoo", "-c", config.rcfile, *args]


def _drop(db):
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid != pg_backend_pid()",
            [db],
        )
        cr.execute(f'DROP DATABASE IF EXISTS "{db}"')


class Servers:
    """The two banks' databases and their Odoo servers, started and killed here."""

    def __init__(self, dbs):
        self.dbs = dbs
        self.ports = []
        self.procs = [None, None]

    @property
    def urls(self):
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self, index):
        db = self.dbs[index]
        if len(self.ports) <= index:
            self.ports.append(_free_port(self.ports))
        port = self.ports[index]
        self.procs[index] = subprocess.Popen(
            _odoo(
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--http-port={port}",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
                "--log-level=warn",
            )
        )
        url = f"http://127.0.0.1:{port}"
        for _i in range(240):
            try:
                up = requests.get(url + "/web/health", timeout=2).ok
            except requests.RequestException:
                up = False
            if up:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{url} did not start")

    def __iter__(self):
        return iter((self.dbs, self.urls))

    def kill(self, index):
        """SIGKILL: the server dies at once, as in a power cut."""
        proc = self.procs[index]
        if proc:
            proc.kill()
            proc.wait()
            self.procs[index] = None


@pytest.fixture(scope="module")
def servers():
    base = config["db_name"]
    if isinstance(base, list):
        base = base[0]
    dbs = [f"{base}_peer_a", f"{base}_peer_b"]
    for db in dbs:
        if db in odoo.service.db.list_dbs(True):
            _drop(db)
    # both databases are installed at the same time
    installs = [
        subprocess.Popen(
            _odoo(
                "-d",
                db,
                "-i",
                MODULES,
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            )
        )
        for db in dbs
    ]
    assert [proc.wait() for proc in installs] == [0, 0]
    group = Servers(dbs)
    try:
        group.start(0)
        group.start(1)
        _link(dbs, group.urls)
        yield group
    finally:
        for index in (0, 1):
            group.kill(index)
        for db in dbs:
            Registry.delete(db)
            _drop(db)


def _registry(db):
    """The registry of a peer database in this process, without running its tests."""
    enabled = config["test_enable"]
    config["test_enable"] = False
    try:
        return Registry(db)
    finally:
        config["test_enable"] = enabled


class Bank:
    """An environment of a peer database in this process, committed on exit
    (the cursor's own context manager), as an admin script would use it."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.cursor = _registry(self.db).cursor()
        self.cursor.__enter__()
        return api.Environment(self.cursor, SUPERUSER_ID, {})

    def __exit__(self, *exc):
        return self.cursor.__exit__(*exc)


def _link(dbs, urls):
    info = []
    for db in dbs:
        with Bank(db) as env:
            company = env.company
            key = env["timebank.interbank.key"]._current(company)
            info.append((company.timebank_bank_code, key.key_id, key.public_key))
    for index, db in enumerate(dbs):
        other = 1 - index
        with Bank(db) as env:
            peer = env["timebank.peer"].create(
                {
                    "name": "Bank " + "AB"[other],
                    "url": urls[other],
                    "peer_code": info[other][0],
                    "peer_key_id": info[other][1],
                    "peer_public_key": info[other][2],
                    "limit_they_owe": 3000,
                    "limit_we_owe": 3000,
                }
            )
            peer.sudo()._guarded_write({"state": "accepted"})
            for name in ("Member 1", "Member 2"):
                partner = env["res.partner"].create(
                    {"name": name, "timebank_privacy_consent": True}
                )
                member = env["timebank.member"].create(
                    {"partner_id": partner.id, "company_id": env.company.id}
                )
                member.action_activate()
                issuance = env["timebank.account"]._get_system(env.company, "issuance")
                env["timebank.interbank.transfer"]._post_ledger(
                    env.company,
                    [(issuance, 600, 0), (member.account_id, 0, 600)],
                    "Opening balance",
                )


def _state(db):
    with Bank(db) as env:
        peer = env["timebank.peer"].search([], limit=1)
        members = env["timebank.member"].search([])
        issuance = env["timebank.account"]._get_system(env.company, "issuance")
        return {
            "issued": -issuance.balance,
            "members": sum(members.mapped("balance")),
            "transit": peer.transit_account_id.balance,
            "clearing": peer.clearing_account_id.balance,
            "numbers": members.mapped("number"),
            "chain": env["timebank.entry"].verify_chain(env.company.id)["ok"],
            "peer_state": peer.state,
        }


def _check(dbs):
    """Members + transit + clearing over both banks are what the banks issued
    (nothing lost or created), both chains verify, the link statements agree."""
    a, b = _state(dbs[0]), _state(dbs[1])
    total = sum(s["members"] + s["transit"] + s["clearing"] for s in (a, b))
    assert total == a["issued"] + b["issued"], (a, b)
    assert a["chain"] and b["chain"], (a, b)
    with Bank(dbs[0]) as env:
        peer = env["timebank.peer"].search([], limit=1)
        result = peer._exchange_statement()
    assert result["agree"], result
    return a, b


def _send(db, payee_number, minutes):
    with Bank(db) as env:
        peer = env["timebank.peer"].search([], limit=1)
        member = env["timebank.member"].search([], order="id", limit=1)
        transfer = env["timebank.interbank.transfer"]._send(
            peer, member, payee_number, minutes
        )
        transfer_id, peer_id = transfer.id, peer.id
    env_registry = _registry(db)
    env_registry["timebank.interbank.transfer"]._dispatch(env_registry, peer_id)
    with Bank(db) as env:
        transfer = env["timebank.interbank.transfer"].browse(transfer_id)
        return transfer.read(
            [
                "uuid",
                "state",
                "refusal_code",
                "refusal_text",
                "request_body",
                "answer_body",
                "expires_at",
                "last_error",
            ]
        )[0]


def _wait(predicate, seconds=90, what="the condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _settle(db):
    """Run the bank's scheduled job (send again what waits, with its backoff;
    cancel what expired) until no sent transfer is in transit."""

    def settled():
        with Bank(db) as env:
            env["timebank.interbank.transfer"]._cron_send()
        # the commit above sent the messages; a new transaction sees the answers
        with Bank(db) as env:
            return not env["timebank.interbank.transfer"].search_count(
                [("direction", "=", "out"), ("state", "=", "held")]
            )

    _wait(settled, what=f"the transfers of {db} to settle")


def _incoming(db, reference):
    with Bank(db) as env:
        return env["timebank.interbank.transfer"].search_read(
            [("direction", "=", "in"), ("uuid", "=", reference)],
            ["state", "answer_body", "credited"],
        )


def _balance(db, number):
    with Bank(db) as env:
        return env["timebank.member"].search([("number", "=", number)]).balance


def _accepted(dbs):
    for db in dbs:
        assert _state(db)["peer_state"] == "accepted", db


def test_transfers_between_two_servers(servers):
    dbs, urls = servers
    b = _state(dbs[1])
    _check(dbs)
    # a transfer end to end
    done = _send(dbs[0], b["numbers"][0], 90)
    assert done["state"] == "committed", done
    a, b2 = _check(dbs)
    assert a["clearing"] == 90 and b2["clearing"] == -90
    # the same message delivered twice: the stored answer, byte for byte
    again = requests.post(
        urls[1] + "/timebank/interbank/v1/message",
        data=done["request_body"].encode(),
        timeout=10,
    )
    assert again.status_code == 200
    assert again.content == done["answer_body"].encode()
    _check(dbs)
    # one byte of the payload flipped: refused, nothing posted
    body = bytearray(done["request_body"].encode())
    needle = b'minutes\\":90'
    index = body.index(needle) + len(needle) - 2
    body[index] = ord("8")
    flipped = requests.post(
        urls[1] + "/timebank/interbank/v1/message", data=bytes(body), timeout=10
    )
    assert flipped.status_code == 400
    assert protocol.BAD_SIGNATURE in flipped.text
    _check(dbs)
    # an unknown payee: a signed refusal, the member gets the minutes back
    refused = _send(dbs[0], "NOBODY", 30)
    assert refused["state"] == "refused"
    assert refused["refusal_code"] == protocol.PAYEE_UNKNOWN
    assert "no member with that number" in refused["refusal_text"]
    _check(dbs)
    # over the payee bank's trust limit
    with Bank(dbs[1]) as env:
        env["timebank.peer"].search([], limit=1).limit_we_owe = 100
    over = _send(dbs[0], b["numbers"][0], 60)
    assert (
        over["state"] == "refused" and over["refusal_code"] == protocol.LIMIT_EXCEEDED
    )
    assert "trust limit" in over["refusal_text"]
    _check(dbs)
    # the other direction
    back = _send(dbs[1], _state(dbs[0])["numbers"][0], 45)
    assert back["state"] == "committed", back
    _check(dbs)


def test_service_between_two_servers(servers):
    """A member of bank B gave a service to a member of bank A: bank A pays it,
    bank B credits its provider, who sees a service given to member N of bank
    A; an unknown provider is refused and the receiver gets the minutes back."""
    dbs, _urls = servers
    _accepted(dbs)
    with Bank(dbs[1]) as env:
        env["timebank.peer"].search([], limit=1).limit_we_owe = 3000
    provider = _state(dbs[1])["numbers"][1]
    day = (datetime.now() - timedelta(days=1)).date().isoformat()
    with Bank(dbs[0]) as env:
        receiver = env["timebank.member"].search([], order="id", limit=1)
        receiver_number, receiver_balance = receiver.number, receiver.balance
    provider_balance = _balance(dbs[1], provider)
    with Bank(dbs[0]) as env:
        peer = env["timebank.peer"].search([], limit=1)
        category = env["timebank.service.category"].create({"name": "Reading"})
        item = env["timebank.service.item"].create(
            {"name": "Reading aloud", "category_id": category.id, "coefficient": 0.5}
        )
        Transfer = env["timebank.interbank.transfer"]
        ids = [
            Transfer.send_service(
                peer.id, receiver.id, provider, 60, day, item.id, "Read the letters"
            ),
            Transfer.send_service(peer.id, receiver.id, "NOBODY", 20, day),
        ]
        peer_id = peer.id
    registry = _registry(dbs[0])
    registry["timebank.interbank.transfer"]._dispatch(registry, peer_id)
    with Bank(dbs[0]) as env:
        paid, refused = env["timebank.interbank.transfer"].browse(ids)
        assert (paid.state, paid.minutes) == ("committed", 30), paid.read()
        assert refused.state == "refused"
        assert refused.refusal_code == protocol.PAYEE_UNKNOWN
        assert "no member with that number" in refused.refusal_text
        assert "Read the letters" not in paid.request_body
        assert "Reading aloud" not in paid.request_body
        reference = paid.uuid
    assert _balance(dbs[0], receiver_number) == receiver_balance - 30
    assert _balance(dbs[1], provider) == provider_balance + 30
    with Bank(dbs[1]) as env:
        received = env["timebank.interbank.transfer"].search(
            [("direction", "=", "in"), ("uuid", "=", reference)]
        )
        assert (received.state, received.purpose, str(received.service_date)) == (
            "committed",
            "service",
            day,
        )
        assert received.summary == (
            f"Service given to member {receiver_number} of Bank A on {day}"
        ), received.summary
    _check(dbs)


def test_concurrent_copies_and_sequence_gap(servers):
    dbs, urls = servers
    payee = _state(dbs[1])["numbers"][1]
    with Bank(dbs[1]) as env:
        env["timebank.peer"].search([], limit=1).limit_we_owe = 3000
    # a message built by bank A, delivered by two copies at the same moment
    with Bank(dbs[0]) as env:
        peer = env["timebank.peer"].search([], limit=1)
        member = env["timebank.member"].search([], order="id", limit=1)
        transfer = env["timebank.interbank.transfer"]._send(peer, member, payee, 20)
        _tid, _url, body = transfer._next_message(peer.id)
        transfer_id, peer_id = transfer.id, peer.id
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda _i: requests.post(
                    urls[1] + "/timebank/interbank/v1/message", data=body, timeout=30
                ),
                range(2),
            )
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    registry = _registry(dbs[0])
    registry["timebank.interbank.transfer"]._dispatch(registry, peer_id)
    with Bank(dbs[0]) as env:
        transfer = env["timebank.interbank.transfer"].browse(transfer_id)
        assert transfer.state == "committed"
        assert transfer.answer_body.encode() == answers[0].content
        reference = transfer.uuid
    with Bank(dbs[1]) as env:
        assert (
            env["timebank.interbank.transfer"].search_count([("uuid", "=", reference)])
            == 1
        )
    _check(dbs)
    # a sequence gap: a message signed by bank A that skips a number
    with Bank(dbs[0]) as env:
        peer = env["timebank.peer"].search([], limit=1)
        link = peer._link("out")
        payload = peer._base_payload(protocol.PREPARE)
        payload.update(
            uuid="gap-test",
            link={
                "from": peer.own_code,
                "to": peer.peer_code,
                "seq": link.last_seq + 2,
                "prev_hash": link.last_hash,
            },
            payer={"bank": peer.own_code, "member": "X"},
            payee={"bank": peer.peer_code, "member": payee},
            minutes=5,
            expires=int(time.time()) + 600,
        )
        gap_body = env["timebank.interbank.key"]._current(env.company)._seal(payload)
    gap = requests.post(
        urls[1] + "/timebank/interbank/v1/message", data=gap_body, timeout=10
    )
    assert gap.status_code == 409 and protocol.SEQ_GAP in gap.text
    assert _state(dbs[1])["peer_state"] == "suspended"
    _check(dbs)
    with Bank(dbs[1]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write({"state": "accepted"})
    done = _send(dbs[0], payee, 15)
    assert done["state"] == "committed", done
    _check(dbs)


def test_inactive_payee_and_cancel_after_expiry(servers):
    dbs, urls = servers
    payee = _state(dbs[1])["numbers"][1]
    # the payee bank cannot be reached: the hold waits, then is cancelled
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write(
            {"url": "http://127.0.0.1:9", "validity_seconds": 10}
        )
    held = _send(dbs[0], payee, 25)
    assert held["state"] == "held", held
    assert "Waiting for the partner bank" in held["refusal_text"]
    time.sleep(11)
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write(
            {"url": urls[1], "validity_seconds": 3600}
        )
    registry = _registry(dbs[0])
    with Bank(dbs[0]) as env:
        peer_id = env["timebank.peer"].search([], limit=1).id
    registry["timebank.interbank.transfer"]._dispatch(registry, peer_id, force=True)
    with Bank(dbs[0]) as env:
        transfer = env["timebank.interbank.transfer"].search(
            [("direction", "=", "out")], order="id desc", limit=1
        )
        assert transfer.state == "cancelled", transfer.read()
        assert "cancelled before the partner bank" in transfer.refusal_text
    _check(dbs)
    # an inactive payee
    with Bank(dbs[1]) as env:
        member = env["timebank.member"].search([("number", "=", payee)])
        member.state_reason = "Moved away"
        member.action_suspend()
    refused = _send(dbs[0], payee, 10)
    assert refused["refusal_code"] == protocol.PAYEE_INACTIVE, refused
    assert "not active" in refused["refusal_text"]
    _check(dbs)


def test_payee_killed_after_commit_before_answer(servers):
    dbs, urls = servers
    payee = _state(dbs[1])["numbers"][0]
    with Bank(dbs[1]) as env:
        env["timebank.peer"].search([], limit=1).limit_we_owe = 3000
    before = _balance(dbs[1], payee)
    # another transaction of the payee bank holds its side of the link: its
    # server takes the message and waits there; the payer's request times out
    lock = _registry(dbs[1]).cursor()
    try:
        lock.execute(
            "SELECT id FROM timebank_interbank_link WHERE direction = 'in' FOR UPDATE"
        )
        sent = _send(dbs[0], payee, 35)
    finally:
        lock.rollback()
        lock.close()
    assert sent["state"] == "held", sent
    assert "Waiting for the partner bank" in sent["refusal_text"]
    # released, the payee bank posts and commits, its answer reaches no one
    _wait(
        lambda: [t["state"] for t in _incoming(dbs[1], sent["uuid"])] == ["committed"],
        what="the payee bank to commit",
    )
    # and its server dies before anything else
    servers.kill(1)
    assert _balance(dbs[1], payee) == before + 35
    with Bank(dbs[0]) as env:
        transfer = env["timebank.interbank.transfer"].search(
            [("uuid", "=", sent["uuid"])]
        )
        assert transfer.state == "held" and transfer.last_error
    servers.start(1)
    # the payer's job sends the same message again and gets the stored receipt
    _settle(dbs[0])
    incoming = _incoming(dbs[1], sent["uuid"])
    assert len(incoming) == 1, incoming
    with Bank(dbs[0]) as env:
        transfer = env["timebank.interbank.transfer"].search(
            [("uuid", "=", sent["uuid"])]
        )
        assert transfer.state == "committed"
        assert transfer.answer_body == incoming[0]["answer_body"]
        assert len(transfer.entry_ids) == 2
    assert _balance(dbs[1], payee) == before + 35
    _check(dbs)
    _accepted(dbs)


def test_message_replayed_after_its_window(servers):
    dbs, urls = servers
    payee = _state(dbs[1])["numbers"][0]
    payer = _state(dbs[0])["numbers"][0]
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write(
            {"validity_seconds": 10}
        )
    first = _send(dbs[0], payee, 12)
    assert first["state"] == "committed", first
    # a second message that the network holds back: signed and sent, not delivered
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write(
            {"url": "http://127.0.0.1:9"}
        )
    late = _send(dbs[0], payee, 13)
    assert late["state"] == "held" and late["request_body"], late
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1)._guarded_write(
            {"url": urls[1], "validity_seconds": 3600}
        )
    payer_balance = _balance(dbs[0], payer)
    payee_balance = _balance(dbs[1], payee)
    wait = (late["expires_at"] - datetime.utcnow()).total_seconds() + 1
    time.sleep(max(wait, 0))
    # the first message replayed after its window: its stored receipt, byte for
    # byte, and nothing posted again
    replay = requests.post(
        urls[1] + "/timebank/interbank/v1/message",
        data=first["request_body"].encode(),
        timeout=10,
    )
    assert replay.status_code == 200
    assert replay.content == first["answer_body"].encode()
    assert len(_incoming(dbs[1], first["uuid"])) == 1
    # the held-back message arrives after its window: a signed refusal, stale
    stale = requests.post(
        urls[1] + "/timebank/interbank/v1/message",
        data=late["request_body"].encode(),
        timeout=10,
    )
    assert stale.status_code == 200 and protocol.STALE in stale.text
    assert _balance(dbs[1], payee) == payee_balance
    # past its expiry the payer's job cancels; the payee bank answers its stored
    # refusal and the member gets the minutes back, told why
    _settle(dbs[0])
    with Bank(dbs[0]) as env:
        transfer = env["timebank.interbank.transfer"].search(
            [("uuid", "=", late["uuid"])]
        )
        assert transfer.state == "refused"
        assert transfer.refusal_code == protocol.STALE
        assert "too late" in transfer.refusal_text
    assert _balance(dbs[0], payer) == payer_balance + 13
    assert [t["state"] for t in _incoming(dbs[1], late["uuid"])] == ["refused"]
    _check(dbs)
    _accepted(dbs)


def test_trust_limit_of_payer_bank(servers):
    dbs, urls = servers
    payee = _state(dbs[1])["numbers"][0]
    payer = _state(dbs[0])["numbers"][0]
    with Bank(dbs[0]) as env:
        peer = env["timebank.peer"].search([], limit=1)
        clearing = peer.clearing_account_id.balance
        peer.limit_they_owe = max(clearing, 0) + 10
        room = peer.limit_they_owe - clearing
    before = _balance(dbs[0], payer)
    # the payer bank refuses at once, before anything is held or sent
    with pytest.raises(UserError, match="trust limit"):
        _send(dbs[0], payee, room + 1)
    assert _balance(dbs[0], payer) == before
    done = _send(dbs[0], payee, room)
    assert done["state"] == "committed", done
    with Bank(dbs[0]) as env:
        env["timebank.peer"].search([], limit=1).limit_we_owe = 3000
        env["timebank.peer"].search([], limit=1).limit_they_owe = 3000
    _check(dbs)
    _accepted(dbs)


def _members_with_logins(db, count):
    """``count`` new active members of the bank with a portal login each and
    600 minutes: [(member id, number, login)]."""
    with Bank(db) as env:
        groups = env.ref("base.group_portal") | env.ref(
            "timebank_core.group_timebank_member"
        )
        issuance = env["timebank.account"]._get_system(env.company, "issuance")
        made = []
        for index in range(count):
            login = f"sender{index}@{db}"
            partner = env["res.partner"].create(
                {"name": f"Sender {index}", "timebank_privacy_consent": True}
            )
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "login": login,
                    "password": login,
                    "partner_id": partner.id,
                    "groups_id": [Command.set(groups.ids)],
                }
            )
            member = env["timebank.member"].create(
                {"partner_id": partner.id, "company_id": env.company.id}
            )
            member.action_activate()
            env["timebank.interbank.transfer"]._post_ledger(
                env.company,
                [(issuance, 600, 0), (member.account_id, 0, 600)],
                "Opening balance",
            )
            made.append((member.id, member.number, login))
        return made


def test_eight_concurrent_senders_each_way(servers):
    dbs, urls = servers
    senders = [_members_with_logins(db, 8) for db in dbs]
    peer_ids = []
    for db in dbs:
        with Bank(db) as env:
            peer_ids.append(env["timebank.peer"].search([], limit=1).id)

    def send(job):
        side, index = job
        member_id, _number, login = senders[side][index]
        payee_number = senders[1 - side][index][1]
        minutes = (10 if side == 0 else 20) + index
        common = xmlrpc.client.ServerProxy(urls[side] + "/xmlrpc/2/common")
        uid = common.authenticate(dbs[side], login, login, {})
        assert uid, login
        models = xmlrpc.client.ServerProxy(urls[side] + "/xmlrpc/2/object")
        return models.execute_kw(
            dbs[side],
            uid,
            login,
            "timebank.interbank.transfer",
            "send",
            [peer_ids[side], member_id, payee_number, minutes],
        )

    jobs = [(side, index) for index in range(8) for side in (0, 1)]
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(send, jobs))
    # ids of two databases: distinct within each bank
    assert len({(side, id_) for (side, _i), id_ in zip(jobs, ids, strict=True)}) == 16
    # what the senders' requests did not send at once, the scheduled job does
    for db in dbs:
        _settle(db)
    for side, db in enumerate(dbs):
        with Bank(db) as env:
            sent = env["timebank.interbank.transfer"].search(
                [
                    ("direction", "=", "out"),
                    ("member_id", "in", [m for m, *_r in senders[side]]),
                ]
            )
            assert sorted(sent.mapped("state")) == ["committed"] * 8
            assert len(set(sent.mapped("seq"))) == 8
        for _member, number, _login in senders[side]:
            # each sent 10 + i (bank A) or 20 + i (bank B) and got the other
            assert _balance(db, number) == (610 if side == 0 else 590), number
    _check(dbs)
    _accepted(dbs)
