"""Search of cases by what people type: a name with or without its accents, in Latin or
Arabic script, an e-mail, a phone number or a reference.

Each case keeps ``search_text``: its reference and its participant's names and contacts,
normalised once when they are written (lower case, accents and Arabic diacritics removed,
the phone's digits also run together). A query is normalised the same way and every
word must occur in it. On PostgreSQL a trigram index serves these substring matches
(migration ``0010``); elsewhere they scan the column, which is fine for a small database.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

# Longer input is not a search anyone types: refused before it reaches the database.
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 8


def search_normalise(text: str) -> str:
    """``text`` as search compares it: "Chraïbi" and "CHRAIBI" both become "chraibi"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def case_search_text(case) -> str:
    person = case.participant
    digits = "".join(c for c in person.phone if c.isdigit())
    parts = [case.reference, person.given_names, person.family_name, person.name_in_arabic, person.email,
             person.phone, digits]
    return search_normalise(" ".join(part for part in parts if part))


def participant_search_refresh(participant) -> None:
    """Keep the search text of ``participant``'s cases after their details changed."""
    for case in participant.cases.select_related("participant"):
        type(case).objects.filter(pk=case.pk).update(search_text=case_search_text(case))


def search_words(text: str) -> list[str]:
    """The words of a query, normalised; ``ValidationError`` for what no one would type."""
    if "\x00" in text:
        raise ValidationError(_("The search cannot contain a null character."))
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError(
            _("Search for at most %(count)d characters.") % {"count": SEARCH_MAX_LENGTH}
        )
    words = search_normalise(text).split()
    if len(words) > SEARCH_MAX_WORDS:
        raise ValidationError(_("Search for at most %(count)d words.") % {"count": SEARCH_MAX_WORDS})
    return words


def search_filter(text: str) -> Q:
    """Cases whose search text holds every word of ``text``."""
    query = Q()
    for word in search_words(text):
        query &= Q(search_text__contains=word)
    return query
