"""Master keys for field encryption and the key for blind indexes, both from settings.

Neither is derived from SECRET_KEY: rotating the session secret must not touch survivor data,
and leaking one key must not give away the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """Ciphertext that no configured key opens. Never answered with the ciphertext itself."""


def master() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a malformed key.") from exc


def encrypt_with(fernet: Fernet | MultiFernet, plaintext: str) -> str:
    return fernet.encrypt(plaintext.encode()).decode("ascii")


def decrypt_with(fernet: Fernet | MultiFernet, token: str) -> str:
    try:
        return fernet.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise DecryptionError(
            "A stored value could not be decrypted with the configured keys."
        ) from exc


def new_fernet_key() -> str:
    return Fernet.generate_key().decode("ascii")


def normalise(value: str) -> str:
    """Normalised form for exact matching: case, accents, spaces and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    kept = (ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in kept if ch.isalnum())


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed HMAC-SHA256 of the normalised value, separated by purpose.

    Equal inputs give equal indexes, so exact-match lookups work; without the key nothing can be
    learned or guessed offline from the index.
    """
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is empty.")
    message = purpose.encode() + b"\x00" + normalise(value).encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()
