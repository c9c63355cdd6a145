"""The proof of a service: sent from the portal, required before verification,
and kept as it was once the service is posted."""

import base64
from datetime import datetime, timedelta
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..controllers.portal import PROOF_MAX_MB
from .common import TimebankCase, csrf_token, post_opening_balance, xmlrpc_call

# the smallest PNG: one transparent pixel
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestProof(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.amy = cls._member("Proof Volunteer Amy", active=True)
        cls.elder = cls._member("Proof Elder Chen", active=True)
        cls.son = cls._person("Proof Son Wei")
        cls._name_proxy(cls.elder, cls.son, view=True)
        cls.amy_user = cls._portal_user("pf_amy", cls.amy.partner_id)
        cls.elder_user = cls._portal_user("pf_elder", cls.elder.partner_id)
        cls._portal_user("pf_son", cls.son)
        cls.item = cls._service_item("Home repair", "Proof repairs")
        cls.item_b = cls.env["timebank.service.item"].create(
            {
                "name": "Home repair B",
                "category_id": cls.item.category_id.copy(
                    {"company_id": cls.bank_b.id}
                ).id,
                "company_id": cls.bank_b.id,
            }
        )
        cls.start = datetime.now().replace(microsecond=0) - timedelta(days=3)
        cls.service = cls._service()

    @classmethod
    def _service(cls, hours_ago=0, bank=None, provider=None, receiver=None):
        begin = cls.start - timedelta(hours=hours_ago)
        return cls.env["timebank.exchange"].create(
            {
                "provider_id": (provider or cls.amy).id,
                "receiver_id": (receiver or cls.elder).id,
                "item_id": (cls.item_b if bank else cls.item).id,
                "company_id": (bank or cls.bank_a).id,
                "date_start": begin,
                "date_end": begin + timedelta(minutes=60),
                "place": "12 Lane 3, Zhongshan Road",
                "description": "Fixed the kitchen tap.",
            }
        )

    def _confirmed(self, service):
        service.with_user(self.broker).action_submit()
        service.with_user(service.receiver_id.partner_id.user_ids).action_confirm()
        return service

    def _upload(self, service, files, member=None):
        page = self.url_open("/my/timebank")
        data = {"csrf_token": csrf_token(page.text)}
        if member:
            data["member"] = str(member.id)
        return self.url_open(
            f"/my/timebank/service/{service.id}/proof", data=data, files=files
        )

    def _write_as(self, login, service, vals):
        """A plain write of ``service`` over XML-RPC as ``login``."""
        return xmlrpc_call(self, login, service._name, "write", [service.id], vals)

    # ------------------------------------------------------------------ portal
    def test_the_volunteer_attaches_a_photo_from_the_portal(self):
        self.authenticate("pf_amy", "pf_amy")
        page = self.url_open("/my/timebank")
        self.assertIn('accept="image/*" capture="environment"', page.text)
        self.assertIn(f"/my/timebank/service/{self.service.id}/proof", page.text)
        response = self._upload(
            self.service, [("proof", ("tap.png", PNG, "image/png"))]
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("tap.png is attached to", response.text)
        proof = self.service.attachment_ids
        self.assertEqual(proof.mapped("name"), ["tap.png"])
        self.assertEqual(proof.mimetype, "image/png")
        self.assertEqual(base64.b64decode(proof.datas), PNG)
        self.assertEqual(
            (proof.res_model, proof.res_id), (self.service._name, self.service.id)
        )
        self.assertTrue(self.service.has_proof)
        self.assertIn("Proof added from the portal", self.service.message_ids[0].body)

    def test_the_upload_refuses_other_files_and_large_ones(self):
        self.authenticate("pf_amy", "pf_amy")
        response = self._upload(
            self.service, [("proof", ("run.html", b"<script>x</script>", "image/png"))]
        )
        self.assertIn("run.html is not a photo or a PDF document", response.text)
        big = PNG + b"\0" * (PROOF_MAX_MB * 1024 * 1024)
        response = self._upload(
            self.service, [("proof", ("big.png", big, "image/png"))]
        )
        self.assertIn(f"big.png is larger than {PROOF_MAX_MB} MB", response.text)
        response = self._upload(self.service, [("proof", ("", b"", "image/png"))])
        self.assertIn("Choose a photo or a document to attach first", response.text)
        self.assertFalse(self.service.attachment_ids)

    def test_only_the_parties_and_proxies_who_may_record_add_proof(self):
        # the son may see his father's services, not record them
        self.authenticate("pf_son", "pf_son")
        response = self._upload(
            self.service, [("proof", ("tap.png", PNG, "image/png"))], self.elder
        )
        self.assertIn(
            "Only the volunteer, the person helped, or a proxy", response.text
        )
        self.assertFalse(self.service.attachment_ids)
        self.elder.partner_id.timebank_proxy_can_request = True
        response = self._upload(
            self.service, [("proof", ("tap.png", PNG, "image/png"))], self.elder
        )
        self.assertIn("tap.png is attached to", response.text)
        self.assertTrue(response.url.endswith(f"/my/timebank?member={self.elder.id}"))
        self.assertEqual(len(self.service.attachment_ids), 1)
        # once the broker checked it, the proof stays as it was
        self._confirmed(self.service)
        self.service.with_user(self.broker).action_verify()
        self.authenticate("pf_amy", "pf_amy")
        response = self._upload(
            self.service, [("proof", ("late.png", PNG, "image/png"))]
        )
        self.assertIn("is already checked by the broker", response.text)
        self.assertEqual(len(self.service.attachment_ids), 1)

    # ------------------------------------------------------------------ setting
    def test_a_bank_requiring_proof_verifies_with_proof_or_a_reason(self):
        self.bank_a.timebank_require_proof = True
        service = self._confirmed(self.service)
        with self.assertRaisesRegex(UserError, "has no proof: Bank A requires"):
            service.with_user(self.broker).action_verify()
        with self.assertRaisesRegex(Fault, "has no proof: Bank A requires"):
            xmlrpc_call(self, "tb_broker", service._name, "action_verify", [service.id])
        self.assertEqual(service.state, "confirmed")
        # a member cannot waive the proof of their own service
        with self.assertRaisesRegex(Fault, "Only a broker writes"):
            self._write_as("pf_amy", service, {"proof_waiver_reason": "Trust me."})
        with self.assertRaisesRegex(AccessError, "Only a broker writes"):
            service.with_user(self.amy_user).write({"proof_waiver_reason": "Trust me."})
        reason = "The elder has no phone; the broker visited and saw the work."
        self._write_as("tb_broker", service, {"proof_waiver_reason": reason})
        xmlrpc_call(self, "tb_broker", service._name, "action_verify", [service.id])
        self.assertEqual(service.state, "verified")
        self.assertEqual(service.proof_waiver_reason, reason)
        self._assert_tracked(service, "proof_waiver_reason", reason)

    def test_proof_or_no_setting_lets_the_broker_verify(self):
        self.bank_a.timebank_require_proof = True
        with_photo = self._service(hours_ago=5)
        with_photo.attachment_ids = [
            (0, 0, {"name": "tap.png", "raw": PNG, "res_model": with_photo._name})
        ]
        self._confirmed(with_photo).with_user(self.broker).action_verify()
        self.assertEqual(with_photo.state, "verified")
        # bank B does not require proof
        provider = self._member("Proof Volunteer B", bank=self.bank_b, active=True)
        receiver = self._member("Proof Elder B", bank=self.bank_b, active=True)
        service_b = self._service(
            hours_ago=8, bank=self.bank_b, provider=provider, receiver=receiver
        )
        service_b.with_user(self.broker_b).action_submit()
        service_b.sudo().action_confirm(channel="phone")
        service_b.with_user(self.broker_b).action_verify()
        self.assertEqual(service_b.state, "verified")

    # ------------------------------------------------------------------ frozen
    def test_the_checked_proof_is_neither_replaced_nor_deleted(self):
        service = self.service
        service.attachment_ids = [
            (0, 0, {"name": "tap.png", "raw": PNG, "res_model": service._name})
        ]
        photo = service.attachment_ids
        photo.res_id = service.id
        # while the service is open, the broker may still change its proof
        photo.with_user(self.broker).write({"name": "kitchen tap.png"})
        self._confirmed(service).with_user(self.broker).action_verify()
        message = "kitchen tap.png is the proof of .*, already checked by the broker"
        for login in ("pf_amy", "tb_broker", "tb_manager"):
            with self.assertRaisesRegex(Fault, message):
                xmlrpc_call(self, login, "ir.attachment", "unlink", photo.ids)
            with self.assertRaisesRegex(Fault, message):
                xmlrpc_call(
                    self,
                    login,
                    "ir.attachment",
                    "write",
                    photo.ids,
                    {"datas": base64.b64encode(b"another photo").decode()},
                )
        with self.assertRaisesRegex(UserError, message):
            photo.sudo().unlink()
        self.assertEqual(base64.b64decode(photo.datas), PNG)
        # what Odoo writes itself on an attachment stays possible
        photo.sudo().generate_access_token()
        self.assertTrue(photo.access_token)
        # and so does moving the files between the database and the file store
        photo.sudo()._migrate()
        self.assertEqual(base64.b64decode(photo.datas), PNG)

    def test_a_posted_service_is_frozen_but_for_the_broker_note(self):
        post_opening_balance(self.env, self.elder, 60)
        service = self._confirmed(self.service)
        service.with_user(self.broker).action_verify()
        service.with_user(self.broker).action_post()
        self.assertEqual(service.state, "posted")
        changes = [
            ("pf_amy", {"place": "Somewhere else"}),
            ("pf_elder", {"description": "Nothing was done."}),
            ("tb_broker", {"description": "Fixed two taps."}),
            ("tb_manager", {"date_start": "2020-01-01 08:00:00"}),
        ]
        for login, vals in changes:
            with self.assertRaisesRegex(
                Fault, "is posted: .* stay as they were posted"
            ):
                self._write_as(login, service, vals)
        with self.assertRaisesRegex(Fault, "proof of a verified service stays"):
            self._write_as("tb_broker", service, {"attachment_ids": [(5, 0, 0)]})
        self.assertEqual(service.place, "12 Lane 3, Zhongshan Road")
        self.assertEqual(service.description, "Fixed the kitchen tap.")
        # the broker adds a note; a member cannot
        with self.assertRaisesRegex(Fault, "Only a broker writes"):
            self._write_as("pf_amy", service, {"broker_note": "All good"})
        note = "The elder called: the tap drips again, a new service is planned."
        self._write_as("tb_broker", service, {"broker_note": note})
        self.assertEqual(service.broker_note, note)
        self._assert_tracked(service, "broker_note", note)

    def _assert_tracked(self, service, name, value):
        """The change is in the service's history, with who made it."""
        tracked = service.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == name
        )
        self.assertEqual(tracked.new_value_char or tracked.new_value_text, value)
        self.assertEqual(tracked.mail_message_id.author_id, self.broker.partner_id)
