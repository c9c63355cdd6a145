"""Members claiming the same request at once, each in its own database connection.

The data is committed (the workers cannot see an uncommitted test transaction),
in a bank of its own that no other test looks at.
"""

import random
import threading
import time
import uuid
from datetime import datetime, timedelta

import psycopg2.errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

WORKERS = 8
RETRYABLE = {
    psycopg2.errorcodes.SERIALIZATION_FAILURE,
    psycopg2.errorcodes.DEADLOCK_DETECTED,
    psycopg2.errorcodes.LOCK_NOT_AVAILABLE,
}


@tagged("post_install", "-at_install")
class TestMatchingClaimRace(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            bank = env["res.company"].create({"name": f"Claim Race Bank {tag}"})
            partners = env["res.partner"].create(
                [
                    {"name": f"Racer {n} {tag}", "timebank_privacy_consent": True}
                    for n in range(WORKERS + 1)
                ]
            )
            members = (
                env["timebank.member"]
                .with_company(bank)
                .create([{"partner_id": p.id, "company_id": bank.id} for p in partners])
            )
            members.action_activate()
            elder, volunteers = members[0], members[1:]
            cls.user_ids = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "login": f"racer_{n}_{tag}",
                            "partner_id": member.partner_id.id,
                            "company_id": bank.id,
                            "company_ids": [Command.set(bank.ids)],
                            "groups_id": [
                                Command.set(
                                    [
                                        env.ref("base.group_portal").id,
                                        env.ref(
                                            "timebank_core.group_timebank_member"
                                        ).id,
                                    ]
                                )
                            ],
                        }
                        for n, member in enumerate(volunteers)
                    ]
                )
                .ids
            )
            category = env["timebank.service.category"].create(
                {"name": "Errands", "company_id": bank.id}
            )
            item = env["timebank.service.item"].create(
                {"name": "Errands", "category_id": category.id, "company_id": bank.id}
            )
            start = datetime.now().replace(microsecond=0) + timedelta(days=1)
            request = env["timebank.request"].create(
                {
                    "company_id": bank.id,
                    "member_id": elder.id,
                    "item_id": item.id,
                    "window_ids": [
                        Command.create(
                            {"date_from": start, "date_to": start + timedelta(hours=2)}
                        )
                    ],
                }
            )
            request.action_publish()
            cls.request_id = request.id
            cls.member_by_user = dict(zip(cls.user_ids, volunteers.ids, strict=True))

    def _worker(self, uid, barrier, won, lost, errors):
        with self.registry.cursor() as cr:
            barrier.wait()
            for _try in range(200):
                env = api.Environment(cr, uid, {})
                try:
                    env["timebank.request"].browse(self.request_id).action_claim()
                    cr.commit()
                    won.append(uid)
                    return
                except UserError as error:
                    cr.rollback()
                    lost.append(str(error))
                    return
                except psycopg2.Error as error:
                    cr.rollback()
                    if error.pgcode not in RETRYABLE:
                        errors.append(repr(error))
                        return
                    time.sleep(random.uniform(0, 0.01))
            errors.append(f"user {uid} never got through")

    def test_exactly_one_claim_wins(self):
        won, lost, errors = [], [], []
        barrier = threading.Barrier(WORKERS)
        threads = [
            threading.Thread(
                target=self._worker, args=(uid, barrier, won, lost, errors)
            )
            for uid in self.user_ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(any(thread.is_alive() for thread in threads), "workers hung")
        self.assertEqual(errors, [])
        self.assertEqual(len(won), 1)
        self.assertEqual(len(lost), WORKERS - 1)
        for message in lost:
            self.assertIn("another volunteer has already taken it", message)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            request = env["timebank.request"].browse(self.request_id)
            self.assertEqual(request.state, "claimed")
            self.assertEqual(request.provider_id.id, self.member_by_user[won[0]])
