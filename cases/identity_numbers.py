"""Identity-document numbers (the passport number the visa needs), encrypted at rest (brief §7.1).

The number is stored only as a Fernet token under the keys of ``ITINERA_FIELD_KEYS`` (the first
encrypts, every one decrypts: ``MultiFernet``), so that a copy of the database alone does not
reveal it, and a keyed hash (HMAC-SHA256 under ``ITINERA_LOOKUP_KEY``) finds a person by number
without decrypting every row. ``cases.services.identity_numbers_rotate`` re-encrypts every
token under the first key once a new one is put in front; the old key can then be removed.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

# A passport number: letters and digits, at most this long once spaces are taken out.
NUMBER_MAX_LENGTH = 20


def number_normalise(number: str) -> str:
    """How a number is compared: "ab 12-34 567" and "AB1234567" are the same passport."""
    return "".join(character for character in number.upper() if character.isalnum())


def passport_number_clean(number: str) -> str:
    """The number as stored, or ``ValidationError`` for what cannot be a passport number."""
    normalised = number_normalise(number)
    if number.strip() and not 5 <= len(normalised) <= NUMBER_MAX_LENGTH:
        raise ValidationError(
            _("A passport number has 5 to %(max)d letters and digits.") % {"max": NUMBER_MAX_LENGTH}
        )
    return normalised


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"ITINERA_FIELD_KEYS: not a list of Fernet keys ({error})") from None


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.ITINERA_FIELD_KEYS))


def under_current_key(token: str) -> bool:
    """Whether ``token`` is already encrypted under the first key (rotation leaves it alone)."""
    try:
        _cipher(tuple(settings.ITINERA_FIELD_KEYS[:1])).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def number_encrypt(number: str) -> str:
    return cipher().encrypt(number.encode()).decode() if number else ""


def number_decrypt(token: str) -> str:
    """The number, or "" when there is none; a token no key opens is a configuration error."""
    if not token:
        return ""
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An identity-document number cannot be decrypted with ITINERA_FIELD_KEYS: "
            "was a key removed before the numbers were rotated?"
        ) from None


def number_lookup_hash(number: str) -> str:
    """The keyed hash a number is found by; empty for no number."""
    normalised = number_normalise(number)
    if not normalised:
        return ""
    return hmac.new(settings.ITINERA_LOOKUP_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()
