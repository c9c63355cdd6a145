import json
from urllib.parse import quote

from odoo.tests import HttpCase, freeze_time, tagged

from .common import TimebankCase, new_user_password


@tagged("post_install", "-at_install")
class TestStatementPrint(TimebankCase, HttpCase):
    """Print All of a month, as the web client asks the server for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_a.timebank_pool_credit_limit = 100000
        cls.carol = cls._member("Carol", active=True)
        cls.david = cls._member("David", active=True)
        pool = cls._system("pool")
        cls._pay(pool, cls.carol, 135, date="2026-10-03")
        cls._pay(pool, cls.david, 50, date="2026-10-20")

    def _client_url(self, action, report_type="html"):
        """The address the web client builds for a report action."""
        url = f"/report/{report_type}/{action['report_name']}"
        if action.get("data"):
            return "%s?options=%s&context=%s" % (
                url,
                quote(json.dumps(action["data"])),
                quote(json.dumps(action.get("context") or {})),
            )
        return "%s/%s" % (url, ",".join(map(str, action["context"]["active_ids"])))

    @freeze_time("2026-11-05")
    def test_print_all_has_every_member(self):
        wizard = (
            self.env["timebank.statement.wizard"]
            .with_user(self.broker)
            .with_context(
                active_model="timebank.member",
                active_ids=(self.carol | self.david).ids,
            )
            .create({})
        )
        action = wizard.action_print()
        self.authenticate(self.broker.login, new_user_password(self.broker.login))
        html = self.url_open(self._client_url(action)).text
        for text in ("Carol", "2:15", "David", "0:50", "10/01/2026"):
            self.assertIn(text, html)
        # the PDF too: a page per member, not one empty page
        response = self.url_open(self._client_url(action, "pdf"))
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertGreater(len(response.content), 5000)

    def test_members_of_another_bank_are_not_printed(self):
        lin = self._member("Lin", bank=self.bank_b, active=True)
        action = (
            self.env["timebank.statement.wizard"]
            .with_user(self.broker)
            .with_context(active_model="timebank.member", active_ids=self.carol.ids)
            .create({})
            .action_print()
        )
        action["data"]["member_ids"] = lin.ids
        self.authenticate(self.broker.login, new_user_password(self.broker.login))
        response = self.url_open(self._client_url(action))
        self.assertNotIn("Lin", response.text)
        self.assertEqual(response.status_code, 403)
