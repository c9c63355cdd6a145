from datetime import datetime, timedelta

from odoo.tests import freeze_time, tagged

from .common import TimebankCase

NOW = datetime(2026, 6, 15, 18, 0)
STEPS = (
    ("action_submit", "tb_broker", (), "Draft", "Submitted"),
    ("action_confirm", "tb_broker", ("in_person",), "Submitted", "Confirmed"),
    ("action_verify", "tb_broker_2", (), "Confirmed", "Verified"),
    ("action_post", "tb_broker_2", (), "Verified", "Posted"),
)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestExchangeBatch(TimebankCase):
    """A paper sheet of services through each step at once: a few queries per
    step whatever the number of services, and the chatter of each service as
    when it goes alone (one message per service and step)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": cls.bank_a.id}
        )
        cls.item = cls.env["timebank.service.item"].create(
            {
                "name": "Shopping",
                "category_id": category.id,
                "company_id": cls.bank_a.id,
            }
        )
        cls.members = [
            cls._member(f"Member {index}", active=True) for index in range(4)
        ]
        cls.users = {user.login: user for user in cls.broker | cls.broker_2}

    def _tracked(self):
        """The environment with the chatter's tracking on, as in production."""
        return self.env(
            context=dict(self.env.context, tracking_disable=False, mail_notrack=False)
        )

    def _sheet(self, count, hours_back=10):
        env = self._tracked()
        services = (
            env["timebank.exchange"]
            .with_user(self.broker)
            .create(
                [
                    {
                        "provider_id": self.members[index % 2].id,
                        "receiver_id": self.members[2 + index % 2].id,
                        "item_id": self.item.id,
                        "company_id": self.bank_a.id,
                        "date_start": NOW - timedelta(hours=hours_back + index),
                        "date_end": NOW
                        - timedelta(hours=hours_back + index)
                        + timedelta(minutes=15 + index % 10),
                    }
                    for index in range(count)
                ]
            )
        )
        # recorded in a request of its own: what follows is tracked
        env.flush_all()
        env.cr.precommit.run()
        return services

    def _step(self, services, method, login, args):
        services = services.with_user(self.users[login]).with_company(self.bank_a)
        getattr(services, method)(*args)
        # the tracking messages are written before the commit
        services.env.flush_all()
        services.env.cr.precommit.run()

    def _state_messages(self, services):
        """{service: [(old state, new state, author)]} from the chatter."""
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("model", "=", "timebank.exchange"), ("res_id", "in", services.ids)],
                order="id",
            )
        )
        found = {service: [] for service in services}
        for message in messages:
            for value in message.tracking_value_ids.filtered(
                lambda v: v.field_id.name == "state"
            ):
                self.assertEqual(message.message_type, "notification")
                self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
                found[services.browse(message.res_id)].append(
                    (value.old_value_char, value.new_value_char, message.author_id)
                )
        return found

    def test_each_service_of_a_sheet_gets_its_message_per_step(self):
        services = self._sheet(12)
        authors = []
        for method, login, args, _old, _new in STEPS:
            self._step(services, method, login, args)
            authors.append(self.users[login].partner_id)
        expected = [
            (old, new, author)
            for (_m, _l, _a, old, new), author in zip(STEPS, authors, strict=True)
        ]
        found = self._state_messages(services)
        self.assertEqual(found, {service: expected for service in services})
        # one service alone gets the same chatter as each one of the sheet
        alone = self._sheet(1, hours_back=40)
        for method, login, args, _old, _new in STEPS:
            self._step(alone, method, login, args)
        self.assertEqual(self._state_messages(alone)[alone], expected)

    def test_a_sheet_is_numbered_linked_and_posted(self):
        services = self._sheet(12)
        for method, login, args, _old, _new in STEPS:
            self._step(services, method, login, args)
        self.env.invalidate_all()
        names = services.mapped("name")
        self.assertEqual(len(set(names)), 12)
        numbers = [int(name.rsplit("/", 1)[1]) for name in names]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 12)))
        self.assertTrue(all(name.startswith("SRV/2026/") for name in names))
        for service in services:
            self.assertEqual(service.state, "posted")
            self.assertEqual(service.entry_id.exchange_id, service)
            self.assertEqual(service.posted_minutes, service.credit_minutes)
            self.assertEqual(service.entry_id.total_minutes, service.credit_minutes)
            self.assertEqual(service.write_uid, self.broker_2)
        self.assertEqual(
            sum(member.balance for member in self.members[:2]),
            sum(services.mapped("credit_minutes")),
        )
        result = self.env["timebank.entry"].verify_chain(self.bank_a.id)
        self.assertTrue(result["ok"], result)

    def test_queries_per_step_do_not_grow_with_the_sheet(self):
        counts = {}
        for size, hours_back in ((3, 10), (30, 60)):
            services = self._sheet(size, hours_back=hours_back)
            for method, login, args, _old, _new in STEPS:
                before = self.env.cr.sql_log_count
                self._step(services, method, login, args)
                counts.setdefault(method, []).append(self.env.cr.sql_log_count - before)
        for method, (small, large) in counts.items():
            with self.subTest(step=method):
                self.assertLessEqual(large, small + 2, counts)
