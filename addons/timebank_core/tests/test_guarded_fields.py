"""What only the ledger and the workflow write, tried over XML-RPC by each user.

Every finding of the integrity review is reproduced as the lowest user who could
try it, through the external API, and must be refused with a message while the
record stays as it was.
"""

import json
from datetime import date, datetime, timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import TimebankCase, new_user_password, xmlrpc_call

# Fields a user may write on each model (on drafts, within their rights) as far
# as core is concerned; every other field is written only by the product's own
# code. A new field must be put on one side or the other: the enumeration test
# fails until it is.
USER_WRITABLE = {
    "timebank.entry": {"date", "journal_id", "line_ids", "ref", "dispute_id"},
    "timebank.entry.line": {"account_id", "credit", "debit", "entry_id", "name"},
    "timebank.account": {"name"},
    "timebank.journal": {"code", "name", "sequence"},
    "timebank.exchange": {
        "attachment_ids",
        "broker_note",
        "company_id",
        "date_end",
        "date_start",
        "description",
        "dispute_ids",
        "expense_note",
        "intake_channel",
        "item_id",
        "place",
        "proof_waiver_reason",
        "provider_id",
        "reason",
        "receiver_id",
    },
    "timebank.member": {
        "ability_assessment",
        "availability_ids",
        "background_check_date",
        "background_check_expiry",
        "birthdate_date",
        "care_needs",
        "company_id",
        "contact_channel",
        "credit_limit",
        "email",
        "emergency_name",
        "emergency_phone",
        "emergency_relation",
        "exchange_preferences",
        "identity_document",
        "gender",
        "has_own_credit_limit",
        "image_1920",
        "join_date",
        "language_ids",
        "latitude",
        "longitude",
        "messaging_id",
        "mobile",
        "mobility",
        "notes",
        "number",
        "partner_id",
        "phone",
        "preferred_item_ids",
        "privacy_consent",
        "privacy_consent_date",
        "proxy_can_confirm",
        "proxy_can_request",
        "proxy_can_view",
        "proxy_consent_date",
        "proxy_id",
        "proxy_relation",
        "recipient_category_ids",
        "service_area",
        "skill_ids",
        "state_reason",
        "wanted_item_ids",
    },
}
# mail.thread and mail.activity.mixin: followers and messages, not the ledger
MAIL_PREFIXES = ("message_", "activity_", "website_message", "my_activity", "rating_")
ORM_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date"}
NOW = datetime(2026, 6, 15, 18, 0)


def sample_value(field):
    """Something of the field's type to try writing (it is refused anyway)."""
    kinds = {
        "integer": 5000,
        "float": 2.0,
        "monetary": 1.0,
        "boolean": True,
        "char": "changed",
        "text": "changed",
        "html": "<p>changed</p>",
        "date": "2026-01-01",
        "datetime": "2026-01-01 10:00:00",
        "many2one": 1,
        "one2many": [(5, 0, 0)],
        "many2many": [(5, 0, 0)],
    }
    if field.type == "selection":
        return "draft"
    return kinds.get(field.type, False)


