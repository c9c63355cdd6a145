"""The member's time bank page on a 390x844 phone (a real browser): the balance
first, nothing to scroll sideways, with long names, long texts and many lines."""

from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import TimebankCase, post_opening_balance


@tagged("post_install", "-at_install")
class TestPortalPhone(TimebankCase, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_the_time_bank_page_fits_a_phone(self):
        elder = self._member("Ouyang Wanrong-Hsiao-Chen of Zhongshan Road", active=True)
        volunteer = self._member("Volunteer Nakamura Hanako-Katarzyna", active=True)
        self._portal_user("ph_elder", elder.partner_id)
        post_opening_balance(self.env, elder, 6000)
        item = self._service_item(
            "Escort to the hospital for the yearly check-up and the pharmacy",
            "Phone escorts",
        )
        start = datetime.now().replace(microsecond=0) - timedelta(days=5)
        for day in range(8):
            begin = start - timedelta(days=day)
            service = self.env["timebank.exchange"].create(
                {
                    "provider_id": volunteer.id,
                    "receiver_id": elder.id,
                    "item_id": item.id,
                    "company_id": self.bank_a.id,
                    "date_start": begin,
                    "date_end": begin + timedelta(hours=2, minutes=15),
                    "place": "National Taiwan University Hospital, Hsinchu Branch",
                    "description": "Waited-with-her-at-the-outpatient-counter " * 4,
                }
            )
            service.action_submit()
            service.action_confirm(channel="phone")
            if day % 2:
                service.action_verify()
                service.action_post()
        self.start_tour("/my/timebank", "timebank_portal_phone_home", login="ph_elder")
