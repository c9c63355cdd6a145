"""Many postings racing, each in its own database connection.

The data is committed (the workers cannot see an uncommitted test transaction),
in banks of their own that no other test looks at. After each commit the
ledger's sequencer numbers and chains the postings in a transaction of its own,
as it does on a server.
"""

import random
import threading
import time
import uuid

import psycopg2.errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.timebank_core.models.timebank_entry import LedgerBusyError

WORKERS = 8
ATTEMPTS = 50
DEBIT = 10
LIMIT = 1000  # the payer may go 1000 minutes below zero: 100 debits of 10
RETRYABLE = {
    psycopg2.errorcodes.SERIALIZATION_FAILURE,
    psycopg2.errorcodes.DEADLOCK_DETECTED,
    psycopg2.errorcodes.LOCK_NOT_AVAILABLE,
}


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            bank = env["res.company"].create(
                {"name": f"Race Bank {uuid.uuid4().hex[:8]}"}
            )
            partners = env["res.partner"].create(
                [
                    {"name": name, "timebank_privacy_consent": True}
                    for name in ("Racing Payer", "Racing Payee")
                ]
            )
            members = (
                env["timebank.member"]
                .with_company(bank)
                .create([{"partner_id": p.id, "company_id": bank.id} for p in partners])
            )
            members.action_activate()
            members[0].write({"has_own_credit_limit": True, "credit_limit": LIMIT})
            cls.bank_id = bank.id
            cls.payer_account_id = members[0].account_id.id
            cls.payee_account_id = members[1].account_id.id
            cls.journal_id = env["timebank.journal"]._get(bank, "exchange").id

    def _worker(self, worker, accepted, refused, errors):
        def post(env, attempt):
            entry = env["timebank.entry"].create(
                {
                    "journal_id": self.journal_id,
                    "ref": f"worker {worker} attempt {attempt}",
                    "line_ids": [
                        Command.create(
                            {"account_id": self.payer_account_id, "debit": DEBIT}
                        ),
                        Command.create(
                            {"account_id": self.payee_account_id, "credit": DEBIT}
                        ),
                    ],
                }
            )
            entry.action_post()
            return entry.id

        with self.registry.cursor() as cr:
            for attempt in range(ATTEMPTS):
                post_racing(
                    cr,
                    lambda env, attempt=attempt: post(env, attempt),
                    (worker, attempt),
                    accepted,
                    refused,
                    errors,
                )

    def test_racing_debits_respect_the_limit(self):
        accepted, refused, errors = [], [], []
        threads = [
            threading.Thread(target=self._worker, args=(n, accepted, refused, errors))
            for n in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        self.assertFalse(any(thread.is_alive() for thread in threads), "workers hung")
        self.assertEqual(errors, [])
        self.assertEqual(len(accepted) + len(refused), WORKERS * ATTEMPTS)
        self.assertEqual(len(accepted), LIMIT // DEBIT)
        self.assertEqual(len(set(accepted)), len(accepted))

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payer = env["timebank.account"].browse(self.payer_account_id)
            self.assertGreaterEqual(payer.balance, -LIMIT)
            self.assertEqual(payer.balance, -DEBIT * len(accepted))
            posted = env["timebank.entry"].search(
                [("company_id", "=", self.bank_id), ("state", "=", "posted")]
            )
            self.assertEqual(sorted(posted.ids), sorted(accepted))
            # numbered and chained by the sequencer after each commit
            self.assertEqual(
                sorted(posted.mapped("name")),
                [f"EXC/{n:06d}" for n in range(1, len(accepted) + 1)],
            )
            accounts = env["timebank.account"].search(
                [("company_id", "=", self.bank_id)]
            )
            self.assertEqual(sum(accounts.mapped("balance")), 0)
            result = env["timebank.entry"].verify_chain(self.bank_id)
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["sequenced"], 0)
            self.assertEqual(result["checked"], len(accepted))


def post_racing(cr, post, what, accepted, refused, errors):
    """``post(env)`` committed in ``cr``, tried again on a conflict with the
    other workers; what it returns goes to ``accepted``, a refusal for the
    credit limit puts ``what`` in ``refused``, anything else in ``errors``."""
    for _try in range(200):
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            result = post(env)
            cr.commit()
            accepted.append(result)
            return
        except psycopg2.Error as error:
            # the ledger's busy error is one too
            cr.rollback()
            if error.pgcode not in RETRYABLE:
                errors.append(repr(error))
                return
            time.sleep(random.uniform(0, 0.01))
        except UserError as error:
            cr.rollback()
            if "may not go below" not in str(error):
                errors.append(str(error))
            refused.append(what)
            return
    errors.append(f"{what} never got through")


def make_bank(env, label, pairs, limit):
    """A committed bank with ``pairs`` pairs of active members; each payer may
    go ``limit`` minutes below zero.

    :return: (bank id, exchange journal id, [(payer account, payee account)])
    """
    bank = env["res.company"].create({"name": f"{label} {uuid.uuid4().hex[:8]}"})
    partners = env["res.partner"].create(
        [
            {"name": f"{label} member {n}", "timebank_privacy_consent": True}
            for n in range(2 * pairs)
        ]
    )
    members = (
        env["timebank.member"]
        .with_company(bank)
        .create([{"partner_id": p.id, "company_id": bank.id} for p in partners])
    )
    members.action_activate()
    payers = members[0::2]
    payers.write({"has_own_credit_limit": True, "credit_limit": limit})
    accounts = members.account_id.ids
    return (
        bank.id,
        env["timebank.journal"]._get(bank, "exchange").id,
        [(accounts[2 * n], accounts[2 * n + 1]) for n in range(pairs)],
    )


def create_payment(env, journal_id, payer, payee, minutes, ref):
    return env["timebank.entry"].create(
        {
            "journal_id": journal_id,
            "ref": ref,
            "line_ids": [
                Command.create({"account_id": payer, "debit": minutes}),
                Command.create({"account_id": payee, "credit": minutes}),
            ],
        }
    )


@tagged("post_install", "-at_install")
class TestLedgerConcurrencyManyMembers(BaseCase):
    """32 clients at once, four on each of 8 paying members, each request
    going through Odoo's own retries as an RPC call does."""

    PAIRS = 8
    CLIENTS = 32
    ATTEMPTS = 5  # per client: 20 per payer, for 10 that fit under the limit
    PAIR_LIMIT = 100

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.bank_id, cls.journal_id, cls.pairs = make_bank(
                env, "Race Bank", cls.PAIRS, cls.PAIR_LIMIT
            )

    def _client(self, number, pair, outcome):
        payer, payee = self.pairs[pair]
        for attempt in range(self.ATTEMPTS):
            # a client told the ledger is busy tries again
            for _try in range(50):
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})

                    def post(env=env, attempt=attempt):
                        entry = create_payment(
                            env,
                            self.journal_id,
                            payer,
                            payee,
                            DEBIT,
                            f"client {number} attempt {attempt}",
                        )
                        entry.action_post()
                        return entry.id

                    try:
                        try:
                            entry_id = retrying(post, env)
                        finally:
                            # the request ends: what it did not commit goes
                            cr.rollback()
                    except UserError as error:
                        if "busy" in str(error):
                            outcome["busy"].append(number)
                            continue
                        if "may not go below" in str(error):
                            outcome["refused"][pair].append(number)
                        else:
                            outcome["errors"].append(str(error))
                        break
                    except Exception as error:  # noqa: BLE001 - what a client would see
                        outcome["errors"].append(repr(error))
                        break
                    outcome["accepted"][pair].append(entry_id)
                    break
            else:
                outcome["errors"].append(f"client {number} never got through")

    def test_32_clients_on_8_members(self):
        outcome = {
            "accepted": {pair: [] for pair in range(self.PAIRS)},
            "refused": {pair: [] for pair in range(self.PAIRS)},
            "busy": [],
            "errors": [],
        }
        threads = [
            threading.Thread(
                target=self._client, args=(number, number % self.PAIRS, outcome)
            )
            for number in range(self.CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)
        self.assertFalse(any(thread.is_alive() for thread in threads), "clients hung")
        # no raw database error ever reached a client
        self.assertEqual(outcome["errors"], [])
        fits = self.PAIR_LIMIT // DEBIT
        attempts = self.CLIENTS // self.PAIRS * self.ATTEMPTS
        for pair in range(self.PAIRS):
            self.assertEqual(len(outcome["accepted"][pair]), fits)
            self.assertEqual(len(outcome["refused"][pair]), attempts - fits)
        accepted = [i for ids in outcome["accepted"].values() for i in ids]

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for payer, payee in self.pairs:
                balances = env["timebank.account"].browse([payer, payee])
                self.assertEqual(
                    balances.mapped("balance"), [-self.PAIR_LIMIT, self.PAIR_LIMIT]
                )
            accounts = env["timebank.account"].search(
                [("company_id", "=", self.bank_id)]
            )
            self.assertEqual(sum(accounts.mapped("balance")), 0)
            posted = env["timebank.entry"].search([("company_id", "=", self.bank_id)])
            self.assertEqual(sorted(posted.ids), sorted(accepted))
            self.assertFalse(any(posted.mapped("chain_pending")))
            self.assertEqual(
                sorted(posted.mapped("name")),
                [f"EXC/{n:06d}" for n in range(1, len(accepted) + 1)],
            )
            result = env["timebank.entry"].verify_chain(self.bank_id)
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["sequenced"], 0)
            self.assertEqual(result["checked"], len(accepted))


