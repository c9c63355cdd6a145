import calendar
import logging
import random
import time
import uuid
from datetime import datetime, timedelta

import requests
from psycopg2 import errors

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.timebank_core.models.timebank_account import format_minutes
from odoo.addons.timebank_core.models.timebank_entry import ledger_busy
from odoo.addons.timebank_core.models.timebank_exchange import (
    MAX_MINUTES as MAX_SERVICE_MINUTES,
)

from . import protocol

_logger = logging.getLogger(__name__)

API_PATH = "/timebank/interbank/v1/"
HTTP_TIMEOUT = 10
# Answers that are not the partner's decision on the transfer: the link itself
# did not take the message; the hold stays and the message is sent again.
LINK_CODES = {
    protocol.BAD_SIGNATURE,
    protocol.BAD_MESSAGE,
    protocol.UNKNOWN_PEER,
    protocol.UNKNOWN_KEY,
    protocol.SEQ_GAP,
    protocol.CHAIN_MISMATCH,
}
# Advisory lock namespace of the sender of a link (one sender per link).
DISPATCH_LOCK = 741_014
MAX_BACKOFF = 3600
# a step of the sender met another transaction on the same rows: run again
CONCURRENCY_ERRORS = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
)
CONCURRENCY_TRIES = 5


def refusal_texts(env):
    """What each refusal code tells the member, in their language."""
    return {
        protocol.LIMIT_EXCEEDED: env._(
            "The two banks have reached the trust limit between them: no more "
            "credits can go this way until the balance of trade comes back."
        ),
        protocol.PAYEE_UNKNOWN: env._(
            "The partner bank has no member with that number: check the number "
            "with the person you are sending to."
        ),
        protocol.PAYEE_INACTIVE: env._(
            "The member of the partner bank is not active (suspended or withdrawn)."
        ),
        protocol.PEER_SUSPENDED: env._(
            "The partner bank has suspended the link with our bank for now."
        ),
        protocol.STALE: env._(
            "The partner bank received the transfer too late (it had expired)."
        ),
        protocol.FUTURE: env._(
            "The clocks of the two banks disagree: the partner bank refused the "
            "transfer; our administrator has been told."
        ),
        protocol.RATE_INEXACT: env._(
            "At the rate between the two banks this amount would leave a fraction "
            "of a minute: send another amount."
        ),
        protocol.CANCELLED_BEFORE: env._(
            "The transfer was cancelled before the partner bank received it."
        ),
        protocol.PURPOSE_UNKNOWN: env._(
            "The partner bank does not take this kind of payment (its purpose or "
            "date was not understood)."
        ),
    }