@tagged("post_install", "-at_install")
class TestGuardedFields(TimebankCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env["timebank.service.category"].create(
            {"name": "Errands", "company_id": cls.bank_a.id}
        )
        cls.shopping = cls.env["timebank.service.item"].create(
            {
                "name": "Shopping",
                "category_id": cls.category.id,
                "company_id": cls.bank_a.id,
                "coefficient": 1.5,
                "cap_minutes": 120,
            }
        )
        cls.amy = cls._member("Amy", active=True)
        cls.david = cls._member("David", active=True)
        cls.amy_user = cls._portal_user("tb_amy", cls.amy.partner_id)
        cls._pay(cls._system("issuance"), cls.david, 600, journal_type="adjustment")
        # a posted service of Amy's: 60 minutes x 1.5
        cls.posted = cls._service(cls.amy, cls.david, hours_ago=30)
        cls.posted.action_submit()
        cls.posted.action_confirm("phone")
        cls.posted.with_user(cls.broker_2).action_verify()
        cls.posted.with_user(cls.broker).action_post()

    @classmethod
    def _service(cls, provider, receiver, hours_ago=3, minutes=60, item=None):
        start = fields.Datetime.now() - timedelta(hours=hours_ago)
        return (
            cls.env["timebank.exchange"]
            .with_user(cls.broker)
            .create(
                {
                    "provider_id": provider.id,
                    "receiver_id": receiver.id,
                    "item_id": (item or cls.shopping).id,
                    "company_id": cls.bank_a.id,
                    "date_start": start,
                    "date_end": start + timedelta(minutes=minutes),
                }
            )
        )

    def _rpc(self, user, model, method, *args, **kwargs):
        return xmlrpc_call(self, user.login, model, method, *args, **kwargs)

    def _jsonrpc(self, user, model, method, *args):
        password = new_user_password(user.login)
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, user.login, password, {}
        )
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "service": "object",
                        "method": "execute_kw",
                        "args": [
                            self.env.cr.dbname,
                            uid,
                            password,
                            model,
                            method,
                            list(args),
                        ],
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def _snapshot(self, record, names):
        record.invalidate_recordset()
        return record.sudo().read(names)[0]

    # ------------------------------------------------------------- reproductions
    def test_posted_service_cannot_go_back_to_draft(self):
        """It was set back to draft and its flow run again paid it twice."""
        before = self._snapshot(self.posted, ["state", "entry_id", "credit_minutes"])
        for user in (self.amy_user, self.broker, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(
                    Fault, r"State \(state\).*cannot be written.*Submit, Confirm"
                ):
                    self._rpc(
                        user,
                        "timebank.exchange",
                        "write",
                        [self.posted.id],
                        {"state": "draft", "entry_id": False},
                    )
        self.assertEqual(
            self._snapshot(self.posted, ["state", "entry_id", "credit_minutes"]),
            before,
        )
        self.assertEqual(
            self.env["timebank.entry"].search_count(
                [("exchange_id", "=", self.posted.id)]
            ),
            1,
        )

    def test_credited_minutes_are_not_written_by_hand(self):
        """A broker set 5,000 minutes on a 60-minute service capped at 2 hours."""
        own = self._service(self.amy, self.david)
        for user in (self.amy_user, self.broker, self.manager):
            for name in ("credit_minutes", "actual_minutes", "coefficient"):
                with self.subTest(user=user.login, field=name):
                    with self.assertRaisesRegex(
                        Fault, rf"\({name}\) cannot be written"
                    ):
                        self._rpc(
                            user, "timebank.exchange", "write", [own.id], {name: 5000}
                        )
        own.invalidate_recordset()
        self.assertEqual(own.credit_minutes, 90)
        own.action_submit()
        own.action_confirm("phone")
        own.with_user(self.broker_2).action_verify()
        own.with_user(self.broker).action_post()
        self.assertEqual(own.entry_id.total_minutes, 90)

    def test_manager_cannot_write_what_the_ledger_keeps(self):
        account = self.david.account_id
        entry = self.posted.entry_id
        journal = entry.journal_id
        cases = [
            ("timebank.account", account, {"balance": 99999}, "balance"),
            ("timebank.entry", entry, {"total_minutes": 1}, "total_minutes"),
            ("timebank.journal", journal, {"next_number": 1}, "next_number"),
            ("timebank.member", self.amy, {"account_id": account.id}, "account_id"),
        ]
        for model, record, vals, name in cases:
            with self.subTest(model=model):
                before = self._snapshot(record, [name])
                with self.assertRaisesRegex(Fault, rf"\({name}\) cannot be written"):
                    self._rpc(self.manager, model, "write", [record.id], vals)
                self.assertEqual(self._snapshot(record, [name]), before)
        self.assertTrue(entry.verify_chain(self.bank_a.id)["ok"])

    def test_journal_prefix_is_kept_once_used(self):
        journal = self.posted.entry_id.journal_id
        with self.assertRaisesRegex(Fault, "prefix can no longer change"):
            self._rpc(
                self.manager, "timebank.journal", "write", [journal.id], {"code": "X"}
            )

    def test_membership_keeps_its_person_and_bank(self):
        other = self._person("Someone else")
        with self.assertRaisesRegex(Fault, "cannot move to another one"):
            self._rpc(
                self.broker,
                "timebank.member",
                "write",
                [self.amy.id],
                {"partner_id": other.id},
            )
        with self.assertRaisesRegex(Fault, "belongs to one time bank"):
            self._rpc(
                self.manager,
                "timebank.member",
                "write",
                [self.amy.id],
                {"company_id": self.bank_b.id},
            )
        self.assertEqual(self.amy.partner_id.name, "Amy")

    def test_catalog_changes_leave_confirmed_services_alone(self):
        """A coefficient change rewrote the credits of services posted long ago."""
        draft = self._service(self.amy, self.david, hours_ago=6)
        confirmed = self._service(self.amy, self.david, hours_ago=9)
        confirmed.action_submit()
        confirmed.action_confirm("phone")
        self.shopping.write({"coefficient": 2.0, "cap_minutes": 0})
        self.posted.invalidate_recordset()
        self.assertEqual(
            (self.posted.coefficient, self.posted.credit_minutes), (1.5, 90)
        )
        self.assertEqual(self.posted.entry_id.total_minutes, 90)
        self.assertEqual((confirmed.coefficient, confirmed.credit_minutes), (1.5, 90))
        # a service not yet confirmed follows the catalog
        self.assertEqual((draft.coefficient, draft.credit_minutes), (2.0, 120))

    def test_minutes_are_whole_and_bounded(self):
        issuance = self._system("issuance")
        cases = [
            (2**31, "more than one line may move"),
            (2**31 - 1, "more than one line may move"),
            (1.5, "fraction of a minute"),
            ("60", "whole number of minutes"),
        ]
        # JSON-RPC: XML-RPC cannot even carry 2**31
        for minutes, message in cases:
            with self.subTest(minutes=minutes):
                answer = self._jsonrpc(
                    self.manager,
                    "timebank.entry",
                    "create",
                    {
                        "journal_id": self._journal("adjustment").id,
                        "line_ids": [
                            (0, 0, {"account_id": issuance.id, "debit": minutes}),
                            (
                                0,
                                0,
                                {
                                    "account_id": self.amy.account_id.id,
                                    "credit": minutes,
                                },
                            ),
                        ],
                    },
                )
                self.assertRegex(answer["error"]["data"]["message"], message)
                self.assertEqual(
                    answer["error"]["data"]["name"],
                    "odoo.exceptions.ValidationError",
                )

    def test_balances_stay_within_the_bound(self):
        issuance = self._system("issuance")
        for _i in range(9):
            self._pay(issuance, self.amy, 100_000_000, journal_type="adjustment")
        entry = self._entry(
            [(issuance, 100_000_000, 0), (self.amy.account_id, 0, 100_000_000)],
            journal_type="adjustment",
        )
        with self.assertRaisesRegex(Fault, "no balance may pass 1000000000 minutes"):
            self._rpc(self.manager, "timebank.entry", "action_post", [entry.id])
        self.amy.invalidate_recordset()
        self.assertEqual(self.amy.balance, 900_000_090)

    def test_entries_are_not_dated_in_the_future(self):
        entry = self._entry(
            [(self._system("issuance"), 60, 0), (self.amy.account_id, 0, 60)],
            journal_type="adjustment",
            date=date(2099, 1, 1),
        )
        with self.assertRaisesRegex(Fault, "dated 2099-01-01, in the future"):
            self._rpc(self.manager, "timebank.entry", "action_post", [entry.id])
        self.assertEqual(entry.state, "draft")

    def test_verify_chain_says_what_it_expects(self):
        for args, message in (
            (["one"], "company_id is a whole number"),
            ([self.bank_a.id, "all"], "batch_size is a whole number"),
            ([999999], "There is no time bank with id 999999"),
        ):
            with self.subTest(args=args):
                with self.assertRaisesRegex(Fault, message):
                    self._rpc(self.manager, "timebank.entry", "verify_chain", *args)
        answer = self._rpc(
            self.manager, "timebank.entry", "verify_chain", self.bank_a.id
        )
        self.assertTrue(answer["ok"])

    def test_nul_characters_get_a_message(self):
        """XML cannot carry a NUL character; JSON-RPC can, and got raw psycopg2."""
        service = self._service(self.amy, self.david)
        answer = self._jsonrpc(
            self.broker,
            "timebank.exchange",
            "write",
            [service.id],
            {"description": "a\x00b"},
        )
        self.assertRegex(
            answer["error"]["data"]["message"],
            r"^Description contains a NUL character",
        )
        self.assertFalse(service.description)

    def test_a_member_records_her_own_service_numbered(self):
        """Members may record services; the number came from a sequence they
        could not read, so every such create failed."""
        service_id = self._rpc(
            self.amy_user,
            "timebank.exchange",
            "create",
            {
                "provider_id": self.amy.id,
                "receiver_id": self.david.id,
                "item_id": self.shopping.id,
                "company_id": self.bank_a.id,
                "date_start": "2026-01-05 09:00:00",
                "date_end": "2026-01-05 10:00:00",
            },
        )
        service = self.env["timebank.exchange"].browse(service_id)
        self.assertRegex(service.name, r"^SRV/\d{4}/\d{5}$")
        self.assertEqual((service.state, service.credit_minutes), ("draft", 90))

    def test_a_line_never_moves_into_a_posted_entry(self):
        draft = self._entry(
            [(self._system("issuance"), 30, 0), (self.amy.account_id, 0, 30)],
            journal_type="adjustment",
        )
        posted = self.posted.entry_id
        with self.assertRaisesRegex(Fault, "Posted entries can never be changed"):
            self._rpc(
                self.manager,
                "timebank.entry.line",
                "write",
                draft.line_ids.ids,
                {"entry_id": posted.id},
            )
        self.assertEqual(posted.line_ids.mapped("debit"), [90, 0])
        self.assertEqual(draft.line_ids.entry_id, draft)

    def test_only_a_manager_sets_a_member_credit_limit(self):
        with self.assertRaisesRegex(Fault, "Only a time bank manager sets"):
            self._rpc(
                self.broker,
                "timebank.member",
                "write",
                [self.david.id],
                {"has_own_credit_limit": True, "credit_limit": 999999},
            )
        self.assertFalse(self.david.has_own_credit_limit)
        self._rpc(
            self.manager,
            "timebank.member",
            "write",
            [self.david.id],
            {"has_own_credit_limit": True, "credit_limit": 900},
        )
        self.assertEqual(self.david.credit_limit, 900)

    def test_proof_of_a_verified_service_stays(self):
        photo = self.env["ir.attachment"].create({"name": "later.jpg", "raw": b"x"})
        with self.assertRaisesRegex(Fault, "proof of a verified service stays"):
            self._rpc(
                self.broker,
                "timebank.exchange",
                "write",
                [self.posted.id],
                {"attachment_ids": [(4, photo.id)]},
            )
        self.assertFalse(self.posted.attachment_ids)

    # ------------------------------------------------------------- four eyes
    def test_a_broker_alone_cannot_confirm_and_verify(self):
        service = self._service(self.amy, self.david)
        self._rpc(self.broker, "timebank.exchange", "action_submit", [service.id])
        with self.assertRaisesRegex(Fault, "say how they agreed"):
            self._rpc(self.broker, "timebank.exchange", "action_confirm", [service.id])
        with self.assertRaisesRegex(Fault, "list of attachment ids"):
            self._rpc(
                self.broker,
                "timebank.exchange",
                "action_confirm",
                [service.id],
                "sheet",
                "photo.jpg",
            )
        self._rpc(
            self.broker, "timebank.exchange", "action_confirm", [service.id], "sheet"
        )
        self.assertEqual(service.confirmation_channel, "sheet")
        self.assertEqual(service.confirmed_by_user_id, self.broker)
        with self.assertRaisesRegex(Fault, "another broker verifies it"):
            self._rpc(self.broker, "timebank.exchange", "action_verify", [service.id])
        self.assertEqual(service.state, "confirmed")
        self._rpc(self.broker_2, "timebank.exchange", "action_verify", [service.id])
        self.assertEqual(service.verified_by_id, self.broker_2)

    def test_sheet_photo_is_the_brokers_own(self):
        service = self._service(self.amy, self.david)
        service.action_submit()
        foreign = self.env["ir.attachment"].create(
            {"name": "someone-elses.jpg", "raw": b"x", "public": True}
        )
        with self.assertRaisesRegex(Fault, "was not uploaded by you for this service"):
            self._rpc(
                self.broker,
                "timebank.exchange",
                "action_confirm",
                [service.id],
                "sheet",
                foreign.ids,
            )
        own = (
            self.env["ir.attachment"]
            .with_user(self.broker)
            .create({"name": "sheet.jpg", "raw": b"signed"})
        )
        self._rpc(
            self.broker,
            "timebank.exchange",
            "action_confirm",
            [service.id],
            "sheet",
            own.ids,
        )
        self.assertEqual(service.confirmation_proof_ids, own)

    def test_a_broker_as_proxy_does_not_verify_alone(self):
        """A broker named themselves the receiver's proxy to confirm as proxy."""
        self.david.partner_id.write(
            {
                "timebank_proxy_id": self.broker.partner_id.id,
                "timebank_proxy_consent_date": "2026-01-01",
                "timebank_proxy_can_confirm": True,
            }
        )
        service = self._service(self.amy, self.david)
        service.action_submit()
        self._rpc(self.broker, "timebank.exchange", "action_confirm", [service.id])
        self.assertEqual(service.confirmation_channel, "proxy")
        with self.assertRaisesRegex(Fault, "another broker verifies it"):
            self._rpc(self.broker, "timebank.exchange", "action_verify", [service.id])
        self.assertEqual(service.state, "confirmed")

    def test_a_provider_never_confirms_their_own_service(self):
        """A proxy of the elder records a service they gave the elder."""
        daughter = self._member("David's daughter", active=True)
        daughter_user = self._portal_user("tb_daughter", daughter.partner_id)
        self.david.partner_id.write(
            {
                "timebank_proxy_id": daughter.partner_id.id,
                "timebank_proxy_consent_date": "2026-01-01",
                "timebank_proxy_can_confirm": True,
            }
        )
        service = self._service(daughter, self.david)
        service.action_submit()
        with self.assertRaisesRegex(Fault, "is your own service"):
            self._rpc(
                daughter_user, "timebank.exchange", "action_confirm", [service.id]
            )
        self.assertEqual(service.state, "submitted")

    def test_receiver_confirms_and_one_broker_verifies(self):
        david_user = self._portal_user("tb_david", self.david.partner_id)
        service = self._service(self.amy, self.david)
        service.action_submit()
        self._rpc(david_user, "timebank.exchange", "action_confirm", [service.id])
        self.assertEqual(service.confirmation_channel, "receiver")
        self._rpc(self.broker, "timebank.exchange", "action_verify", [service.id])
        self.assertEqual(service.state, "verified")

    def test_one_broker_bank_turns_four_eyes_off_and_it_shows(self):
        self.bank_a.with_user(self.manager).sudo().timebank_four_eyes = False
        self.assertIn(
            "turned off the four-eyes check",
            self.bank_a.partner_id.message_ids[:1].body,
        )
        service = self._service(self.amy, self.david)
        service.action_submit()
        service.with_user(self.broker).action_confirm("in_person")
        service.with_user(self.broker).action_verify()
        self.assertEqual(service.state, "verified")
        self.assertIn("four-eyes check is off", service.message_ids[:1].body)

    def test_confirmation_fields_are_set_by_confirming_only(self):
        service = self._service(self.amy, self.david)
        service.action_submit()
        for name, value in (
            ("confirmation_channel", "phone"),
            ("confirmed_by_user_id", self.broker.id),
        ):
            with self.subTest(field=name):
                with self.assertRaisesRegex(Fault, rf"\({name}\) cannot be written"):
                    self._rpc(
                        self.broker,
                        "timebank.exchange",
                        "write",
                        [service.id],
                        {name: value},
                    )

    # ------------------------------------------------------------- every field
    def _records(self):
        entry = self.posted.entry_id
        return {
            "timebank.entry": entry,
            "timebank.entry.line": entry.line_ids[:1],
            "timebank.account": self.amy.account_id,
            "timebank.journal": entry.journal_id,
            "timebank.exchange": self.posted,
            "timebank.member": self.amy,
        }

    def test_every_field_is_classified(self):
        for model in USER_WRITABLE:
            Model = self.env[model]
            guarded = Model._guarded_field_names()
            for name in Model._fields:
                if name in ORM_FIELDS or name.startswith(MAIL_PREFIXES):
                    continue
                with self.subTest(model=model, field=name):
                    # an addon that extends the model may guard more of it
                    self.assertTrue(
                        name in guarded or name in USER_WRITABLE[model],
                        f"{model}.{name} must be either written by users or guarded",
                    )

    def test_no_user_writes_a_guarded_field_over_rpc(self):
        """Every guarded field of the ledger, the services and the memberships,
        written over XML-RPC by a manager, a broker and a portal member."""
        tried = 0
        for model, record in self._records().items():
            Model = self.env[model]
            names = sorted(
                name
                for name in Model._guarded_field_names()
                if Model._fields[name].store or Model._fields[name].related
            )
            before = self._snapshot(record, names)
            for user in (self.manager, self.broker, self.amy_user):
                for name in names:
                    with self.subTest(model=model, field=name, user=user.login):
                        with self.assertRaises(Fault) as caught:
                            self._rpc(
                                user,
                                model,
                                "write",
                                [record.id],
                                {name: sample_value(Model._fields[name])},
                            )
                        self.assertRegex(
                            caught.exception.faultString,
                            rf"\({name}\)[^.]* cannot be written|can never be changed"
                            r"|doesn't have '(read|write)' access",
                        )
                        tried += 1
            self.assertEqual(self._snapshot(record, names), before, model)
        self.assertGreater(tried, 150)

    def test_no_user_creates_with_a_guarded_field_over_rpc(self):
        vals = {
            "timebank.exchange": {
                "provider_id": self.amy.id,
                "receiver_id": self.david.id,
                "item_id": self.shopping.id,
                "company_id": self.bank_a.id,
                "date_start": "2026-01-05 09:00:00",
                "date_end": "2026-01-05 10:00:00",
            },
            "timebank.entry": {"journal_id": self._journal("adjustment").id},
            "timebank.account": {"name": "Mine"},
        }
        guarded = {
            "timebank.exchange": {
                "state": "posted",
                "credit_minutes": 5000,
                "coefficient": 9.0,
                "entry_id": self.posted.entry_id.id,
                "name": "SRV/FAKE",
            },
            "timebank.entry": {"state": "posted", "name": "EXC/999999"},
            "timebank.account": {
                "balance": 5000,
                "member_id": self.amy.id,
                "type": "pool",
            },
        }
        for model, extra in guarded.items():
            for name, value in extra.items():
                with self.subTest(model=model, field=name):
                    with self.assertRaisesRegex(
                        Fault, rf"\({name}\) cannot be written"
                    ):
                        self._rpc(
                            self.manager,
                            model,
                            "create",
                            dict(vals[model], **{name: value}),
                        )
        with self.assertRaisesRegex(Fault, r"\(state\) cannot be written"):
            self._rpc(
                self.manager,
                "timebank.exchange",
                "create",
                vals["timebank.exchange"],
                context={"default_state": "posted"},
            )
