"""How people type a day: in the order of the page's language (day first in all of ours,
see ``config/formats``), with ISO 2026-12-04 understood too.

Date fields are text inputs, not ``<input type="date">``: a browser draws a date input in
the browser's language, not the page's, so an Arabic page read 02/12/2026 in its text
and 12/02/2026 in its fields. A placeholder says the order expected ("DD/MM/YYYY").

Forms use ``DayInput``; the filters written by hand in templates use the ``day_input``
tag (``{% load dates %}``) and read the value back with ``day_parse``.
"""

from __future__ import annotations

import datetime as dt

from django import forms, template
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

register = template.Library()


def day_format_hint() -> str:
    """The order the active language types a day in, as its readers write it: DD/MM/YYYY,
    JJ/MM/AAAA, DD-MM-JJJJ..."""
    pattern = formats.get_format("DATE_INPUT_FORMATS")[0]
    return (
        pattern.replace("%d", pgettext("placeholder of a date field: the day", "DD"))
        .replace("%m", pgettext("placeholder of a date field: the month", "MM"))
        .replace("%Y", pgettext("placeholder of a date field: the year", "YYYY"))
    )


def day_parse(value: str) -> dt.date:
    """A day typed in the active language's order or as ISO; ``ValueError`` if it is neither."""
    for pattern in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            # A day has no time, hence no time zone.
            return dt.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(f"not a day: {value!r}")


class DayInput(forms.DateInput):
    """A text input that shows a day in the active language's order and says which."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", day_format_hint())
        return context


@register.simple_tag
def day_input(name: str, value, *, id: str, required: bool = False) -> SafeString:
    """A ``DayInput`` for a form written in the template (a page's filters)."""
    return DayInput().render(name, value, attrs={"id": id, **({"required": True} if required else {})})
