"""Secrets: random tokens stored as SHA-256, PINs and passwords hashed with argon2."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A 6-digit PIN is guarded by the lockout, not by hash cost; lighter settings (OWASP's
# minimum for argon2id) keep a log-in at a few MB instead of 64.
_pin_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Each argon2 call holds its memory while it runs: cap how many run at once.
_argon2_slots = threading.BoundedSemaphore(4)

# Enrollment codes are typed by hand: no 0/O, 1/I/L.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token; 16 bytes is the 128 bits a link needs at least."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    # Tokens are long and random, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


# An integration key: "omo_", 8 hex digits (the prefix lists show), "_", then the secret.
API_KEY_PREFIX_LENGTH = 12


def new_api_key() -> str:
    """A new integration API key; stored as ``hash_token`` of it, shown once."""
    return f"omo_{secrets.token_hex(4)}_{new_token()}"


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_enrollment_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}"


def hash_secret(secret: str) -> str:
    """A customer's password."""
    with _argon2_slots:
        return _hasher.hash(secret)


def hash_pin(pin: str) -> str:
    with _argon2_slots:
        return _pin_hasher.hash(pin)


@functools.cache
def dummy_pin_hash() -> str:
    """A PIN hash nobody knows the PIN of, made like every PIN's: an unknown staff code is
    checked against it, so it costs the same time as a known one."""
    return hash_pin(new_token())


def verify_secret(secret_hash: str, secret: str) -> bool:
    """Checks a password or a PIN: the hash names its own parameters."""
    try:
        with _argon2_slots:
            return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