@tagged("post_install", "-at_install")
class TestLedgerSequencerCommitted(BaseCase):
    """The sequencer with real commits: what a crash leaves, what the last retry
    of a request that keeps meeting another posting gets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _bank(self, label):
        with self.registry.cursor() as cr:
            return make_bank(api.Environment(cr, SUPERUSER_ID, {}), label, 1, 10**6)

    def test_crash_before_the_sequencer_is_picked_up_by_the_cron(self):
        bank_id, journal_id, [(payer, payee)] = self._bank("Crash Bank")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            entry = create_payment(env, journal_id, payer, payee, 30, "before crash")
            entry.action_post()
            entry_id = entry.id
            # the process dies right after COMMIT: its sequencer never runs
            cr.postcommit.clear()
            cr.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            entry = env["timebank.entry"].browse(entry_id)
            self.assertEqual(entry.state, "posted")
            self.assertTrue(entry.chain_pending)
            self.assertEqual(entry.name, "pending")
            self.assertEqual(env["timebank.account"].browse(payee).balance, 30)
            env["timebank.chain"]._cron_sequence_pending()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            entry = env["timebank.entry"].browse(entry_id)
            self.assertFalse(entry.chain_pending)
            self.assertEqual(entry.name, "EXC/000001")
            self.assertEqual(entry.chain_sequence, 1)
            result = env["timebank.entry"].verify_chain(bank_id)
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["checked"], 1)

    def test_the_last_retry_says_the_ledger_is_busy(self):
        _bank_id, journal_id, [(payer, payee)] = self._bank("Busy Bank")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})

            def post():
                # this request's snapshot is taken here...
                entry = create_payment(env, journal_id, payer, payee, 10, "late")
                # ...then another posting on the same accounts commits
                with self.registry.cursor() as other_cr:
                    other = api.Environment(other_cr, SUPERUSER_ID, {})
                    create_payment(other, journal_id, payer, payee, 10, "first")._post()
                entry.action_post()

            with self.assertRaisesRegex(UserError, "The ledger is busy") as caught:
                retrying(post, env)
        self.assertIsInstance(caught.exception, LedgerBusyError)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # each try of the other request went through, none of this one
            self.assertEqual(env["timebank.account"].browse(payee).balance, 50)
