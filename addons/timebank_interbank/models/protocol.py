"""The wire format of transfers between time banks (level 1).

Pure functions, no ORM: what both banks must compute the same way.

A message is canonical JSON: sorted keys, no spaces, UTF-8, integers only (no
floats). An envelope carries the canonical payload as text, the key id and an
Ed25519 signature over the payload's bytes. Each direction of a link is a chain:
``hash = sha256(prev_hash | payload)``.
"""

import base64
import hashlib
import json
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

VERSION = 1
# Message types
PREPARE = "PREPARE"
CANCEL = "CANCEL"
RECEIPT = "RECEIPT"
REFUSAL = "REFUSAL"
CANCELLED = "CANCELLED"
STATEMENT = "STATEMENT"
KEY = "KEY"
# Purposes of a PREPARE (its optional ``purpose`` field: {code, date}); a
# PREPARE without it is a gift of credits, as every message before the field.
PURPOSE_SERVICE = "SERVICE"
# Refusal codes
BAD_SIGNATURE = "BAD_SIGNATURE"
BAD_MESSAGE = "BAD_MESSAGE"
UNKNOWN_PEER = "UNKNOWN_PEER"
UNKNOWN_KEY = "UNKNOWN_KEY"
PEER_SUSPENDED = "PEER_SUSPENDED"
SEQ_GAP = "SEQ_GAP"
CHAIN_MISMATCH = "CHAIN_MISMATCH"
STALE = "STALE"
FUTURE = "FUTURE"
PAYEE_UNKNOWN = "PAYEE_UNKNOWN"
PAYEE_INACTIVE = "PAYEE_INACTIVE"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
RATE_INEXACT = "RATE_INEXACT"
CANCELLED_BEFORE = "CANCELLED_BEFORE"
PURPOSE_UNKNOWN = "PURPOSE_UNKNOWN"
# How far ahead of our clock a message may be dated, in seconds.
CLOCK_SKEW = 300
# How long a KEY or STATEMENT message is good for, in seconds: an older copy
# replayed later is refused (a transfer message carries its own expiry).
CONTROL_WINDOW = 900


def is_fresh(payload, now):
    """Whether a KEY or STATEMENT message is dated within the window."""
    created = payload.get("created")
    return (
        isinstance(created, int)
        and not isinstance(created, bool)
        and now - CONTROL_WINDOW <= created <= now + CLOCK_SKEW
    )


class ProtocolError(Exception):
    """A message that cannot be read or verified; ``code`` says why."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _check_value(value):
    if isinstance(value, float):
        raise ProtocolError(BAD_MESSAGE, "floats are not allowed")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProtocolError(BAD_MESSAGE, "keys are strings")
            _check_value(item)
    elif isinstance(value, list):
        for item in value:
            _check_value(item)
    elif not (value is None or isinstance(value, bool | int | str)):
        raise ProtocolError(BAD_MESSAGE, f"unsupported value {type(value).__name__}")


def canonical(payload):
    """The canonical text of a payload (sorted keys, no spaces, integers only)."""
    _check_value(payload)
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def chain_next(prev_hash, payload_text):
    """Hash of a message in its link direction's chain."""
    return hashlib.sha256(f"{prev_hash or ''}|{payload_text}".encode()).hexdigest()


def new_nonce():
    return secrets.token_hex(16)


# ---------------------------------------------------------------------- keys
def generate_key():
    """(private key PEM text, public key base64 text) of a new Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, public_of(pem)


def public_of(private_pem):
    private = serialization.load_pem_private_key(private_pem.encode(), None)
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def load_public(public_b64):
    try:
        raw = base64.b64decode(public_b64 or "", validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as error:
        raise ProtocolError(UNKNOWN_KEY, "not an Ed25519 public key") from error


def fingerprint(public_b64):
    """What two admins compare out of band: sha256 of the raw key, in groups."""
    digest = hashlib.sha256(base64.b64decode(public_b64 or "")).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4)).upper()


def check_public_key(public_b64):
    load_public(public_b64)
    return True


# ---------------------------------------------------------------------- envelopes
def seal(payload, key_id, private_pem):
    """The envelope (bytes) of a payload signed with our key."""
    text = canonical(payload)
    private = serialization.load_pem_private_key(private_pem.encode(), None)
    signature = base64.b64encode(private.sign(text.encode())).decode()
    envelope = {"key_id": key_id, "payload": text, "signature": signature}
    return canonical(envelope).encode()


def open_envelope(body):
    """(envelope dict, payload dict) of a body, not verified yet."""
    try:
        envelope = json.loads(body)
        if not isinstance(envelope, dict) or set(envelope) != {
            "key_id",
            "payload",
            "signature",
        }:
            raise ValueError("not an envelope")
        payload = json.loads(envelope["payload"])
        if not isinstance(payload, dict):
            raise ValueError("payload is not an object")
        if canonical(payload) != envelope["payload"]:
            raise ValueError("payload is not canonical")
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise ProtocolError(BAD_MESSAGE, str(error)) from error
    if payload.get("version") != VERSION:
        raise ProtocolError(BAD_MESSAGE, "unknown version")
    return envelope, payload


def verify(envelope, public_b64):
    """Raise ProtocolError unless the envelope is signed by that key."""
    key = load_public(public_b64)
    try:
        signature = base64.b64decode(envelope["signature"], validate=True)
        key.verify(signature, envelope["payload"].encode())
    except (InvalidSignature, ValueError) as error:
        raise ProtocolError(BAD_SIGNATURE, "the signature does not match") from error
