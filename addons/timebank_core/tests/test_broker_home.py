"""What a broker finds on logging in: the Time Bank first, and Export."""

from datetime import datetime, timedelta

from .common import TimebankCase


class TestBrokerHome(TimebankCase):
    def test_a_broker_lands_in_the_time_bank(self):
        menus = self.env["ir.ui.menu"].with_user(self.broker).load_menus(debug=False)
        first_app = menus[menus["root"]["children"][0]]
        self.assertEqual(
            first_app["id"], self.env.ref("timebank_core.timebank_root_menu").id
        )

    def test_a_broker_may_export_lists(self):
        self.assertTrue(self.broker.has_group("base.group_allow_export"))
        member = self._member("Export Elder Ho", active=True)
        rows = (
            self.env["timebank.member"]
            .with_user(self.broker)
            .browse(member.id)
            .export_data(["display_name", "balance"])
        )
        self.assertEqual(rows["datas"][0][0], member.display_name)

    def test_a_member_opens_her_services(self):
        giver = self._member("Smart Giver Su", active=True)
        taker = self._member("Smart Taker Ma", active=True)
        item = self._service_item("Smart errands", "Smart")
        start = datetime.now().replace(microsecond=0) - timedelta(days=1)
        self.env["timebank.exchange"].create(
            [
                {
                    "provider_id": provider.id,
                    "receiver_id": receiver.id,
                    "item_id": item.id,
                    "company_id": self.bank_a.id,
                    "date_start": start,
                    "date_end": start + timedelta(hours=1),
                }
                for provider, receiver in ((giver, taker), (taker, giver))
            ]
        )
        giver = giver.with_user(self.broker)
        self.assertEqual(giver.exchange_count, 2)
        action = giver.action_view_exchanges()
        self.assertEqual(
            self.env["timebank.exchange"].search_count(action["domain"]), 2
        )

    def test_the_service_says_when_its_cap_applied(self):
        giver = self._member("Cap Giver Su", active=True)
        taker = self._member("Cap Taker Ma", active=True)
        item = self._service_item(
            "Cap cleaning", "Cap", coefficient=2.0, cap_minutes=120
        )
        start = datetime.now().replace(microsecond=0) - timedelta(days=1)
        long_one, short_one = self.env["timebank.exchange"].create(
            [
                {
                    "provider_id": giver.id,
                    "receiver_id": taker.id,
                    "item_id": item.id,
                    "company_id": self.bank_a.id,
                    "date_start": start - timedelta(hours=hours),
                    "date_end": start
                    - timedelta(hours=hours)
                    + timedelta(minutes=minutes),
                }
                for hours, minutes in ((5, 90), (10, 30))
            ]
        )
        self.assertEqual((long_one.credit_minutes, long_one.capped), (120, True))
        self.assertEqual((short_one.credit_minutes, short_one.capped), (60, False))

    def test_members_group_by_area(self):
        for name, area in (
            ("Area Lin", "North"),
            ("Area Wu", "North"),
            ("Area Ho", "East"),
        ):
            self._member(name, active=True).partner_id.timebank_service_area = area
        groups = dict(
            self.env["timebank.member"]
            .with_user(self.broker)
            ._read_group(
                [("partner_id.name", "like", "Area ")], ["service_area"], ["__count"]
            )
        )
        self.assertEqual(groups, {"North": 2, "East": 1})

    def test_calls_go_to_a_broker_never_to_a_member(self):
        # the first broker who is not the system's administrator
        self.assertEqual(self.bank_a._timebank_broker(), self.broker)
        # a bank without broker: the administrator, not the member who acts
        bank = self.env["res.company"].create({"name": "Broker-less Bank"})
        member = self._member("Lonely Member Ko", bank=bank, active=True)
        user = self._portal_user("lonely_ko", member.partner_id)
        self.assertEqual(
            bank.with_user(user)._timebank_broker(), self.env.ref("base.user_admin")
        )
