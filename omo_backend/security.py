"""Secrets: random tokens stored as SHA-256, PINs and passwords hashed with argon2."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Enrollment codes are typed by hand: no 0/O, 1/I/L.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token; 16 bytes is the 128 bits a link needs at least."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    # Tokens are long and random, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_enrollment_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}"


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
