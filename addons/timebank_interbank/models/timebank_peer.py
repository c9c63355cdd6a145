import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from . import protocol

_logger = logging.getLogger(__name__)

# What may change only while the link is not accepted: who the peer is.
IDENTITY_FIELDS = {
    "company_id",
    "mode",
    "peer_code",
    "url",
    "peer_key_id",
    "peer_public_key",
    "local_company_id",
    "rate_ours",
    "rate_theirs",
}


class TimebankPeer(models.Model):
    """An agreement between this time bank and another one."""

    _name = "timebank.peer"
    _description = "Peer Bank"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.guarded.mixin"]
    _check_company_auto = True
    _order = "company_id, name"
    _guarded_fields = (
        "state",
        "transit_account_id",
        "clearing_account_id",
        "link_ids",
        "old_key_ids",
        "suspended_reason",
    )

    name = fields.Char(required=True, help="The partner bank, as our members know it.")
    company_id = fields.Many2one(
        "res.company",
        string="Time Bank",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("accepted", "Accepted"),
            ("suspended", "Suspended"),
        ],
        required=True,
        readonly=True,
        default="proposed",
        tracking=True,
        index=True,
    )
    mode = fields.Selection(
        [
            ("local", "In this database"),
            ("remote", "Another server"),
        ],
        required=True,
        default="remote",
        help="A partner bank kept in this same database (another company) posts "
        "both sides in one transaction; one on another server is reached by "
        "signed messages.",
    )
    local_company_id = fields.Many2one(
        "res.company",
        string="Partner Bank (here)",
        help="The partner bank when it lives in this database.",
    )
    peer_code = fields.Char(
        string="Partner Bank Code", help="The bank code the partner bank gave us."
    )
    url = fields.Char(
        string="Address", help="Base address of the partner bank's Odoo server."
    )
    peer_key_id = fields.Char(string="Partner Key Id")
    peer_public_key = fields.Char(
        string="Partner Public Key",
        help="The Ed25519 public key of the partner bank (base64), as its admin "
        "gave it. Compare the fingerprint with theirs by phone or in person.",
    )
    peer_fingerprint = fields.Char(
        string="Partner Fingerprint", compute="_compute_fingerprints"
    )
    own_code = fields.Char(
        string="Our Bank Code", related="company_id.timebank_bank_code"
    )
    own_key_id = fields.Char(string="Our Key Id", compute="_compute_fingerprints")
    own_public_key = fields.Char(
        string="Our Public Key", compute="_compute_fingerprints"
    )
    own_fingerprint = fields.Char(
        string="Our Fingerprint", compute="_compute_fingerprints"
    )
    old_key_ids = fields.One2many(
        "timebank.peer.key", "peer_id", string="Former Partner Keys", readonly=True
    )
    rate_ours = fields.Integer(
        string="Our Minutes",
        default=1,
        help="Exchange rate: this many of our minutes ...",
    )
    rate_theirs = fields.Integer(
        string="Their Minutes",
        default=1,
        help="... are worth this many minutes of the partner bank.",
    )
    limit_they_owe = fields.Integer(
        string="They May Owe Us",
        default=6000,
        help="Trust limit: how far the partner bank may owe us, in minutes. "
        "Transfers from our members stop there.",
    )
    limit_we_owe = fields.Integer(
        string="We May Owe Them",
        default=6000,
        help="Trust limit: how far we may owe the partner bank, in minutes. "
        "Transfers to our members stop there.",
    )
    validity_seconds = fields.Integer(
        string="Message Validity (s)",
        default=3600,
        help="How long a transfer waits for the partner bank's answer before it "
        "is cancelled and the minutes go back to the member.",
    )
    transit_account_id = fields.Many2one(
        "timebank.account", readonly=True, check_company=True, copy=False
    )
    clearing_account_id = fields.Many2one(
        "timebank.account", readonly=True, check_company=True, copy=False
    )
    balance_of_trade = fields.Integer(
        string="Balance of Trade",
        compute="_compute_balances",
        help="What the partner bank owes us (positive) or we owe it (negative), "
        "in minutes: the balance of the clearing account.",
    )
    in_flight = fields.Integer(
        string="In Transit",
        compute="_compute_balances",
        help="Minutes our members sent that the partner bank has not answered yet.",
    )
    trade_use = fields.Integer(string="Use of Trust (%)", compute="_compute_balances")
    link_ids = fields.One2many("timebank.interbank.link", "peer_id", readonly=True)
    transfer_ids = fields.One2many("timebank.interbank.transfer", "peer_id")
    suspended_reason = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "rate_positive",
            "CHECK (rate_ours > 0 AND rate_theirs > 0)",
            "An exchange rate is two positive whole numbers of minutes.",
        ),
        (
            "limits_positive",
            "CHECK (limit_they_owe >= 0 AND limit_we_owe >= 0)",
            "A trust limit is zero or more minutes.",
        ),
        (
            "validity_min",
            "CHECK (validity_seconds >= 10)",
            "A message stays valid at least 10 seconds.",
        ),
    ]

    @api.depends("peer_public_key", "company_id")
    def _compute_fingerprints(self):
        keys = self.env["timebank.interbank.key"]
        for peer in self:
            key = keys._current(peer.company_id) if peer.company_id else keys
            peer.own_key_id = key.key_id
            peer.own_public_key = key.public_key
            peer.own_fingerprint = key.fingerprint
            try:
                peer.peer_fingerprint = (
                    protocol.fingerprint(peer.peer_public_key)
                    if peer.peer_public_key
                    else False
                )
            except ValueError:
                peer.peer_fingerprint = _("not a valid key")

    @api.depends("transit_account_id.balance", "clearing_account_id.balance")
    def _compute_balances(self):
        for peer in self:
            transit = peer.transit_account_id.sudo().balance
            clearing = peer.clearing_account_id.sudo().balance
            peer.in_flight = transit
            peer.balance_of_trade = clearing
            if clearing >= 0:
                limit = peer.limit_they_owe
                used = clearing + transit
            else:
                limit = peer.limit_we_owe
                used = -clearing
            peer.trade_use = round(100 * used / limit) if limit else 0

    @api.constrains("peer_public_key")
    def _check_peer_public_key(self):
        for peer in self.filtered("peer_public_key"):
            try:
                protocol.check_public_key(peer.peer_public_key)
            except protocol.ProtocolError as error:
                raise ValidationError(
                    _(
                        "%(peer)s: the public key is not an Ed25519 public key in "
                        "base64 (44 characters, as the partner bank shows it).",
                        peer=peer.name,
                    )
                ) from error

    @api.constrains("mode", "local_company_id", "company_id")
    def _check_local_company(self):
        for peer in self:
            if peer.mode == "local" and peer.local_company_id == peer.company_id:
                raise ValidationError(
                    _("%(peer)s: a bank is not its own partner bank.", peer=peer.name)
                )

    # ------------------------------------------------------------------ CRUD
    def _guarded_hint(self):
        return _(
            "The state of a link moves only by its buttons (accept, suspend), and "
            "its accounts and chains are kept by the transfers."
        )

    @api.model_create_multi
    def create(self, vals_list):
        peers = super().create(vals_list)
        Account = self.env["timebank.account"].sudo()
        for peer in peers:
            accounts = Account._guarded_create(
                [
                    {
                        "name": _("Transit: %(peer)s", peer=peer.name),
                        "type": "peer_transit",
                        "company_id": peer.company_id.id,
                        "peer_id": peer.id,
                    },
                    {
                        "name": _("Clearing: %(peer)s", peer=peer.name),
                        "type": "peer_clearing",
                        "company_id": peer.company_id.id,
                        "peer_id": peer.id,
                    },
                ]
            )
            self.env["timebank.interbank.link"].sudo()._guarded_create(
                [
                    {"peer_id": peer.id, "direction": "out"},
                    {"peer_id": peer.id, "direction": "in"},
                ]
            )
            peer.sudo()._guarded_write(
                {
                    "transit_account_id": accounts[0].id,
                    "clearing_account_id": accounts[1].id,
                }
            )
        return peers

    def write(self, vals):
        if not self._guarded_allowed() and IDENTITY_FIELDS & set(vals):
            accepted = self.filtered(lambda p: p.state == "accepted")
            if accepted:
                raise UserError(
                    _(
                        "%(peer)s is accepted: who the partner bank is (its code, "
                        "address, key, the rate) cannot change while transfers "
                        "run. Suspend the link first.",
                        peer=accepted[0].name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.filtered(lambda p: p.state != "proposed" or p.transfer_ids)
        if used:
            raise UserError(
                _(
                    "%(peer)s has been accepted or has transfers: a link is never "
                    "deleted, suspend it instead.",
                    peer=used[0].name,
                )
            )

    # ------------------------------------------------------------------ actions
    def _check_manager(self):
        if not self.env.user.has_group("timebank_core.group_timebank_manager"):
            raise UserError(
                _("Only a manager of the time bank accepts or suspends a link.")
            )

    def action_accept(self):
        self._check_manager()
        for peer in self:
            if peer.state == "accepted":
                continue
            if peer.mode == "remote" and not (
                peer.url
                and peer.peer_code
                and peer.peer_key_id
                and peer.peer_public_key
            ):
                raise UserError(
                    _(
                        "%(peer)s: enter the partner bank's address, bank code, key "
                        "id and public key (and compare the fingerprint) before "
                        "accepting.",
                        peer=peer.name,
                    )
                )
            if peer.mode == "local" and not peer.local_company_id:
                raise UserError(_("%(peer)s: choose the partner bank.", peer=peer.name))
            peer._guarded_write({"state": "accepted", "suspended_reason": False})
        return True

    def action_suspend(self):
        self._check_manager()
        self._suspend(_("Suspended by %(user)s.", user=self.env.user.name))
        return True

    def _suspend(self, reason):
        for peer in self.sudo():
            peer._guarded_write({"state": "suspended", "suspended_reason": reason})
            peer.message_post(body=reason)
        return True

    def _alert_managers(self, summary, note):
        """A to-do for a manager of the bank: what needs a person (a dispute)."""
        group = self.env.ref("timebank_core.group_timebank_manager")
        for peer in self.sudo():
            manager = group.users.filtered(
                lambda u, p=peer: p.company_id in u.company_ids and not u.share
            )[:1]
            if manager:
                peer.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=note,
                    user_id=manager.id,
                )

    def action_rotate_key(self):
        """A new signing key for our bank, announced to every accepted partner
        bank, signed with the old one."""
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                _("Only an administrator rotates the signing key of the time bank.")
            )
        companies = self.company_id
        Key = self.env["timebank.interbank.key"].sudo()
        for company in companies:
            old = Key._current(company)
            new = Key._make_key(company)
            peers = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("mode", "=", "remote"),
                    ("state", "=", "accepted"),
                ]
            )
            for peer in peers:
                peer._announce_key(old, new)
        return True

    def _announce_key(self, old, new):
        self.ensure_one()
        payload = self._base_payload(protocol.KEY)
        payload.update(key_id=new.key_id, public_key=new.public_key)
        body = old._seal(payload)
        status, answer = self.env["timebank.interbank.transfer"]._http_post(
            self, "key", body
        )
        if status != 200:
            raise UserError(
                _(
                    "%(peer)s did not take our new key (%(answer)s): it keeps "
                    "verifying with the old one until it does; try again.",
                    peer=self.name,
                    answer=answer[:200] if answer else _("no answer"),
                )
            )

    def _base_payload(self, message_type):
        self.ensure_one()
        return {
            "version": protocol.VERSION,
            "type": message_type,
            "from": self.company_id.timebank_bank_code,
            "to": self.peer_code,
            "created": int(time.time()),
            "nonce": protocol.new_nonce(),
        }

    def _link(self, direction):
        self.ensure_one()
        return self.link_ids.filtered(lambda link: link.direction == direction)

    def _public_key_for(self, key_id):
        """The partner's public key named ``key_id`` (current or former)."""
        self.ensure_one()
        if key_id == self.peer_key_id:
            return self.peer_public_key
        old = self.old_key_ids.filtered(lambda k: k.key_id == key_id)[:1]
        if not old:
            raise protocol.ProtocolError(protocol.UNKNOWN_KEY, key_id)
        return old.public_key

    def _take_new_key(self, key_id, public_key):
        """The partner rotated its key (a KEY message signed with its old key)."""
        self.ensure_one()
        protocol.check_public_key(public_key)
        if key_id == self.peer_key_id:
            return
        former = self.old_key_ids.mapped("key_id")
        if not isinstance(key_id, str) or not key_id or key_id in former:
            # a former key never becomes current again
            raise protocol.ProtocolError(protocol.UNKNOWN_KEY, str(key_id))
        self.env["timebank.peer.key"].sudo()._guarded_create(
            [
                {
                    "peer_id": self.id,
                    "key_id": self.peer_key_id,
                    "public_key": self.peer_public_key,
                }
            ]
        )
        self.sudo()._guarded_write(
            {"peer_key_id": key_id, "peer_public_key": public_key}
        )
        self.message_post(
            body=_(
                "The partner bank rotated its key: %(key)s, fingerprint %(fp)s.",
                key=key_id,
                fp=protocol.fingerprint(public_key),
            )
        )

    def _mirror(self):
        """The agreement of the partner bank with us, for a link in this database."""
        self.ensure_one()
        return self.sudo().search(
            [
                ("company_id", "=", self.local_company_id.id),
                ("mode", "=", "local"),
                ("local_company_id", "=", self.company_id.id),
            ],
            limit=1,
        )

    def _lock_accounts(self, accounts):
        """Lock these accounts (in id order) and return their locked balances."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, balance FROM timebank_account WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                tuple(accounts.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _convert(self, minutes):
        """Their minutes in ours, or None when the rate leaves a fraction."""
        self.ensure_one()
        value = minutes * self.rate_ours
        if value % self.rate_theirs:
            return None
        return value // self.rate_theirs

    def _convert_out(self, minutes):
        """Our minutes in theirs, or None when the rate leaves a fraction."""
        self.ensure_one()
        value = minutes * self.rate_theirs
        if value % self.rate_ours:
            return None
        return value // self.rate_ours

    # ------------------------------------------------------------------ statements
    def check_statement(self):
        """Exchange the signed link statement with the partner bank and compare.

        :return: {peer id: {"agree": bool, "detail": text}}
        """
        self._check_manager()
        return {peer.id: peer.sudo()._exchange_statement() for peer in self}

    def action_check_statement(self):
        results = self.check_statement()
        bad = [r["detail"] for r in results.values() if not r["agree"]]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Link statement"),
                "message": "\n".join(bad) if bad else _("Both banks agree."),
                "type": "danger" if bad else "success",
                "sticky": bool(bad),
            },
        }

    def _statement_payload(self):
        self.ensure_one()
        payload = self._base_payload(protocol.STATEMENT)
        payload.update(
            out=self._link("out")._statement(),
            **{"in": self._link("in")._statement()},
        )
        held = self.env["timebank.interbank.transfer"]._in_flight(self)
        payload["in_flight"] = (
            {"seq": held.seq, "prev_hash": held.prev_hash, "minutes": held.credited}
            if held
            else None
        )
        return payload

    def _compare_statement(self, theirs):
        """Problems between our heads and the partner's statement (a list)."""
        self.ensure_one()
        ours = self._statement_payload()
        problems = []
        for mine, label_mine, other, flight in (
            (ours["out"], "out", theirs.get("in") or {}, ours["in_flight"]),
            (ours["in"], "in", theirs.get("out") or {}, theirs.get("in_flight")),
        ):
            if label_mine == "out":
                sent, received = mine, other
            else:
                sent, received = other, mine
            if sent.get("last_seq") == received.get("last_seq"):
                if sent.get("last_hash") != received.get("last_hash"):
                    problems.append(
                        _("message %(seq)s differs", seq=sent.get("last_seq"))
                    )
                    continue
                diff_count = received.get("count", 0) - sent.get("count", 0)
                diff_minutes = received.get("minutes", 0) - sent.get("minutes", 0)
                flight_ok = (
                    flight
                    and flight.get("seq") == sent.get("last_seq")
                    and diff_count == 1
                )
                if (diff_count or diff_minutes) and not flight_ok:
                    problems.append(
                        _(
                            "the sender counts %(sc)s transfers (%(sm)s minutes), "
                            "the receiver %(rc)s (%(rm)s minutes)",
                            sc=sent.get("count"),
                            sm=sent.get("minutes"),
                            rc=received.get("count"),
                            rm=received.get("minutes"),
                        )
                    )
            elif not (
                flight
                and sent.get("last_seq") == received.get("last_seq", 0) + 1
                and flight.get("prev_hash") == (received.get("last_hash") or "")
            ):
                problems.append(
                    _(
                        "the sender is at message %(sent)s, the receiver at "
                        "%(received)s",
                        sent=sent.get("last_seq"),
                        received=received.get("last_seq"),
                    )
                )
        return problems

    def _statement_mismatch(self, problems):
        detail = _(
            "The link statement with %(peer)s does not agree: %(problems)s. The "
            "link is suspended until the two banks have resolved it.",
            peer=self.name,
            problems="; ".join(problems),
        )
        self._suspend(detail)
        self._alert_managers(_("Link statement mismatch"), detail)
        return detail

    def _chain_mismatch(self, detail):
        """A message out of sequence or off the chain of the link (SEQ_GAP,
        CHAIN_MISMATCH, received or answered): the link is suspended and a
        manager gets a to-do."""
        self._suspend(detail)
        self._alert_managers(_("Link chains disagree"), detail)
        return detail

    def _exchange_statement(self):
        self.ensure_one()
        if self.mode == "local":
            return {"agree": True, "detail": _("A link in this database.")}
        key = self.env["timebank.interbank.key"]._current(self.company_id)
        body = key._seal(self._statement_payload())
        status, answer = self.env["timebank.interbank.transfer"]._http_post(
            self, "statement", body
        )
        if status != 200:
            return {
                "agree": False,
                "detail": _(
                    "%(peer)s did not answer the statement (%(answer)s).",
                    peer=self.name,
                    answer=(answer or b"").decode(errors="replace")[:200]
                    or _("no answer"),
                ),
            }
        try:
            envelope, theirs = protocol.open_envelope(answer)
            protocol.verify(envelope, self._public_key_for(envelope["key_id"]))
        except protocol.ProtocolError as error:
            return {
                "agree": False,
                "detail": _(
                    "%(peer)s answered a statement we cannot verify (%(code)s).",
                    peer=self.name,
                    code=error.code,
                ),
            }
        if theirs.get("agree") is False:
            # the partner found a mismatch on its side: it suspended the link
            return {
                "agree": False,
                "detail": self._statement_mismatch(theirs.get("problems") or ["?"]),
            }
        problems = self._compare_statement(theirs)
        if problems:
            return {"agree": False, "detail": self._statement_mismatch(problems)}
        return {"agree": True, "detail": _("Both banks agree.")}

    @api.model
    def _cron_statements(self):
        for peer in self.sudo().search(
            [("mode", "=", "remote"), ("state", "=", "accepted")]
        ):
            try:
                result = peer._exchange_statement()
            except Exception:
                _logger.exception("Link statement with %s failed", peer.name)
                continue
            if not result["agree"]:
                _logger.warning(
                    "Link statement with %s: %s", peer.name, result["detail"]
                )
