"""Many postings racing on one account, each in its own database connection.

The data is committed (the workers cannot see an uncommitted test transaction),
in a bank of its own that no other test looks at.
"""

import random
import threading
import time
import uuid

import psycopg2.errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

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
        with self.registry.cursor() as cr:
            for attempt in range(ATTEMPTS):
                for _try in range(200):
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    try:
                        entry = env["timebank.entry"].create(
                            {
                                "journal_id": self.journal_id,
                                "ref": f"worker {worker} attempt {attempt}",
                                "line_ids": [
                                    Command.create(
                                        {
                                            "account_id": self.payer_account_id,
                                            "debit": DEBIT,
                                        }
                                    ),
                                    Command.create(
                                        {
                                            "account_id": self.payee_account_id,
                                            "credit": DEBIT,
                                        }
                                    ),
                                ],
                            }
                        )
                        entry.action_post()
                        cr.commit()
                        accepted.append(entry.id)
                        break
                    except UserError as error:
                        cr.rollback()
                        if "may not go below" not in str(error):
                            errors.append(str(error))
                        refused.append((worker, attempt))
                        break
                    except psycopg2.Error as error:
                        cr.rollback()
                        if error.pgcode not in RETRYABLE:
                            errors.append(repr(error))
                            break
                        time.sleep(random.uniform(0, 0.01))
                else:
                    errors.append(
                        f"worker {worker} attempt {attempt} never got through"
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
            self.assertEqual(result["checked"], len(accepted))