class TimebankInterbankTransfer(models.Model):
    """A transfer of minutes between a member of this bank and a member of a
    partner bank: sent (``out``, we are the payer's bank) or received (``in``)."""

    _name = "timebank.interbank.transfer"
    _description = "Transfer between Time Banks"
    _inherit = ["timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "id desc"
    _rec_name = "uuid"

    uuid = fields.Char(string="Reference", readonly=True, required=True, index=True)
    peer_id = fields.Many2one(
        "timebank.peer",
        string="Partner Bank",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Time Bank", required=True, readonly=True, index=True
    )
    direction = fields.Selection(
        [("out", "Sent"), ("in", "Received")], required=True, readonly=True
    )
    state = fields.Selection(
        [
            ("held", "In Transit"),
            ("committed", "Done"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        readonly=True,
        default="held",
        index=True,
    )
    member_id = fields.Many2one(
        "timebank.member",
        string="Our Member",
        readonly=True,
        index=True,
        check_company=True,
        help="The payer of a sent transfer, the payee of a received one.",
    )
    payer_number = fields.Char(readonly=True)
    payee_number = fields.Char(readonly=True)
    minutes = fields.Integer(readonly=True, help="Minutes, in the payer bank's units.")
    credited = fields.Integer(
        readonly=True, help="Minutes credited, in the payee bank's units."
    )
    minutes_display = fields.Char(string="Time", compute="_compute_minutes_display")
    memo = fields.Char(readonly=True, help="Kept in this bank, never sent.")
    seq = fields.Integer(readonly=True, aggregator=None)
    prev_hash = fields.Char(readonly=True)
    msg_hash = fields.Char(readonly=True)
    expires_at = fields.Datetime(readonly=True)
    request_body = fields.Text(readonly=True, help="The signed message, as sent.")
    cancel_body = fields.Text(readonly=True)
    answer_body = fields.Text(readonly=True, help="The partner's signed answer.")
    refusal_code = fields.Char(readonly=True)
    refusal_text = fields.Char(string="Why", compute="_compute_refusal_text")
    attempts = fields.Integer(readonly=True, default=0)
    next_try_at = fields.Datetime(readonly=True)
    last_error = fields.Char(readonly=True)
    cancel_requested = fields.Boolean(readonly=True)
    requested_by_id = fields.Many2one("res.users", readonly=True)
    entry_ids = fields.Many2many("timebank.entry", readonly=True, copy=False)
    purpose = fields.Selection(
        [("gift", "Gift of Credits"), ("service", "Payment for a Service")],
        required=True,
        readonly=True,
        default="gift",
        help="A payment for a service crosses the wire with its code and date.",
    )
    service_date = fields.Date(readonly=True)
    service_duration = fields.Integer(
        readonly=True,
        help="How long the service lasted, in minutes (kept in the payer bank).",
    )
    service_item_id = fields.Many2one(
        "timebank.service.item",
        string="Kind of Service",
        readonly=True,
        help="Kept in the payer bank, never sent.",
    )
    summary = fields.Char(string="What", compute="_compute_summary")

    _sql_constraints = [
        (
            "uuid_uniq",
            "unique (peer_id, direction, uuid)",
            "A transfer reference is used once per link direction.",
        ),
    ]

    @api.depends("minutes", "credited", "direction")
    def _compute_minutes_display(self):
        for transfer in self:
            own = transfer.minutes if transfer.direction == "out" else transfer.credited
            transfer.minutes_display = format_minutes(own or 0)

    @api.depends("purpose", "direction", "payer_number", "payee_number", "service_date")
    @api.depends_context("lang")
    def _compute_summary(self):
        for transfer in self:
            other = (
                transfer.payee_number
                if transfer.direction == "out"
                else transfer.payer_number
            )
            values = {
                "number": other,
                "peer": transfer.peer_id.sudo().name,
                "date": transfer.service_date,
            }
            if transfer.purpose == "service" and transfer.direction == "in":
                text = _(
                    "Service given to member %(number)s of %(peer)s on %(date)s",
                    **values,
                )
            elif transfer.purpose == "service":
                text = _(
                    "Service received from member %(number)s of %(peer)s on %(date)s",
                    **values,
                )
            elif transfer.direction == "in":
                text = _("Transfer from member %(number)s of %(peer)s", **values)
            else:
                text = _("Transfer to member %(number)s of %(peer)s", **values)
            transfer.summary = text

    @api.depends("refusal_code", "last_error", "state")
    @api.depends_context("lang")
    def _compute_refusal_text(self):
        texts = refusal_texts(self.env)
        for transfer in self:
            if transfer.state in ("refused", "cancelled"):
                transfer.refusal_text = texts.get(
                    transfer.refusal_code, transfer.refusal_code or ""
                )
            elif transfer.state == "held" and transfer.last_error:
                transfer.refusal_text = _(
                    "Waiting for the partner bank (%(error)s); sent again "
                    "automatically.",
                    error=transfer.last_error,
                )
            else:
                transfer.refusal_text = False

    def _guarded_hint(self):
        return _(
            "A transfer between banks is made by sending credits and moves only "
            "with the answers of the partner bank (or a broker's retry or cancel)."
        )

    def _guarded_field_names(self):
        # every field of a transfer is set by the protocol
        return frozenset(self._fields) - {
            "id",
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _("Transfers between banks are never deleted: they are the link's record.")
        )

    # ------------------------------------------------------------------ ledger
    @api.model
    def _post_ledger(self, company, lines, ref, reverses=None, check_limits=True):
        """The one place where this addon posts: a two-line entry of ``company``
        through the ledger's transfer API.

        :param lines: [(debit account, minutes, 0), (credit account, 0, minutes)]
        """
        (debit, minutes, _zero), (credit, _none, _minutes) = lines
        journal = self.env["timebank.journal"].sudo()._get(company, "exchange")
        return (
            self.env["timebank.entry"]
            .sudo()
            ._transfer(
                journal,
                debit,
                credit,
                minutes,
                ref,
                vals={"reversed_entry_id": reverses.id} if reverses else None,
                check_limits=check_limits,
            )
        )

    # ------------------------------------------------------------------ sending
    @api.model
    def _check_may_send(self, member):
        """The current user may send credits of ``member``: the member, a proxy
        allowed to request for them, or a broker of the bank."""
        user = self.env.user
        if user.has_group("timebank_core.group_timebank_broker") and (
            member.company_id in user.company_ids
        ):
            return
        if member.sudo().partner_id == user.partner_id:
            return
        if member._timebank_proxy_allows("request"):
            return
        raise UserError(
            _(
                "You may send only your own credits, or those of a member who "
                "named you their proxy with the right to ask for services."
            )
        )

    @api.model
    def _peer_and_payer(self, peer_id, member_id):
        """(partner bank, paying member) of a request, once the current user
        may pay for that member."""
        peer = self.env["timebank.peer"].sudo().browse(peer_id).exists()
        member = self.env["timebank.member"].sudo().browse(member_id).exists()
        if not member:
            raise UserError(_("There is no such member."))
        self._check_may_send(member)
        if not peer or peer.company_id != member.company_id:
            raise UserError(_("That partner bank is not a partner of your bank."))
        return peer, member

    @api.model
    def send(self, peer_id, member_id, payee_number, minutes, memo=""):
        """Send ``minutes`` of a member of ours to member ``payee_number`` of the
        partner bank ``peer_id``. Callable over RPC; returns the transfer id."""
        peer, member = self._peer_and_payer(peer_id, member_id)
        # a clash with another transfer on the same accounts (the link's transit
        # account) is retried by Odoo; after the last try the member is told
        # to try again, never shown a database error
        with ledger_busy(self.env):
            return self.sudo()._send(peer, member, payee_number, minutes, memo).id

    @api.model
    def send_service(
        self,
        peer_id,
        receiver_id,
        provider_number,
        duration,
        service_date,
        item_id=False,
        memo="",
    ):
        """Pay member ``provider_number`` of the partner bank ``peer_id`` for a
        service given to our member ``receiver_id`` on ``service_date`` that
        lasted ``duration`` minutes. The minutes sent are the credited minutes
        of the service under this bank's rules (the kind of service's
        coefficient and cap, as for a service inside the bank; 1:1 without a
        kind). Callable over RPC; returns the transfer id."""
        peer, member = self._peer_and_payer(peer_id, receiver_id)
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not 0 < duration <= MAX_SERVICE_MINUTES
        ):
            raise UserError(
                _(
                    "Enter how long the service lasted: a whole number of minutes, "
                    "at most one day."
                )
            )
        try:
            day = fields.Date.to_date(service_date)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise UserError(_("Enter the date of the service."))
        if day > fields.Date.context_today(self):
            raise UserError(_("A service is paid after it was given, not before."))
        item = self.env["timebank.service.item"].sudo().browse(item_id or []).exists()
        if item_id and (
            not item
            or not item.active
            or (item.company_id and item.company_id != member.company_id)
        ):
            raise UserError(_("That kind of service is not in your bank's catalog."))
        minutes = (
            item._credit_minutes_for(duration, item.coefficient, item.cap_minutes)
            if item
            else duration
        )
        if minutes <= 0:
            raise UserError(_("Under its kind's rules this service credits no time."))
        service = {
            "purpose": "service",
            "service_date": day,
            "service_duration": duration,
            "service_item_id": item.id,
        }
        with ledger_busy(self.env):
            return (
                self.sudo()
                ._send(peer, member, provider_number, minutes, memo, service)
                .id
            )

    def _send(self, peer, member, payee_number, minutes, memo="", service=None):
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise UserError(_("Send a whole, positive number of minutes."))
        payee_number = (payee_number or "").strip()
        if not payee_number or len(payee_number) > 64:
            raise UserError(_("Enter the member number of the person you send to."))
        if peer.state != "accepted":
            raise UserError(
                _(
                    "The link with %(peer)s is not open (it is %(state)s): no "
                    "credits can be sent there now.",
                    peer=peer.name,
                    state=dict(peer._fields["state"]._description_selection(self.env))[
                        peer.state
                    ],
                )
            )
        if member.state != "active":
            raise UserError(
                _("%(member)s is not an active member.", member=member.number)
            )
        credited = peer._convert_out(minutes)
        if credited is None:
            raise UserError(refusal_texts(self.env)[protocol.RATE_INEXACT])
        service = service or {"purpose": "gift"}
        if peer.mode == "local":
            return self._send_local(
                peer, member, payee_number, minutes, credited, memo, service
            )
        return self._hold(peer, member, payee_number, minutes, credited, memo, service)

    def _check_trust(self, peer, balances, owed_more):
        """Refuse when the partner would owe us more than its trust limit."""
        clearing = balances[peer.clearing_account_id.id]
        transit = balances.get(peer.transit_account_id.id, 0)
        if clearing + transit + owed_more > peer.limit_they_owe:
            raise UserError(
                _(
                    "%(text)s (%(peer)s may owe us %(limit)s; it owes %(owed)s and "
                    "%(flight)s are in transit.)",
                    text=refusal_texts(self.env)[protocol.LIMIT_EXCEEDED],
                    peer=peer.name,
                    limit=format_minutes(peer.limit_they_owe),
                    owed=format_minutes(max(clearing, 0)),
                    flight=format_minutes(transit),
                )
            )

    def _send_local(self, peer, member, payee_number, minutes, credited, memo, service):
        """Level 0: both banks in this database, both sides in this transaction."""
        mirror = peer._mirror()
        texts = refusal_texts(self.env)
        if not mirror or mirror.state != "accepted":
            raise UserError(texts[protocol.PEER_SUSPENDED])
        payee = (
            self.env["timebank.member"]
            .sudo()
            .search(
                [
                    ("company_id", "=", mirror.company_id.id),
                    ("number", "=", payee_number),
                ],
                limit=1,
            )
        )
        if not payee:
            raise UserError(texts[protocol.PAYEE_UNKNOWN])
        if payee.state != "active":
            raise UserError(texts[protocol.PAYEE_INACTIVE])
        balances = peer._lock_accounts(
            peer.clearing_account_id | mirror.clearing_account_id
        )
        self._check_trust(peer, balances, minutes)
        if -(balances[mirror.clearing_account_id.id] - credited) > mirror.limit_we_owe:
            raise UserError(texts[protocol.LIMIT_EXCEEDED])
        reference = str(uuid.uuid4())
        if service["purpose"] == "service":
            ref_out = self._service_ref("out", payee_number, peer, service)
            ref_in = self._service_ref("in", member.number, mirror, service)
        else:
            ref_out = _(
                "Transfer to member %(number)s of %(peer)s",
                number=payee_number,
                peer=peer.name,
            )
            ref_in = _(
                "Transfer from member %(number)s of %(peer)s",
                number=member.number,
                peer=mirror.name,
            )
        out_entry = self._post_ledger(
            peer.company_id,
            [(member.account_id, minutes, 0), (peer.clearing_account_id, 0, minutes)],
            ref_out,
        )
        in_entry = self._post_ledger(
            mirror.company_id,
            [
                (mirror.clearing_account_id, credited, 0),
                (payee.account_id, 0, credited),
            ],
            ref_in,
        )
        common = {
            "uuid": reference,
            "payer_number": member.number,
            "payee_number": payee_number,
            "minutes": minutes,
            "credited": credited,
            "state": "committed",
            "requested_by_id": self.env.uid,
            "purpose": service["purpose"],
            "service_date": service.get("service_date") or False,
        }
        transfers = self._guarded_create(
            [
                dict(
                    common,
                    peer_id=peer.id,
                    company_id=peer.company_id.id,
                    direction="out",
                    member_id=member.id,
                    memo=memo,
                    service_duration=service.get("service_duration") or 0,
                    service_item_id=service.get("service_item_id") or False,
                    entry_ids=[fields.Command.set(out_entry.ids)],
                ),
                dict(
                    common,
                    peer_id=mirror.id,
                    company_id=mirror.company_id.id,
                    direction="in",
                    member_id=payee.id,
                    entry_ids=[fields.Command.set(in_entry.ids)],
                ),
            ]
        )
        for transfer in transfers:
            transfer.peer_id._link(transfer.direction)._guarded_write(
                {
                    "committed_count": transfer.peer_id._link(
                        transfer.direction
                    ).committed_count
                    + 1,
                    "committed_minutes": transfer.peer_id._link(
                        transfer.direction
                    ).committed_minutes
                    + credited,
                }
            )
        return transfers[0]

    def _hold(self, peer, member, payee_number, minutes, credited, memo, service):
        """Level 1, step 1: hold the minutes in transit and queue the message.

        Only the transit account is locked: every change of what the partner
        may owe us that a hold must wait for (another hold, a settlement, a
        refund) moves transit. The clearing account is read: what moves it
        alone (a transfer received from the partner) only lowers what it owes,
        so an older reading errs on the safe side, and holds do not wait on
        the transfers coming in.
        """
        balances = peer._lock_accounts(peer.transit_account_id)
        peer.clearing_account_id.invalidate_recordset(["balance"])
        balances[peer.clearing_account_id.id] = peer.clearing_account_id.balance
        self._check_trust(peer, balances, minutes)
        reference = str(uuid.uuid4())
        if service["purpose"] == "service":
            ref = _(
                "%(service)s (in transit)",
                service=self._service_ref("out", payee_number, peer, service),
            )
        else:
            ref = _(
                "Transfer to member %(number)s of %(peer)s (in transit)",
                number=payee_number,
                peer=peer.name,
            )
        entry = self._post_ledger(
            peer.company_id,
            [(member.account_id, minutes, 0), (peer.transit_account_id, 0, minutes)],
            ref,
        )
        transfer = self._guarded_create(
            [
                {
                    "uuid": reference,
                    "peer_id": peer.id,
                    "company_id": peer.company_id.id,
                    "direction": "out",
                    "member_id": member.id,
                    "payer_number": member.number,
                    "payee_number": payee_number,
                    "minutes": minutes,
                    "credited": credited,
                    "memo": memo,
                    "purpose": service["purpose"],
                    "service_date": service.get("service_date") or False,
                    "service_duration": service.get("service_duration") or 0,
                    "service_item_id": service.get("service_item_id") or False,
                    "state": "held",
                    "expires_at": fields.Datetime.now()
                    + timedelta(seconds=peer.validity_seconds),
                    "requested_by_id": self.env.uid,
                    "entry_ids": [fields.Command.set(entry.ids)],
                }
            ]
        )
        self._dispatch_after_commit(peer)
        return transfer

    @api.model
    def _service_ref(self, direction, number, peer, service):
        """The ledger's text of a payment for a service with ``number`` of ``peer``."""
        if direction == "in":
            return _(
                "Service given to member %(number)s of %(peer)s on %(date)s",
                number=number,
                peer=peer.name,
                date=service["service_date"],
            )
        return _(
            "Service received from member %(number)s of %(peer)s on %(date)s",
            number=number,
            peer=peer.name,
            date=service["service_date"],
        )

    def _dispatch_after_commit(self, peer):
        """Send the link's queued messages right after this transaction commits."""
        cr = self.env.cr
        registry = self.env.registry
        peer_id = peer.id
        if self.env.registry.in_test_mode():
            return
        cr.postcommit.add(lambda: type(self)._dispatch_quietly(registry, [peer_id]))

    @api.model
    def _in_flight(self, peer):
        """The sent transfer of the link whose message waits for an answer."""
        return self.sudo().search(
            [
                ("peer_id", "=", peer.id),
                ("direction", "=", "out"),
                ("state", "=", "held"),
                ("request_body", "!=", False),
            ],
            order="id",
            limit=1,
        )

    @classmethod
    def _dispatch(cls, registry, peer_id, force=False, rounds=1000):
        """Send a link's queued transfers, one message in flight at a time.

        One sender per link (an advisory lock); every step is committed before
        the next message goes out, and no transaction stays open while waiting
        for the partner bank.
        """
        with registry.cursor() as lock_cr:
            lock_cr.execute(
                SQL("SELECT pg_try_advisory_lock(%s, %s)", DISPATCH_LOCK, peer_id)
            )
            if not lock_cr.fetchone()[0]:
                return
            try:
                for _round in range(rounds):
                    step = cls._in_transaction(
                        registry,
                        lambda env, force=force: env[
                            "timebank.interbank.transfer"
                        ]._next_message(peer_id, force),
                    )
                    if not step:
                        return
                    transfer_id, url, body = step
                    status, answer = cls._http_send(url, body)
                    settled = cls._in_transaction(
                        registry,
                        lambda env, tid=transfer_id, st=status, an=answer: (
                            env["timebank.interbank.transfer"]
                            .browse(tid)
                            ._take_answer(st, an)
                        ),
                    )
                    if not settled:
                        return
                    force = False
            finally:
                lock_cr.execute(
                    SQL("SELECT pg_advisory_unlock(%s, %s)", DISPATCH_LOCK, peer_id)
                )

    @classmethod
    def _in_transaction(cls, registry, func):
        """``func(env)`` in a transaction of its own (committed), run again when
        it meets another transaction on the same rows (a hold of a member of
        ours on the transit account while a receipt settles another)."""
        for tryno in range(1, CONCURRENCY_TRIES + 1):
            try:
                with registry.cursor() as cr:
                    # the environment stays referenced until the commit, which
                    # flushes what it holds
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    result = func(env)
                    env.flush_all()
                return result
            except CONCURRENCY_ERRORS:
                if tryno == CONCURRENCY_TRIES:
                    raise
                time.sleep(random.uniform(0.05, 0.1 * 2**tryno))
        return None

    @classmethod
    def _dispatch_quietly(cls, registry, peer_ids, force=False):
        """Send after a commit: what fails here is logged and left to the
        scheduled job, never said to the user whose request already committed
        (their transfer is made; it only waits to be sent)."""
        for peer_id in peer_ids:
            try:
                cls._dispatch(registry, peer_id, force=force)
            except Exception:
                _logger.exception(
                    "Sending the transfers of link %s failed; the scheduled job "
                    "sends them again",
                    peer_id,
                )

    @classmethod
    def _http_send(cls, url, body):
        try:
            response = requests.post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=HTTP_TIMEOUT,
            )
        except requests.RequestException as error:
            return None, str(error).encode()[:300]
        return response.status_code, response.content

    @api.model
    def _http_post(self, peer, endpoint, body):
        return self._http_send(peer.url.rstrip("/") + API_PATH + endpoint, body)

    def _next_message(self, peer_id, force=False):
        """(transfer id, url, body) of the next message of the link, or None."""
        peer = self.env["timebank.peer"].browse(peer_id)
        transfer = self.search(
            [
                ("peer_id", "=", peer_id),
                ("direction", "=", "out"),
                ("state", "=", "held"),
            ],
            order="id",
            limit=1,
        )
        if not transfer or peer.mode != "remote":
            return None
        now = fields.Datetime.now()
        if transfer.next_try_at and transfer.next_try_at > now and not force:
            return None
        url = peer.url.rstrip("/") + API_PATH + "message"
        if not transfer.request_body:
            if peer.state != "accepted":
                return None
            transfer._build_prepare()
        if transfer.cancel_requested or now >= transfer.expires_at:
            if not transfer.cancel_body:
                transfer._build_cancel()
            return transfer.id, url, transfer.cancel_body.encode()
        return transfer.id, url, transfer.request_body.encode()

    def _build_prepare(self):
        self.ensure_one()
        peer = self.peer_id
        link = peer._link("out")
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_interbank_link WHERE id = %s FOR UPDATE",
                link.id,
            )
        )
        payload = peer._base_payload(protocol.PREPARE)
        payload.update(
            uuid=self.uuid,
            link={
                "from": peer.company_id.timebank_bank_code,
                "to": peer.peer_code,
                "seq": link.last_seq + 1,
                "prev_hash": link.last_hash or "",
            },
            payer={
                "bank": peer.company_id.timebank_bank_code,
                "member": self.payer_number,
            },
            payee={"bank": peer.peer_code, "member": self.payee_number},
            minutes=self.minutes,
            expires=calendar.timegm(self.expires_at.timetuple()),
        )
        if self.purpose == "service":
            # optional: a PREPARE without it is a gift, as before this field
            payload["purpose"] = {
                "code": protocol.PURPOSE_SERVICE,
                "date": fields.Date.to_string(self.service_date),
            }
        key = self.env["timebank.interbank.key"]._current(peer.company_id)
        body = key._seal(payload)
        text = protocol.canonical(payload)
        msg_hash = protocol.chain_next(link.last_hash, text)
        self._guarded_write(
            {
                "request_body": body.decode(),
                "seq": link.last_seq + 1,
                "prev_hash": link.last_hash or "",
                "msg_hash": msg_hash,
            }
        )
        link._guarded_write({"last_seq": link.last_seq + 1, "last_hash": msg_hash})

    def _build_cancel(self):
        self.ensure_one()
        payload = self.peer_id._base_payload(protocol.CANCEL)
        payload.update(uuid=self.uuid, prepare=self.request_body)
        key = self.env["timebank.interbank.key"]._current(self.company_id)
        self._guarded_write({"cancel_body": key._seal(payload).decode()})

    def _retry_later(self, error):
        self.ensure_one()
        delay = min(10 * 2 ** min(self.attempts, 12), MAX_BACKOFF)
        self._guarded_write(
            {
                "attempts": self.attempts + 1,
                "last_error": error[:200],
                "next_try_at": fields.Datetime.now() + timedelta(seconds=delay),
            }
        )

    def _take_answer(self, status, body):
        """Settle the hold on the partner's signed answer. True when settled."""
        self.ensure_one()
        if self.state != "held":
            return True
        peer = self.peer_id
        if status is None:
            self._retry_later(
                _("no answer: %(error)s", error=body.decode(errors="replace"))
            )
            return False
        try:
            envelope, payload = protocol.open_envelope(body)
            protocol.verify(envelope, peer._public_key_for(envelope["key_id"]))
        except protocol.ProtocolError as error:
            self._retry_later(
                _(
                    "answer %(status)s not verified (%(code)s)",
                    status=status,
                    code=error.code,
                )
            )
            return False
        if payload.get("uuid") != self.uuid or payload.get("from") != peer.peer_code:
            self._retry_later(_("an answer about another message"))
            return False
        kind, code = payload.get("type"), payload.get("code")
        if kind == protocol.REFUSAL and code in LINK_CODES:
            self._retry_later(code)
            if code in (protocol.SEQ_GAP, protocol.CHAIN_MISMATCH):
                detail = _(
                    "%(peer)s refused message %(seq)s with %(code)s: the two chains "
                    "of the link disagree. The link is suspended until both banks "
                    "have compared their statements.",
                    peer=peer.name,
                    seq=self.seq,
                    code=code,
                )
                peer._chain_mismatch(detail)
            return False
        if payload.get("msg_hash") != self.msg_hash:
            self._retry_later(_("an answer about another version of the message"))
            return False
        if kind == protocol.RECEIPT:
            self._settle(body, payload)
        elif kind in (protocol.REFUSAL, protocol.CANCELLED):
            self._release(
                body,
                "cancelled" if kind == protocol.CANCELLED else "refused",
                code or protocol.CANCELLED_BEFORE,
            )
        else:
            self._retry_later(_("an answer of unknown type"))
            return False
        return True

    def _settle(self, body, payload):
        """Step 4: the partner committed; the minutes leave transit for clearing."""
        peer = self.peer_id
        credited = payload.get("credited")
        if not isinstance(credited, int) or isinstance(credited, bool):
            credited = self.credited
        entry = self._post_ledger(
            self.company_id,
            [
                (peer.transit_account_id, self.minutes, 0),
                (peer.clearing_account_id, 0, self.minutes),
            ],
            _(
                "Transfer to member %(number)s of %(peer)s (received)",
                number=self.payee_number,
                peer=peer.name,
            ),
            check_limits=False,
        )
        self._guarded_write(
            {
                "state": "committed",
                "answer_body": body.decode(),
                "credited": credited,
                "last_error": False,
                "entry_ids": [fields.Command.link(entry.id)],
            }
        )
        link = peer._link("out")
        link._guarded_write(
            {
                "committed_count": link.committed_count + 1,
                "committed_minutes": link.committed_minutes + credited,
            }
        )

    def _release(self, body, state, code):
        """The partner refused or cancelled: the minutes go back to the member."""
        peer = self.peer_id
        hold = self.entry_ids.filtered(lambda e: not e.reversed_entry_id)[:1]
        entry = self._post_ledger(
            self.company_id,
            [
                (peer.transit_account_id, self.minutes, 0),
                (self.member_id.account_id, 0, self.minutes),
            ],
            _(
                "Transfer to member %(number)s of %(peer)s returned",
                number=self.payee_number,
                peer=peer.name,
            ),
            reverses=hold,
            check_limits=False,
        )
        self._guarded_write(
            {
                "state": state,
                "answer_body": body.decode(),
                "refusal_code": code,
                "last_error": False,
                "entry_ids": [fields.Command.link(entry.id)],
            }
        )

    # ------------------------------------------------------------------ brokers
    def _check_broker(self):
        if not self.env.user.has_group("timebank_core.group_timebank_broker"):
            raise UserError(_("Only a broker retries or cancels a transfer."))
        foreign = self.filtered(lambda t: t.company_id not in self.env.user.company_ids)
        if foreign:
            raise UserError(_("You can only act on transfers of your own time banks."))
        if self.filtered(lambda t: t.state != "held" or t.direction != "out"):
            raise UserError(
                _("Only a sent transfer still in transit can be retried or cancelled.")
            )

    def action_retry(self):
        """Send the waiting message again now."""
        self._check_broker()
        registry = self.env.registry
        peer_ids = set(self.peer_id.ids)
        for transfer in self.sudo():
            transfer._guarded_write({"next_try_at": False})
        if not registry.in_test_mode():
            self.env.cr.postcommit.add(
                lambda: type(self)._dispatch_quietly(registry, peer_ids, force=True)
            )
        return True

    def action_cancel(self):
        """Ask the partner bank to cancel; its answer settles the transfer (it
        may have taken it already, then the transfer is done)."""
        self._check_broker()
        for transfer in self.sudo():
            transfer._guarded_write({"cancel_requested": True, "next_try_at": False})
        registry = self.env.registry
        peer_ids = set(self.peer_id.ids)
        if not registry.in_test_mode():
            self.env.cr.postcommit.add(
                lambda: type(self)._dispatch_quietly(registry, peer_ids, force=True)
            )
        return True

    @api.model
    def _cron_send(self):
        """Send again what waits for an answer (backoff) and cancel what expired."""
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT t.peer_id FROM timebank_interbank_transfer t "
                "JOIN timebank_peer p ON p.id = t.peer_id "
                "WHERE t.direction = 'out' AND t.state = 'held' AND p.mode = 'remote' "
                "AND (t.next_try_at IS NULL "
                "OR t.next_try_at <= now() at time zone 'utc')"
            )
        )
        peer_ids = [row[0] for row in self.env.cr.fetchall()]
        registry = self.env.registry
        if registry.in_test_mode():
            return
        self.env.cr.postcommit.add(
            lambda: type(self)._dispatch_quietly(registry, peer_ids)
        )

    # ------------------------------------------------------------------ receiving
    @api.model
    def _answer(self, company, peer_code, message_type, uuid_, msg_hash, **values):
        payload = {
            "version": protocol.VERSION,
            "type": message_type,
            "from": company.timebank_bank_code,
            "to": peer_code,
            "uuid": uuid_,
            "msg_hash": msg_hash,
            "created": int(time.time()),
        }
        payload.update(values)
        return self.env["timebank.interbank.key"]._current(company)._seal(payload)

    @api.model
    def _find_peer(self, payload):
        """(company, peer) the message is for, or raise UNKNOWN_PEER."""
        company = (
            self.env["res.company"]
            .sudo()
            .search([("timebank_bank_code", "=", payload.get("to") or "!")], limit=1)
        )
        if not company or not isinstance(payload.get("from"), str):
            raise protocol.ProtocolError(protocol.UNKNOWN_PEER, "no such bank here")
        peer = (
            self.env["timebank.peer"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("mode", "=", "remote"),
                    ("peer_code", "=", payload["from"]),
                ],
                limit=1,
            )
        )
        if not peer:
            raise protocol.ProtocolError(protocol.UNKNOWN_PEER, "no such partner")
        return company, peer

    @api.model
    def _receive(self, body, endpoint="message"):
        """Handle a message of a partner bank: (HTTP status, answer bytes)."""
        try:
            envelope, payload = protocol.open_envelope(body)
            company, peer = self._find_peer(payload)
            protocol.verify(envelope, peer._public_key_for(envelope["key_id"]))
        except protocol.ProtocolError as error:
            return 400, protocol.canonical({"error": error.code}).encode()
        control = self._receive_control(company, peer, endpoint, payload)
        if control:
            return control
        kind = payload.get("type")
        if endpoint != "message" or kind not in (protocol.PREPARE, protocol.CANCEL):
            return 400, protocol.canonical({"error": protocol.BAD_MESSAGE}).encode()
        link = peer._link("in")
        # one message of a link at a time; a concurrent copy waits here, then
        # is retried by Odoo and finds the stored answer
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_interbank_link WHERE id = %s FOR UPDATE",
                link.id,
            )
        )
        link.invalidate_recordset()
        known = self.sudo().search(
            [
                ("peer_id", "=", peer.id),
                ("direction", "=", "in"),
                ("uuid", "=", payload.get("uuid") or ""),
            ],
            limit=1,
        )
        if known:
            return 200, known.answer_body.encode()
        cancel = kind == protocol.CANCEL
        if cancel:
            try:
                inner_envelope, inner = protocol.open_envelope(
                    (payload.get("prepare") or "").encode()
                )
                protocol.verify(
                    inner_envelope, peer._public_key_for(inner_envelope["key_id"])
                )
            except protocol.ProtocolError as error:
                return 400, protocol.canonical({"error": error.code}).encode()
            if (
                inner.get("uuid") != payload.get("uuid")
                or inner.get("type") != protocol.PREPARE
            ):
                return 400, protocol.canonical({"error": protocol.BAD_MESSAGE}).encode()
            prepare, prepare_body = inner, payload["prepare"]
        else:
            prepare, prepare_body = payload, envelope and body.decode()
        problem = self._check_prepare_shape(prepare)
        if problem:
            return 400, protocol.canonical({"error": problem}).encode()
        text = protocol.canonical(prepare)
        msg_hash = protocol.chain_next(link.last_hash, text)
        chain = prepare["link"]
        if chain["seq"] != link.last_seq + 1 or chain["prev_hash"] != (
            link.last_hash or ""
        ):
            code = (
                protocol.SEQ_GAP
                if chain["seq"] != link.last_seq + 1
                else protocol.CHAIN_MISMATCH
            )
            detail = _(
                "%(peer)s sent message %(seq)s (previous %(prev)s) but the last one "
                "received is %(last)s (%(hash)s): %(code)s. The link is suspended "
                "until both banks have compared their statements.",
                peer=peer.name,
                seq=chain["seq"],
                prev=chain["prev_hash"][:12],
                last=link.last_seq,
                hash=(link.last_hash or "")[:12],
                code=code,
            )
            if peer.state == "accepted":
                peer._chain_mismatch(detail)
            return 409, self._answer(
                company,
                peer.peer_code,
                protocol.REFUSAL,
                prepare["uuid"],
                msg_hash,
                code=code,
                expected_seq=link.last_seq + 1,
            )
        vals = {
            "uuid": prepare["uuid"],
            "peer_id": peer.id,
            "company_id": company.id,
            "direction": "in",
            "payer_number": prepare["payer"]["member"],
            "payee_number": prepare["payee"]["member"],
            "minutes": prepare["minutes"],
            "seq": chain["seq"],
            "prev_hash": chain["prev_hash"],
            "msg_hash": msg_hash,
            "request_body": prepare_body,
            "expires_at": datetime.utcfromtimestamp(prepare["expires"]),
        }
        service = self._purpose_vals(prepare)
        vals.update(service)
        if cancel:
            code, payee, credited = protocol.CANCELLED_BEFORE, None, 0
        else:
            code, payee, credited = self._decide(peer, prepare)
        link_vals = {"last_seq": chain["seq"], "last_hash": msg_hash}
        if code:
            kind_out = protocol.CANCELLED if cancel else protocol.REFUSAL
            answer = self._answer(
                company, peer.peer_code, kind_out, prepare["uuid"], msg_hash, code=code
            )
            vals.update(
                state="cancelled" if cancel else "refused",
                refusal_code=code,
                member_id=payee.id if payee else False,
            )
        else:
            entry = self._post_ledger(
                company,
                [
                    (peer.clearing_account_id, credited, 0),
                    (payee.account_id, 0, credited),
                ],
                self._received_ref(peer, prepare, service),
            )
            answer = self._answer(
                company,
                peer.peer_code,
                protocol.RECEIPT,
                prepare["uuid"],
                msg_hash,
                credited=credited,
                seq=chain["seq"],
            )
            vals.update(
                state="committed",
                member_id=payee.id,
                credited=credited,
                entry_ids=[fields.Command.set(entry.ids)],
            )
            link_vals.update(
                committed_count=link.committed_count + 1,
                committed_minutes=link.committed_minutes + credited,
            )
        vals["answer_body"] = answer.decode()
        self._guarded_create([vals])
        link._guarded_write(link_vals)
        return 200, answer

    @api.model
    def _receive_control(self, company, peer, endpoint, payload):
        """(HTTP status, answer bytes) of a KEY or STATEMENT message, or None
        for a transfer message."""
        kind = payload.get("type")
        if kind in (protocol.KEY, protocol.STATEMENT) and not protocol.is_fresh(
            payload, int(time.time())
        ):
            # a copy of an old KEY or STATEMENT replayed: it must not bring a
            # former key back, nor suspend the link with figures of the past
            return 400, protocol.canonical({"error": protocol.STALE}).encode()
        if endpoint == "key" and kind == protocol.KEY:
            try:
                peer._take_new_key(payload.get("key_id"), payload.get("public_key"))
            except protocol.ProtocolError as error:
                return 400, protocol.canonical({"error": error.code}).encode()
            return 200, self._answer(company, peer.peer_code, "KEY_OK", "", "")
        if endpoint == "statement" and kind == protocol.STATEMENT:
            problems = peer._compare_statement(payload)
            if problems:
                peer._statement_mismatch(problems)
            answer = peer._statement_payload()
            answer.update(agree=not problems, problems=problems)
            key = self.env["timebank.interbank.key"]._current(company)
            return 200, key._seal(answer)
        return None

    @api.model
    def _check_prepare_shape(self, prepare):
        """A code when the PREPARE lacks what it must carry, else None."""
        try:
            ok = (
                isinstance(prepare.get("uuid"), str)
                and 0 < len(prepare["uuid"]) <= 64
                and isinstance(prepare["link"]["seq"], int)
                and isinstance(prepare["link"]["prev_hash"], str)
                and isinstance(prepare["payer"]["member"], str)
                and isinstance(prepare["payee"]["member"], str)
                and isinstance(prepare["minutes"], int)
                and not isinstance(prepare["minutes"], bool)
                and 0 < prepare["minutes"] <= 100_000_000
                and isinstance(prepare["created"], int)
                and isinstance(prepare["expires"], int)
                and 0 < prepare["expires"] < 2**40
                and self._check_purpose_shape(prepare.get("purpose"))
            )
        except (KeyError, TypeError, AttributeError):
            ok = False
        return None if ok else protocol.BAD_MESSAGE

    @api.model
    def _purpose_vals(self, prepare):
        """The purpose of a received PREPARE (absent: a gift of credits; one
        not understood is refused by ``_decide``)."""
        purpose = prepare.get("purpose")
        if not purpose or not self._purpose_known(purpose):
            return {"purpose": "gift"}
        return {
            "purpose": "service",
            "service_date": fields.Date.to_date(prepare["purpose"]["date"]),
        }

    @api.model
    def _received_ref(self, peer, prepare, service):
        """The payee bank's ledger text of a received transfer."""
        number = prepare["payer"]["member"]
        if service["purpose"] == "service":
            return self._service_ref("in", number, peer, service)
        return _(
            "Transfer from member %(number)s of %(peer)s", number=number, peer=peer.name
        )

    @api.model
    def _check_purpose_shape(self, purpose):
        """The optional purpose of a PREPARE is absent (a gift of credits) or
        an object; what it says is decided by ``_purpose_known``."""
        return purpose is None or isinstance(purpose, dict)

    @api.model
    def _purpose_known(self, purpose):
        """A payment for a service carries its code and the service's date only."""
        if purpose is None:
            return True
        try:
            return (
                set(purpose) == {"code", "date"}
                and purpose["code"] == protocol.PURPOSE_SERVICE
                and isinstance(purpose["date"], str)
                and len(purpose["date"]) == 10
                and bool(fields.Date.to_date(purpose["date"]))
            )
        except ValueError:
            return False

    @api.model
    def _decide(self, peer, prepare):
        """(refusal code or None, payee member, credited minutes) of a PREPARE
        whose place in the chain is right."""
        now = int(time.time())
        if peer.state != "accepted":
            return protocol.PEER_SUSPENDED, None, 0
        if prepare["created"] > now + protocol.CLOCK_SKEW:
            return protocol.FUTURE, None, 0
        if prepare["expires"] <= now:
            return protocol.STALE, None, 0
        if not self._purpose_known(prepare.get("purpose")):
            return protocol.PURPOSE_UNKNOWN, None, 0
        if prepare["payee"].get("bank") != peer.company_id.timebank_bank_code:
            return protocol.PAYEE_UNKNOWN, None, 0
        payee = (
            self.env["timebank.member"]
            .sudo()
            .search(
                [
                    ("company_id", "=", peer.company_id.id),
                    ("number", "=", prepare["payee"]["member"]),
                ],
                limit=1,
            )
        )
        if not payee:
            return protocol.PAYEE_UNKNOWN, None, 0
        if payee.state != "active":
            return protocol.PAYEE_INACTIVE, payee, 0
        credited = peer._convert(prepare["minutes"])
        if credited is None:
            return protocol.RATE_INEXACT, payee, 0
        balances = peer._lock_accounts(peer.clearing_account_id)
        if -(balances[peer.clearing_account_id.id] - credited) > peer.limit_we_owe:
            return protocol.LIMIT_EXCEEDED, payee, 0
        return None, payee, credited
