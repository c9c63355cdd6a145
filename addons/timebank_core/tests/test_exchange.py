from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TimebankCase
from .test_catalog import TABLE_1

NOW = datetime(2026, 6, 15, 18, 0)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestExchange(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": cls.bank_a.id}
        )
        cls.shopping = cls._item("Shopping", 1.0, 120)
        cls.escort = cls._item("Hospital escort", 2.5, 480, funding="community")
        cls.care = cls._item(
            "Short-term care", 4.0, 720, requires_background_check=True
        )
        cls.amy = cls._member("Amy", active=True)
        cls.david = cls._member("David", active=True)
        cls.daughter = cls._person("David's daughter")
        cls.david.partner_id.write(
            {
                "timebank_proxy_id": cls.daughter.id,
                "timebank_proxy_consent_date": "2026-01-01",
                "timebank_proxy_can_confirm": True,
            }
        )
        cls.amy_user = cls._portal_user("tb_amy", cls.amy.partner_id)
        cls.david_user = cls._portal_user("tb_david", cls.david.partner_id)
        cls.daughter_user = cls._portal_user("tb_daughter", cls.daughter)
        pool = cls._system("pool")
        cls._pay(cls._system("issuance"), pool, 100000, journal_type="issuance")

    @classmethod
    def _item(cls, name, coefficient, cap, **vals):
        return cls.env["timebank.service.item"].create(
            dict(
                name=name,
                category_id=cls.category.id,
                company_id=cls.bank_a.id,
                coefficient=coefficient,
                cap_minutes=cap,
                **vals,
            )
        )

    def _record(
        self, provider=None, receiver=None, item=None, hours_ago=3, minutes=60, **vals
    ):
        start = NOW - timedelta(hours=hours_ago)
        values = {
            "provider_id": (provider or self.amy).id,
            "receiver_id": (receiver if receiver is not None else self.david).id,
            "item_id": (item or self.shopping).id,
            "company_id": self.bank_a.id,
            "date_start": start,
            "date_end": start + timedelta(minutes=minutes),
        }
        values.update(vals)
        return self.env["timebank.exchange"].with_user(self.broker).create(values)

    def _as(self, exchange, user):
        return exchange.with_user(user).with_company(self.bank_a)

    def test_recording_start_before_end_in_the_form(self):
        """A broker fills Start, then End: no crash on the way, minutes after."""
        form = Form(self.env["timebank.exchange"].with_user(self.broker))
        form.provider_id = self.amy
        form.receiver_id = self.david
        form.item_id = self.shopping
        form.date_start = datetime(2026, 3, 2, 9, 0)
        self.assertEqual(form.actual_minutes, 0)
        form.date_end = datetime(2026, 3, 2, 10, 30)
        self.assertEqual(form.actual_minutes, 90)
        exchange = form.save()
        self.assertEqual(exchange.credit_minutes, 90)

    def test_full_flow_by_the_right_people(self):
        exchange = self._as(self._record(minutes=90), self.amy_user)
        self.assertEqual(exchange.credit_minutes, 90)
        self.assertEqual(exchange.credit_display, "1:30")
        exchange.action_submit()
        self._as(exchange, self.david_user).action_confirm()
        self.assertEqual(exchange.confirmed_by_id, self.david.partner_id)
        self._as(exchange, self.broker).action_verify()
        self._as(exchange, self.broker).action_post()
        self.assertEqual(exchange.state, "posted")
        self.assertEqual(self.amy.balance, 90)
        self.assertEqual(self.david.balance, -90)
        self.assertEqual(exchange.entry_id.exchange_id, exchange)
        self.assertEqual(exchange.entry_id.state, "posted")

    def test_the_proxy_confirms_for_the_elder(self):
        exchange = self._record()
        exchange.action_submit()
        self._as(exchange, self.daughter_user).action_confirm()
        self.assertEqual(exchange.state, "confirmed")
        self.assertEqual(exchange.confirmed_by_id, self.daughter)

    def test_a_proxy_without_that_right_cannot_confirm(self):
        self.david.partner_id.timebank_proxy_can_confirm = False
        exchange = self._record()
        exchange.action_submit()
        with self.assertRaisesRegex(
            AccessError, "Only the receiver, the receiver's proxy"
        ):
            self._as(exchange, self.daughter_user).action_confirm()

    def test_wrong_people_are_refused(self):
        exchange = self._record()
        with self.assertRaisesRegex(
            AccessError, "Only the provider or a broker submits"
        ):
            self._as(exchange, self.david_user).action_submit()
        exchange.action_submit()
        with self.assertRaisesRegex(AccessError, "is your own service"):
            self._as(exchange, self.amy_user).action_confirm()
        self._as(exchange, self.david_user).action_confirm()
        with self.assertRaisesRegex(AccessError, "Only a broker verifies"):
            self._as(exchange, self.amy_user).action_verify()
        self._as(exchange, self.broker).action_verify()
        with self.assertRaisesRegex(AccessError, "Only a broker posts"):
            self._as(exchange, self.david_user).action_post()
        exchange.reason = "Not what happened"
        with self.assertRaisesRegex(AccessError, "Only a time bank manager rejects"):
            self._as(exchange, self.broker).action_reject()
        self._as(exchange, self.manager).action_reject()
        self.assertEqual(exchange.state, "rejected")

    def test_steps_in_order(self):
        exchange = self._record()
        with self.assertRaisesRegex(
            UserError, "Only a submitted service can be confirmed"
        ):
            exchange.action_confirm()
        with self.assertRaisesRegex(UserError, "Only a verified service can be posted"):
            exchange.action_post()
        exchange.action_submit()
        with self.assertRaisesRegex(UserError, "Only a draft can be submitted"):
            exchange.action_submit()

    def test_state_cannot_be_written(self):
        exchange = self._record()
        with self.assertRaisesRegex(UserError, "moves with its buttons"):
            self._as(exchange, self.amy_user).write({"state": "verified"})
        with self.assertRaisesRegex(UserError, "moves with its buttons"):
            self._record(state="posted", hours_ago=10)

    def test_reject_and_cancel_need_a_reason(self):
        exchange = self._record()
        exchange.action_submit()
        with self.assertRaisesRegex(UserError, "Write the reason first"):
            self._as(exchange, self.manager).action_reject()
        exchange.reason = "Recorded twice"
        self._as(exchange, self.manager).action_cancel()
        self.assertEqual(exchange.state, "cancelled")

    def test_refusals_with_their_message(self):
        cases = [
            ({"hours_ago": 5, "minutes": -30}, "must end after it starts"),
            ({"hours_ago": -1, "minutes": 120}, "the end is in the future"),
            ({"hours_ago": 70, "minutes": 25 * 60}, "at most 24 hours"),
            (
                {"hours_ago": 90, "receiver": None},
                "cannot provide a service to themselves",
            ),
            ({"hours_ago": 100, "receiver": False}, "is paid by the receiver"),
        ]
        for vals, message in cases:
            if vals.get("receiver", 1) is None:
                vals = dict(vals, receiver=self.amy)
            if vals.get("receiver", 1) is False:
                vals = dict(vals, receiver=self.env["timebank.member"])
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self._record(**vals)

    def test_inactive_members_are_refused(self):
        exchange = self._record()
        self.david.state_reason = "Unpaid complaints"
        self.david.action_suspend()
        with self.assertRaisesRegex(
            UserError, r"David is not an active member \(Suspended\)"
        ):
            exchange.action_submit()
        applicant = self._member("New neighbour")
        other = self._record(receiver=applicant, hours_ago=8)
        with self.assertRaisesRegex(UserError, "is not an active member"):
            other.action_submit()

    def test_overlapping_services_of_a_provider_are_refused(self):
        self._record(hours_ago=3, minutes=60)
        self._record(hours_ago=2, minutes=60)  # right after: fine
        with self.assertRaisesRegex(
            ValidationError, "Amy already has a service at that time"
        ):
            self._record(
                hours_ago=2.5, minutes=90, receiver=self._member("Lin", active=True)
            )

    def test_background_check_required(self):
        exchange = self._record(item=self.care)
        with self.assertRaisesRegex(
            UserError, "Short-term care needs a valid background check, which .*Amy"
        ):
            exchange.action_submit()
        # written as the bank's code does: timebank_cooperative, when installed,
        # keeps these dates from its background check records
        self.amy._guarded_write(
            {
                "background_check_date": "2026-01-10",
                "background_check_expiry": "2027-01-10",
            }
        )
        exchange.action_submit()
        self.assertEqual(exchange.state, "submitted")

    def test_community_items_are_paid_by_the_pool(self):
        pool = self._system("pool")
        before = pool.balance
        exchange = self._record(
            item=self.escort, receiver=self.env["timebank.member"], minutes=120
        )
        exchange.action_submit()
        exchange.action_confirm("phone")  # a broker confirms for the community
        self._as(exchange, self.broker_2).action_verify()
        exchange.action_post()
        self.assertEqual(exchange.credit_minutes, 300)
        self.assertEqual(self.amy.balance, 300)
        self.assertEqual(pool.balance, before - 300)
        self.assertEqual(self.david.balance, 0)

    def test_receiver_limit_is_checked_at_posting(self):
        self.david.write({"has_own_credit_limit": True, "credit_limit": 30})
        exchange = self._record(minutes=60)
        exchange.action_submit()
        exchange.action_confirm("phone")
        self._as(exchange, self.broker_2).action_verify()
        with self.assertRaisesRegex(UserError, "David cannot pay 1:00"):
            exchange.action_post()
        self.assertEqual(exchange.state, "verified")

    def test_confirmed_service_cannot_change(self):
        exchange = self._record()
        exchange.action_submit()
        exchange.action_confirm("phone")
        with self.assertRaisesRegex(UserError, "cannot change who, what or when"):
            exchange.date_end = exchange.date_end - timedelta(minutes=10)

    def test_table_1_through_the_whole_flow(self):
        """Every item of Table 1, one hour each, community items paid by the pool."""
        self.amy._guarded_write({"background_check_date": "2026-01-10"})
        self.david.write({"has_own_credit_limit": True, "credit_limit": 6000})
        category = self.env["timebank.service.category"].create(
            {"name": "Table 1", "company_id": self.bank_a.id}
        )
        expected = 0
        exchanges = self.env["timebank.exchange"]
        for index, (_category, name, coefficient, cap_hours) in enumerate(TABLE_1):
            item = self.env["timebank.service.item"].create(
                {
                    "name": name,
                    "category_id": category.id,
                    "company_id": self.bank_a.id,
                    "coefficient": coefficient,
                    "cap_minutes": round(cap_hours * 60),
                    "funding": "community" if index % 2 else "reciprocal",
                }
            )
            receiver = self.env["timebank.member"] if index % 2 else self.david
            exchanges |= self._record(
                item=item, receiver=receiver, hours_ago=48 - 2 * index, minutes=60
            )
            expected += round(60 * coefficient)
        exchanges.action_submit()
        exchanges.action_confirm("phone")
        exchanges.action_verify()
        exchanges.action_post()
        self.assertEqual(self.amy.balance, expected)
        self.assertEqual(
            self.david.balance,
            -sum(
                round(60 * c) for i, (_k, _n, c, _h) in enumerate(TABLE_1) if not i % 2
            ),
        )
        self.assertEqual(set(exchanges.mapped("state")), {"posted"})
        # the brokers' report: hours exchanged by category and by item
        hours = dict(
            self.env["timebank.exchange"]._read_group(
                [("id", "in", exchanges.ids)], ["category_id"], ["credit_hours:sum"]
            )
        )
        self.assertAlmostEqual(hours[category], expected / 60)
        by_item = dict(
            self.env["timebank.exchange"]._read_group(
                [("id", "in", exchanges.ids)], ["item_id"], ["credit_minutes:sum"]
            )
        )
        self.assertEqual(
            sorted(by_item.values()), sorted(round(60 * row[2]) for row in TABLE_1)
        )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestVolunteerHours(TimebankCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.item = cls._service_item()
        cls.amy = cls._member("Amy", active=True)
        cls.david = cls._member("David", active=True)

    def _volunteer(self, start, minutes):
        return self.env["timebank.volunteer.hour"].create(
            {
                "member_id": self.amy.id,
                "company_id": self.bank_a.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=minutes),
                "activity": "Library reading hour",
                "organisation": "City library",
            }
        )

    def _exchange(self, start, minutes):
        return self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "receiver_id": self.david.id,
                "item_id": self.item.id,
                "company_id": self.bank_a.id,
                "date_start": start,
                "date_end": start + timedelta(minutes=minutes),
            }
        )

    def test_volunteer_hours_earn_no_credits(self):
        hour = self._volunteer(datetime(2026, 6, 10, 9, 0), 120)
        self.assertEqual(hour.minutes, 120)
        self.assertEqual(self.amy.balance, 0)
        self.assertFalse(
            self.env["timebank.entry.line"].search(
                [("account_id", "=", self.amy.account_id.id)]
            )
        )

    def test_the_same_time_is_never_counted_twice(self):
        self._volunteer(datetime(2026, 6, 10, 9, 0), 120)
        with self.assertRaisesRegex(ValidationError, "cannot also earn time credits"):
            self._exchange(datetime(2026, 6, 10, 10, 0), 60)
        self._exchange(datetime(2026, 6, 11, 10, 0), 60)
        with self.assertRaisesRegex(
            ValidationError, "cannot also count as volunteer hours"
        ):
            self._volunteer(datetime(2026, 6, 11, 10, 30), 60)
