"""No page of the time bank shows text taken from its address.

A link such as ``/my/timebank?error=Your+credits+are+frozen.+Call+0900...``
must not make a phone-scam lure look like the bank's own words. Every GET page
of every time bank addon is opened with such parameters, as a member, and the
text must not appear.
"""

from urllib.parse import urlencode

from lxml import html

from odoo.tests import HttpCase, tagged

from odoo.addons.timebank_core.tests.common import TimebankCase

LURE = "Your credits are frozen. Call 0900-123-456 now"
PARAMS = (
    "message",
    "error",
    "notice",
    "success",
    "warning",
    "text",
    "title",
    "description",
    "place",
    "comment",
    "reason",
    "name",
)


@tagged("post_install", "-at_install")
class TestPortalNoUrlText(TimebankCase, HttpCase):
    def _time_bank_pages(self):
        """The addresses of the GET pages of the time bank addons."""
        pages = set()
        IrHttp = self.env["ir.http"]
        modules = sorted(self.env.registry._init_modules)
        for url, endpoint in IrHttp._generate_routing_rules(
            modules, converters=IrHttp._get_converters()
        ):
            module = getattr(
                getattr(endpoint, "original_endpoint", endpoint), "__module__", ""
            )
            if not module.startswith("odoo.addons.timebank_"):
                continue
            routing = endpoint.routing
            if routing.get("type") != "http":
                continue
            methods = routing.get("methods")
            if methods and "GET" not in methods:
                continue
            url = url.replace("<int:company_id>", str(self.bank_a.id))
            if "<" not in url:
                pages.add(url)
        return sorted(pages)

    def test_no_page_repeats_the_text_of_its_address(self):
        self.bank_a.timebank_public_board = True
        member = self._member("Lure Elder Wang", active=True)
        self._portal_user("lure_elder", member.partner_id)
        pages = self._time_bank_pages()
        # the pages the lure was seen on, and those that came after it
        for page in (
            "/my/timebank",
            "/my/timebank/requests",
            f"/timebank/{self.bank_a.id}/hours",
        ):
            self.assertIn(page, pages)
        query = urlencode({name: LURE for name in PARAMS})
        for login in (None, "lure_elder"):
            if login:
                self.authenticate(login, login)
            for page in pages:
                with self.subTest(page=page, login=login):
                    response = self.url_open(f"{page}?{query}")
                    # what the page says (a login page keeps the address to
                    # come back to in its links, which is not shown)
                    shown = html.fromstring(response.content).text_content()
                    self.assertNotIn("0900-123-456", shown, f"{page} as {login}")
