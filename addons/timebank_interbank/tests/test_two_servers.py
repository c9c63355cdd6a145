"""Two real Odoo servers on loopback, each with its own database (level 1).

The fixture installs ``timebank_core,timebank_interbank`` in two databases named
after the test database, starts a server on each, waits for ``/web/health``, links
the two banks and stops and drops everything at the end. It fails, never skips.
"""

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

from odoo.addons.timebank_interbank.models import protocol

MODULES = "timebank_core,timebank_interbank"
PORTS = range(8272, 8290)


def _free_port():
    for port in PORTS:
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


@pytest.fixture(scope="module")
def servers():
    base = config["db_name"]
    if isinstance(base, list):
        base = base[0]
    dbs = [f"{base}_peer_a", f"{base}_peer_b"]
    for db in dbs:
        if db in odoo.service.db.list_dbs(True):
            _drop(db)
        subprocess.run(
            _odoo(
                "-d",
                db,
                "-i",
                MODULES,
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            ),
            check=True,
        )
    procs, urls = [], []
    try:
        for db in dbs:
            port = _free_port()
            procs.append(
                subprocess.Popen(
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
            )
            url = f"http://127.0.0.1:{port}"
            urls.append(url)
            for _i in range(120):
                try:
                    if requests.get(url + "/web/health", timeout=2).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.5)
                    continue
                time.sleep(0.5)
            else:
                raise RuntimeError(f"{url} did not start")
        _link(dbs, urls)
        yield dbs, urls
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
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
        return {
            "members": sum(members.mapped("balance")),
            "transit": peer.transit_account_id.balance,
            "clearing": peer.clearing_account_id.balance,
            "numbers": members.mapped("number"),
            "chain": env["timebank.entry"].verify_chain(env.company.id)["ok"],
            "peer_state": peer.state,
        }


def _check(dbs):
    """Sum over both banks is the opening 2 x 1200, chains verify, statements agree."""
    a, b = _state(dbs[0]), _state(dbs[1])
    total = sum(s["members"] + s["transit"] + s["clearing"] for s in (a, b))
    assert total == 2400, (a, b)
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
            ["state", "refusal_code", "refusal_text", "request_body", "answer_body"]
        )[0]


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
