"""Both sides rate a posted service: the person helped the service, the
volunteer the visit; once, private unless shared, on the record of conduct."""

from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import TimebankCase, csrf_token, post_opening_balance, xmlrpc_call


@tagged("post_install", "-at_install")
class TestRating(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.amy = cls._member("Rating Volunteer Amy", active=True)
        cls.elder = cls._member("Rating Elder Chen", active=True)
        cls.other = cls._member("Rating Neighbour Lin", active=True)
        cls.son = cls._person("Rating Son Wei")
        cls._name_proxy(cls.elder, cls.son, view=True, confirm=True)
        cls._portal_user("rt_amy", cls.amy.partner_id)
        cls._portal_user("rt_elder", cls.elder.partner_id)
        cls._portal_user("rt_lin", cls.other.partner_id)
        cls._portal_user("rt_son", cls.son)
        cls.item = cls._service_item("Shopping", "Rating errands")
        post_opening_balance(cls.env, cls.elder, 600)
        cls.start = datetime.now().replace(microsecond=0) - timedelta(days=3)
        cls.service = cls._posted()

    @classmethod
    def _service(cls, hours_ago=0, provider=None, receiver=None):
        begin = cls.start - timedelta(hours=hours_ago)
        return cls.env["timebank.exchange"].create(
            {
                "provider_id": (provider or cls.amy).id,
                "receiver_id": (receiver or cls.elder).id,
                "item_id": cls.item.id,
                "company_id": cls.bank_a.id,
                "date_start": begin,
                "date_end": begin + timedelta(minutes=60),
            }
        )

    @classmethod
    def _posted(cls, hours_ago=0, provider=None, receiver=None):
        service = cls._service(hours_ago, provider, receiver)
        service.action_submit()
        service.action_confirm(channel="phone")
        service.action_verify()
        service.action_post()
        return service

    def _rate_in_portal(self, service, direction, score, member=None, **extra):
        page = self.url_open(
            "/my/timebank" + (f"?member={member.id}" if member else "")
        )
        data = {
            "csrf_token": csrf_token(page.text),
            "direction": direction,
            "score": str(score),
            **extra,
        }
        if member:
            data["member"] = str(member.id)
        return self.url_open(f"/my/timebank/service/{service.id}/rating", data=data)

    # ------------------------------------------------------------------ portal
    def test_both_sides_rate_from_the_portal(self):
        self.authenticate("rt_elder", "rt_elder")
        page = self.url_open("/my/timebank")
        self.assertIn("How was this service?", page.text)
        self.assertIn(f"/my/timebank/service/{self.service.id}/rating", page.text)
        response = self._rate_in_portal(
            self.service, "service", 5, comment="  Very kind, on time. "
        )
        self.assertIn("Thank you for your rating of", response.text)
        self.assertNotIn("How was this service?", response.text)
        self.assertIn("Your rating:", response.text)
        rating = self.service.rating_ids
        self.assertRecordValues(
            rating,
            [
                {
                    "direction": "service",
                    "rater_id": self.elder.id,
                    "rated_id": self.amy.id,
                    "score": "5",
                    "score_value": 5,
                    "satisfied": True,
                    "comment": "Very kind, on time.",
                    "shared": False,
                    "channel": "self",
                }
            ],
        )
        note = self.service.message_ids[0].body
        self.assertIn("rated", note)
        self.assertNotIn("5", note)  # the score stays private
        # the volunteer rates the visit, and shares it
        self.authenticate("rt_amy", "rt_amy")
        page = self.url_open("/my/timebank")
        self.assertIn("How was this visit?", page.text)
        self._rate_in_portal(self.service, "visit", 4, shared="on")
        visit = self.service.rating_ids.filtered(lambda r: r.direction == "visit")
        self.assertRecordValues(
            visit,
            [{"rater_id": self.amy.id, "rated_id": self.elder.id, "shared": True}],
        )
        self.assertEqual(self.amy.rating_as_volunteer, 5.0)
        self.assertEqual(self.elder.rating_as_receiver, 4.0)

    def test_a_proxy_rates_for_the_elder(self):
        self.authenticate("rt_son", "rt_son")
        page = self.url_open(f"/my/timebank?member={self.elder.id}")
        self.assertIn("How was this service?", page.text)
        response = self._rate_in_portal(self.service, "service", 3, member=self.elder)
        self.assertIn("Thank you for your rating of", response.text)
        self.assertTrue(response.url.endswith(f"/my/timebank?member={self.elder.id}"))
        self.assertRecordValues(
            self.service.rating_ids,
            [{"rater_id": self.elder.id, "channel": "proxy", "score": "3"}],
        )

    def test_the_portal_refuses_what_the_model_refuses(self):
        self.authenticate("rt_elder", "rt_elder")
        response = self._rate_in_portal(self.service, "service", "")
        self.assertIn("Choose a rating from 1 to 5 first.", response.text)
        # the volunteer's side is not the elder's
        response = self._rate_in_portal(self.service, "visit", 4)
        self.assertIn("is your own service: the other side rates it", response.text)
        self._rate_in_portal(self.service, "service", 4)
        response = self._rate_in_portal(self.service, "service", 1)
        self.assertIn("is already rated from this side", response.text)
        self.assertEqual(self.service.rating_ids.score, "4")

    # ------------------------------------------------------------------ rules
    def test_refusals_of_the_rating_itself(self):
        draft = self._service(hours_ago=10)
        with self.assertRaisesRegex(UserError, "is not posted yet"):
            draft.action_give_rating("service", 5)
        with self.assertRaisesRegex(Fault, "is not posted yet"):
            xmlrpc_call(
                self,
                "rt_elder",
                draft._name,
                "action_give_rating",
                [draft.id],
                "service",
                5,
            )
        for score in (0, 6, "x", True, 4.5):
            with self.assertRaisesRegex(UserError, "a whole number from 1 to 5"):
                self.service.action_give_rating("service", score)
        with self.assertRaisesRegex(UserError, "Say which side rates"):
            self.service.action_give_rating("both", 5)
        # a member of the bank who was not part of the service cannot read it
        with self.assertRaises(Fault):
            xmlrpc_call(
                self,
                "rt_lin",
                self.service._name,
                "action_give_rating",
                [self.service.id],
                "service",
                1,
            )
        with self.assertRaisesRegex(Fault, "is your own service: the other side"):
            xmlrpc_call(
                self,
                "rt_amy",
                self.service._name,
                "action_give_rating",
                [self.service.id],
                "service",
                5,
            )
        # a proxy who may only see the elder's time bank does not rate for her
        self.elder.partner_id.timebank_proxy_can_confirm = False
        with self.assertRaisesRegex(Fault, "Only Rating Elder Chen, their proxy"):
            xmlrpc_call(
                self,
                "rt_son",
                self.service._name,
                "action_give_rating",
                [self.service.id],
                "service",
                5,
            )
        self.assertFalse(self.service.rating_ids)

    def test_a_service_to_the_community_has_nobody_to_rate(self):
        self.bank_a.timebank_pool_credit_limit = 100000
        service = self.env["timebank.exchange"].create(
            {
                "provider_id": self.amy.id,
                "item_id": self._service_item(
                    "Park cleaning", "Rating community", funding="community"
                ).id,
                "company_id": self.bank_a.id,
                "date_start": self.start - timedelta(hours=30),
                "date_end": self.start - timedelta(hours=29),
            }
        )
        service.action_submit()
        service.action_confirm(channel="phone")
        service.action_verify()
        service.action_post()
        for direction in ("service", "visit"):
            with self.assertRaisesRegex(UserError, "there is no person helped"):
                service.with_user(self.broker).action_give_rating(direction, 5)
        self.assertFalse(service.rating_ids)
        # and the volunteer's page offers no rating for it
        self.authenticate("rt_amy", "rt_amy")
        page = self.url_open("/my/timebank")
        self.assertNotIn(f"/my/timebank/service/{service.id}/rating", page.text)

    def test_nobody_rates_the_other_side_of_their_own_service(self):
        # the volunteer is also the proxy of the elder she helped
        self._name_proxy(self.elder, self.amy.partner_id, view=True, confirm=True)
        with self.assertRaisesRegex(Fault, "is your own service: the other side rates"):
            xmlrpc_call(
                self,
                "rt_amy",
                self.service._name,
                "action_give_rating",
                [self.service.id],
                "service",
                5,
            )
        # nor as a broker who gave the service
        broker_member = self._member("Rating Broker Volunteer", active=True)
        broker_member.partner_id = self.broker_2.partner_id
        service = self._posted(hours_ago=40, provider=broker_member)
        with self.assertRaisesRegex(AccessError, "is your own service"):
            service.with_user(self.broker_2).action_give_rating("service", 5)
        self.assertFalse(self.service.rating_ids | service.rating_ids)

    def test_nobody_writes_a_rating_by_hand(self):
        xmlrpc_call(
            self,
            "rt_elder",
            self.service._name,
            "action_give_rating",
            [self.service.id],
            "service",
            2,
            "Late and rude.",
        )
        rating = self.service.rating_ids
        vals = {
            "exchange_id": self.service.id,
            "direction": "visit",
            "rater_id": self.amy.id,
            "rated_id": self.elder.id,
            "score": "1",
        }
        for login in ("rt_amy", "tb_broker", "tb_manager"):
            with self.assertRaisesRegex(
                Fault, "Time Bank Rating: .* cannot be written. A rating is given once"
            ):
                xmlrpc_call(self, login, "timebank.rating", "create", vals)
            with self.assertRaisesRegex(Fault, "Rating \\(score\\) cannot be written"):
                xmlrpc_call(
                    self,
                    login,
                    "timebank.rating",
                    "write",
                    [rating.id],
                    {"score": "5"},
                )
            with self.assertRaisesRegex(Fault, "not allowed to delete"):
                xmlrpc_call(self, login, "timebank.rating", "unlink", [rating.id])
        # not even the bank's own code changes or deletes it
        with self.assertRaisesRegex(UserError, "cannot be written"):
            rating.sudo().write({"score": "5"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            rating.sudo().unlink()
        self.assertEqual(rating.score, "2")

    def test_a_rating_is_private_unless_shared(self):
        self.service.with_user(self.elder.partner_id.user_ids).action_give_rating(
            "service", 2, "Late."
        )
        rating = self.service.rating_ids
        # the volunteer rated does not read it; the elder and her son do
        found = xmlrpc_call(self, "rt_amy", "timebank.rating", "search", [])
        self.assertEqual(found, [])
        with self.assertRaisesRegex(Fault, "doesn.t have .read. access"):
            xmlrpc_call(self, "rt_amy", "timebank.rating", "read", [rating.id])
        for login in ("rt_elder", "rt_son", "tb_broker"):
            found = xmlrpc_call(self, login, "timebank.rating", "search", [])
            self.assertEqual(found, rating.ids, login)
        # the averages are for brokers only
        with self.assertRaisesRegex(Fault, "rating_as_volunteer"):
            xmlrpc_call(
                self,
                "rt_amy",
                "timebank.member",
                "read",
                [self.amy.id],
                ["rating_as_volunteer"],
            )
        shared_service = self._posted(hours_ago=20)
        shared_service.with_user(self.elder.partner_id.user_ids).action_give_rating(
            "service", 5, "Thank you!", True
        )
        found = xmlrpc_call(self, "rt_amy", "timebank.rating", "search", [])
        self.assertEqual(found, shared_service.rating_ids.ids)
        # another bank's broker reads nothing
        with self.assertRaises(AccessError):
            rating.with_user(self.broker_b).read(["score"])

    def test_a_broker_writes_down_a_rating_given_by_phone(self):
        wizard = (
            self.env["timebank.rating.wizard"]
            .with_user(self.broker)
            .create(
                {
                    "exchange_id": self.service.id,
                    "direction": "visit",
                    "score": "1",
                    "comment": "The dog bit me.",
                }
            )
        )
        self.assertEqual(wizard.rater_id, self.amy)
        self.assertEqual(wizard.rated_id, self.elder)
        wizard.action_record()
        self.assertRecordValues(
            self.service.rating_ids,
            [
                {
                    "direction": "visit",
                    "rater_id": self.amy.id,
                    "channel": "broker",
                    "entered_by_id": self.broker.id,
                    "satisfied": False,
                }
            ],
        )
        self.assertEqual(self.elder.with_user(self.broker).rating_as_receiver_count, 1)

    # ------------------------------------------------------------------ numbers
    def test_the_indicators_report_satisfaction(self):
        for hours_ago, score in ((10, 4), (20, 2)):
            self._posted(hours_ago=hours_ago).action_give_rating("service", score)
        self.service.action_give_rating("service", 5)
        # what the volunteer says of the visit is not the service's satisfaction
        self.service.action_give_rating("visit", 1)
        wizard = (
            self.env["timebank.kpi.wizard"]
            .with_user(self.broker)
            .create(
                {
                    "company_id": self.bank_a.id,
                    "date_from": self.start.date() - timedelta(days=5),
                    "date_to": self.start.date() + timedelta(days=5),
                }
            )
        )
        self.assertEqual(wizard.ratings, 3)
        self.assertAlmostEqual(wizard.satisfaction, 66.7)
        self.assertAlmostEqual(wizard.rating_average, 3.7)
        before = wizard.copy(
            {"date_from": date(2000, 1, 1), "date_to": date(2000, 12, 31)}
        )
        self.assertEqual((before.ratings, before.satisfaction), (0, 0.0))
