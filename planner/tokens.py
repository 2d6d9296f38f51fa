"""Unguessable link tokens (shared lists, calendar and news feeds): one rule for making,
storing and checking them. 32 random bytes (256 bits); the database keeps the token and an
indexed SHA-256 digest to find it by, and the stored token is compared in constant time."""

import datetime
import hashlib
import hmac
import re
import secrets

from django.core import signing

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new() -> tuple[str, str]:
    """A fresh token and its digest."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def well_formed(token: str) -> bool:
    return bool(TOKEN_SHAPE.match(token))


def same(stored: str, given: str) -> bool:
    return bool(stored) and hmac.compare_digest(stored, given)


def find(rows, token: str, name: str = "feed"):
    """The row of `rows` whose `<name>_token` is `token` (found by `<name>_digest`), or None
    for a malformed, unknown or revoked token."""
    if not well_formed(token):
        return None
    row = rows.filter(**{f"{name}_digest": digest(token)}).first()
    if row is None or not same(getattr(row, f"{name}_token"), token):
        return None
    return row


# Signed links (an email's confirm and unsubscribe links): nothing stored, the signature
# is the key. Each purpose is its own salt, so one link never works as another.
def signed(purpose: str, value: dict) -> str:
    return signing.dumps(value, salt=f"planner.{purpose}", compress=True)


def unsigned(purpose: str, token: str, max_age: datetime.timedelta | None = None) -> dict | None:
    """The value signed for `purpose`, or None for a forged, altered or expired link."""
    try:
        value = signing.loads(token, salt=f"planner.{purpose}", max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return value if isinstance(value, dict) else None
