"""What a proxy may do for the person who named them: see, request, confirm.

The rights are enforced by the record rules (so also over the external API)
and by the portal, from one helper of the membership."""

from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TimebankCase, csrf_token, post_opening_balance, xmlrpc_call


@tagged("post_install", "-at_install")
class TestProxyRights(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder = cls._member("Proxy Elder Chen", active=True)
        cls.amy = cls._member("Proxy Helper Amy", active=True)
        # the daughter is not a member herself: a proxy needs not be
        cls.daughter = cls._person("Proxy Daughter Ya-ling")
        cls.elder.partner_id.write(
            {
                "timebank_proxy_id": cls.daughter.id,
                "timebank_proxy_consent_date": date(2026, 1, 5),
                "timebank_proxy_relation": "family",
                "timebank_proxy_can_view": False,
                "timebank_proxy_can_request": False,
                "timebank_proxy_can_confirm": False,
            }
        )
        cls.daughter_user = new_test_user(
            cls.env,
            login="proxy_daughter",
            name="Proxy Daughter Ya-ling",
            groups="base.group_portal,timebank_core.group_timebank_member",
            partner_id=cls.daughter.id,
            company_id=cls.bank_a.id,
            company_ids=[cls.bank_a.id],
        )
        category = cls.env["timebank.service.category"].create(
            {"name": "Proxy errands", "company_id": cls.bank_a.id}
        )
        item = cls.env["timebank.service.item"].create(
            {
                "name": "Proxy shopping",
                "category_id": category.id,
                "company_id": cls.bank_a.id,
            }
        )
        start = datetime.now().replace(microsecond=0) - timedelta(days=2)

        def service(hours_ago):
            begin = start - timedelta(hours=hours_ago)
            return cls.env["timebank.exchange"].create(
                {
                    "provider_id": cls.amy.id,
                    "receiver_id": cls.elder.id,
                    "item_id": item.id,
                    "company_id": cls.bank_a.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(minutes=45),
                }
            )

        cls.draft_service = service(1)
        cls.submitted_service = service(3)
        cls.submitted_service.action_submit()
        post_opening_balance(cls.env, cls.elder, 120)
        cls.elder_lines = cls.env["timebank.entry.line"].search(
            [("account_id", "=", cls.elder.account_id.id)]
        )

    def _rights(self, **rights):
        self.elder.partner_id.write(
            {f"timebank_proxy_can_{right}": value for right, value in rights.items()}
        )

    def _call(self, model, method, *args, **kwargs):
        login = self.daughter_user.login
        return xmlrpc_call(self, login, model, method, *args, **kwargs)

    # ------------------------------------------------------------------ helper
    def test_the_helper_says_what_the_proxy_may_do(self):
        self._rights(view=False, request=True, confirm=True)
        Member = self.env["timebank.member"].with_user(self.daughter_user)
        elder = Member.browse(self.elder.id)
        self.assertFalse(elder._timebank_proxy_allows("view"))
        self.assertEqual(elder._timebank_proxy_allows("request"), elder)
        self.assertEqual(elder._timebank_proxy_allows("confirm"), elder)
        # someone else is nobody's proxy
        amy = self.amy.partner_id
        self.assertFalse(self.elder._timebank_proxy_allows("request", amy))
        with self.assertRaisesRegex(ValidationError, "Unknown proxy right"):
            self.elder._timebank_proxy_allows("vote")

    # ------------------------------------------------------------------ view
    def test_without_the_view_right_the_elder_is_invisible(self):
        as_daughter = self.env(user=self.daughter_user)
        self.assertFalse(as_daughter["timebank.member"].search([]))
        with self.assertRaisesRegex(AccessError, "Time Bank Membership"):
            self.elder.with_user(self.daughter_user).read(["balance"])
        self.assertFalse(as_daughter["timebank.exchange"].search([]))
        with self.assertRaisesRegex(AccessError, "Time Bank Exchange"):
            self.draft_service.with_user(self.daughter_user).read(["state"])
        self.assertFalse(as_daughter["timebank.account"].search([]))
        self.assertFalse(as_daughter["timebank.entry.line"].search([]))
        self.assertFalse(as_daughter["timebank.entry"].search([]))

    def test_with_the_view_right_the_elder_is_readable(self):
        self._rights(view=True)
        as_daughter = self.env(user=self.daughter_user)
        self.assertEqual(as_daughter["timebank.member"].search([]), self.elder)
        self.assertEqual(self.elder.with_user(self.daughter_user).balance, 120)
        self.assertEqual(
            as_daughter["timebank.exchange"].search([]),
            self.draft_service | self.submitted_service,
        )
        self.assertEqual(
            as_daughter["timebank.entry.line"].search([]), self.elder_lines
        )
        self.assertEqual(
            as_daughter["timebank.account"].search([]), self.elder.account_id
        )

    def test_the_confirm_right_shows_only_what_waits_for_confirmation(self):
        self._rights(confirm=True)
        as_daughter = self.env(user=self.daughter_user)
        self.assertEqual(
            as_daughter["timebank.exchange"].search([]), self.submitted_service
        )
        self.assertFalse(as_daughter["timebank.member"].search([]))
        self.submitted_service.with_user(self.daughter_user).action_confirm()
        self.assertEqual(self.submitted_service.confirmation_channel, "proxy")
        # confirmed, it is no longer hers to see
        self.assertFalse(as_daughter["timebank.exchange"].search([]))

    def test_the_rights_do_not_cross_banks(self):
        self._rights(view=True)
        elder_b = self._member("Proxy Elder in B", bank=self.bank_b, active=True)
        elder_b.partner_id.write(
            {
                "timebank_proxy_id": self.daughter.id,
                "timebank_proxy_consent_date": date(2026, 1, 5),
            }
        )
        Member = self.env(user=self.daughter_user)["timebank.member"]
        self.assertEqual(Member.search([]), self.elder)
        elder_b = Member.browse(elder_b.id)
        with self.assertRaisesRegex(AccessError, "Time Bank Membership"):
            elder_b.read(["balance"])

    # ------------------------------------------------------------------ API
    def test_without_the_view_right_nothing_over_the_api(self):
        self.assertEqual(
            self._call("timebank.member", "search_read", [], fields=["balance"]), []
        )
        with self.assertRaisesRegex(Fault, "Time Bank Membership"):
            self._call("timebank.member", "read", [self.elder.id], ["balance"])
        self.assertEqual(self._call("timebank.exchange", "search", []), [])
        with self.assertRaisesRegex(Fault, "Time Bank Exchange"):
            self._call("timebank.exchange", "read", [self.draft_service.id], ["state"])
        self.assertEqual(self._call("timebank.entry.line", "search", []), [])

    def test_with_the_view_right_readable_over_the_api(self):
        self._rights(view=True)
        [member] = self._call(
            "timebank.member", "read", [self.elder.id], ["balance", "state"]
        )
        self.assertEqual(member["balance"], 120)
        self.assertEqual(member["state"], "active")
        self.assertEqual(
            sorted(self._call("timebank.exchange", "search", [])),
            sorted((self.draft_service | self.submitted_service).ids),
        )
        self.assertEqual(
            self._call("timebank.entry.line", "search", []), self.elder_lines.ids
        )

    def test_without_the_confirm_right_no_confirmation_over_the_api(self):
        with self.assertRaisesRegex(Fault, "Time Bank Exchange"):
            self._call(
                "timebank.exchange", "action_confirm", [self.submitted_service.id]
            )
        self._rights(view=True)
        with self.assertRaisesRegex(Fault, "Only the receiver, the receiver's proxy"):
            self._call(
                "timebank.exchange", "action_confirm", [self.submitted_service.id]
            )
        self.assertEqual(self.submitted_service.state, "submitted")

    # ------------------------------------------------------------------ portal
    def test_the_portal_asks_only_a_proxy_who_may_confirm(self):
        self._rights(view=True)
        self.authenticate("proxy_daughter", "proxy_daughter")
        page = self.url_open("/my/timebank")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Please confirm", page.text)
        self._rights(confirm=True)
        page = self.url_open("/my/timebank")
        self.assertIn("Please confirm", page.text)
        response = self.url_open(
            f"/my/timebank/service/{self.submitted_service.id}/confirm",
            data={"csrf_token": csrf_token(page.text)},
        )
        self.assertIn("the service is confirmed", response.text)
        self.assertEqual(self.submitted_service.state, "confirmed")
        self.assertEqual(self.submitted_service.confirmed_by_id, self.daughter)

    # ------------------------------------------------------------------ write
    def test_a_proxy_records_services_only_with_the_request_right(self):
        """A proxy who may only see or confirm neither edits the elder's services
        nor records new ones billed to the elder."""
        self._rights(view=True, request=False, confirm=True)
        with self.assertRaisesRegex(Fault, "Time Bank Exchange"):
            self._call(
                "timebank.exchange",
                "write",
                [self.draft_service.id],
                {"description": "Two hours, not forty-five minutes."},
            )
        with self.assertRaisesRegex(Fault, "Time Bank Exchange"):
            self._call(
                "timebank.exchange",
                "create",
                {
                    "provider_id": self.amy.id,
                    "receiver_id": self.elder.id,
                    "item_id": self.draft_service.item_id.id,
                    "company_id": self.bank_a.id,
                    "date_start": "2026-01-01 08:00:00",
                    "date_end": "2026-01-01 09:00:00",
                },
            )
        self.assertEqual(
            self.env["timebank.exchange"].search_count(
                [("receiver_id", "=", self.elder.id)]
            ),
            2,
        )
        # with the right to request, the proxy edits the elder's draft
        self._rights(request=True)
        self._call(
            "timebank.exchange",
            "write",
            [self.draft_service.id],
            {"description": "Bought rice and vegetables."},
        )
        self.assertEqual(self.draft_service.description, "Bought rice and vegetables.")
