"""The pages of needs and offers on a 390x844 phone (a real browser): nothing
to scroll sideways."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import MatchingCase


@tagged("post_install", "-at_install")
class TestPortalPhone(MatchingCase, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_needs_and_offers_fit_a_phone(self):
        volunteer = self._volunteer("Volunteer Nakamura Hanako-Katarzyna", km=1)
        self._portal_user(self.elder, "ph_need_elder")
        offer = self.env["timebank.offer"].create(
            {
                "name": "Shopping at the traditional market on Saturday mornings",
                "member_id": volunteer.id,
                "company_id": self.bank_a.id,
                "item_id": self.shopping.id,
                "description": "Bring-your-own-bags-and-the-list-please " * 5,
                "slot_ids": [
                    Command.create({"weekday": str(day), "hour_from": 8, "hour_to": 12})
                    for day in range(7)
                ],
            }
        )
        offer.action_publish()
        self._request(
            description="Rice-tofu-green-tea-and-the-medicine-from-the-pharmacy " * 4
        ).action_publish()
        for url in (
            "/my/timebank/requests",
            "/my/timebank/offers",
            f"/my/timebank/requests/new?offer_id={offer.id}",
        ):
            with self.subTest(url=url):
                self.start_tour(
                    url, "timebank_portal_phone_page", login="ph_need_elder"
                )
