"""Encryption of secrets at rest (payee tax ids and accounts, social network tokens).

Keys come from `settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS`, Fernet keys newest first. New values
are encrypted with the newest key; any listed key decrypts, so a key can be rotated by putting a
new one in front and re-encrypting with `rotate()` before the old one is removed.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "CROWDSTUDIO_FIELD_ENCRYPTION_KEYS", []))
    if not keys:
        raise ImproperlyConfigured("CROWDSTUDIO_FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text; raises ValueError if no configured key can read it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError(
            "This value was encrypted with a key that is no longer configured."
        ) from error


def rotate(token: str) -> str:
    """The same value encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode()
