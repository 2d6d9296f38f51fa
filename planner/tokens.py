"""Unguessable link tokens (shared lists, calendar feeds): one rule for making, storing
and checking them. 32 random bytes (256 bits); the database keeps the token and an
indexed SHA-256 digest to find it by, and the stored token is compared in constant time."""

import hashlib
import hmac
import re
import secrets

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
