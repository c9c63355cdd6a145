"""Batches of transfers (``timebank.entry._transfer_many``) racing, each in its
own database connection, on one paying member with a credit limit.

As in ``test_ledger_concurrency.py``, the data is committed in a bank of its own
that no other test looks at, and the sequencer numbers and chains the postings
after each commit.
"""

import threading

from test_ledger_concurrency import make_bank, post_racing

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

WORKERS = 8
BATCHES = 6  # per worker: 48 batches, of which 20 fit under the limit
BATCH = 5  # transfers per batch, 10 minutes each: 50 minutes from the payer
MINUTES = 10
LIMIT = 1000


@tagged("post_install", "-at_install")
class TestTransferBatchesRacing(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.bank_id, cls.journal_id, pairs = make_bank(
                env, "Racing Batches", 2, LIMIT
            )
            # one payer for every batch; each batch also pays a second payee
            cls.payer_id, cls.payee_id = pairs[0]
            cls.other_payee_id = pairs[1][1]

    def _transfers(self, env, worker, batch):
        Account = env["timebank.account"]
        journal = env["timebank.journal"].browse(self.journal_id)
        return [
            {
                "journal": journal,
                "debit": Account.browse(self.payer_id),
                "credit": Account.browse(
                    self.payee_id if index % 2 else self.other_payee_id
                ),
                "minutes": MINUTES,
                "ref": f"worker {worker} batch {batch} transfer {index}",
            }
            for index in range(BATCH)
        ]

    def _worker(self, worker, accepted, refused, errors):
        with self.registry.cursor() as cr:
            for batch in range(BATCHES):
                post_racing(
                    cr,
                    lambda env, batch=batch: (
                        env["timebank.entry"]
                        ._transfer_many(self._transfers(env, worker, batch))
                        .ids
                    ),
                    (worker, batch),
                    accepted,
                    refused,
                    errors,
                )

    def test_racing_batches_respect_the_limit_whole(self):
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
        self.assertEqual(len(accepted) + len(refused), WORKERS * BATCHES)
        # whole batches only: 20 batches of 50 minutes fill the limit exactly
        self.assertEqual(len(accepted), LIMIT // (BATCH * MINUTES))
        self.assertTrue(all(len(ids) == BATCH for ids in accepted))
        posted_ids = sorted(i for ids in accepted for i in ids)
        self.assertEqual(len(set(posted_ids)), len(posted_ids))

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payer = env["timebank.account"].browse(self.payer_id)
            self.assertEqual(payer.balance, -LIMIT)
            posted = env["timebank.entry"].search(
                [("company_id", "=", self.bank_id), ("state", "=", "posted")]
            )
            self.assertEqual(sorted(posted.ids), posted_ids)
            self.assertEqual(
                sorted(posted.mapped("name")),
                [f"EXC/{n:06d}" for n in range(1, len(posted_ids) + 1)],
            )
            self.assertEqual(set(posted.mapped("line_ids.parent_state")), {"posted"})
            accounts = env["timebank.account"].search(
                [("company_id", "=", self.bank_id)]
            )
            self.assertEqual(sum(accounts.mapped("balance")), 0)
            result = env["timebank.entry"].verify_chain(self.bank_id)
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["checked"], len(posted_ids))
            self.assertEqual(result["balance_mismatches"], [])
