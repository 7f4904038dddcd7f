"""What a transition asks for: typed input fields, turned into a Django form.

A transition declares its fields once (name, type, required, choices); the same
declaration validates API input, draws the web form and documents the API. Checks
that need the case as well as the input (an arrival cannot precede the offer) are
``CaseCheck`` functions attached to the transition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from config.dates import DayInput

if TYPE_CHECKING:
    from cases.models import Case

FieldType = Literal[
    "string", "text", "date", "datetime", "integer", "decimal", "boolean", "email", "choice"
]
Choices = Iterable[tuple[str, Any]] | Callable[[], Iterable[tuple[str, Any]]]
# A check of the input against the case; returns {field name: message} for each problem.
CaseCheck = Callable[["Case", Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str | Promise
    type: FieldType = "string"
    required: bool = True
    choices: Choices | None = None
    help_text: str | Promise = ""
    min_value: Any = None
    max_value: Any = None
    max_length: int | None = None
    not_in_future: bool = False  # a date that records something that already happened
    # Asked only in the programmes that run this phase, or that pass this test.
    phase: str = ""
    only_for: Callable[[Any], bool] | None = None

    def asked_in(self, programme) -> bool:
        return (not self.phase or programme.runs(self.phase)) and (
            self.only_for is None or self.only_for(programme)
        )

    def choice_list(self) -> list[tuple[str, str]]:
        choices = self.choices() if callable(self.choices) else (self.choices or ())
        return [(str(value), str(label)) for value, label in choices]

    def form_field(self) -> forms.Field:
        common: dict[str, Any] = {
            "label": self.label,
            "required": self.required,
            "help_text": self.help_text,
        }
        if self.type == "string":
            return forms.CharField(max_length=self.max_length or 200, **common)
        if self.type == "text":
            return forms.CharField(widget=forms.Textarea, max_length=self.max_length or 5000, **common)
        if self.type == "email":
            return forms.EmailField(**common)
        if self.type == "integer":
            return forms.IntegerField(min_value=self.min_value, max_value=self.max_value, **common)
        if self.type == "decimal":
            return forms.DecimalField(
                min_value=self.min_value, max_value=self.max_value,
                max_digits=12, decimal_places=2, **common,
            )
        if self.type == "boolean":
            # A required boolean would mean "must be ticked"; here it only records a fact.
            return forms.BooleanField(**{**common, "required": False})
        if self.type == "date":
            validators = [_not_in_future] if self.not_in_future else []
            return forms.DateField(widget=DayInput(), validators=validators, **common)
        if self.type == "datetime":
            return forms.DateTimeField(**common)
        if self.type == "choice":
            return forms.ChoiceField(choices=[("", "---------"), *self.choice_list()], **common)
        raise ValueError(f"Unknown field type {self.type!r} for {self.name}")

    def describe(self) -> dict[str, Any]:
        """The field as the API publishes it."""
        return {
            "name": self.name,
            "label": str(self.label),
            "type": self.type,
            "required": self.required if self.type != "boolean" else False,
            "choices": (
                [{"value": v, "label": label} for v, label in self.choice_list()]
                if self.type == "choice"
                else None
            ),
        }


TYPE_NAMES = {
    "string": _("text"), "text": _("text"), "email": _("an e-mail address"),
    "date": _("a date (YYYY-MM-DD)"), "datetime": _("a date and time"),
    "integer": _("a whole number"), "decimal": _("a number"), "boolean": _("true or false"),
    "choice": _("one of the listed values"),
}


def _json_type_fits(field_type: FieldType, value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    if field_type == "boolean":
        return isinstance(value, bool)
    if field_type == "choice":
        return isinstance(value, int) and not isinstance(value, bool)  # ids are numbers
    if field_type in {"integer", "decimal"}:
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    # Services (the demo loader, tests) pass dates as Python values.
    return field_type in {"date", "datetime"} and isinstance(value, dt.date)


def _not_in_future(value) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."), code="future")


class TransitionInputForm(forms.Form):
    """Validates one transition's input, including the checks that need the case.

    Fields are built per instance so that choices read from the database (the
    employers of a programme, say) are current, never frozen at import time.
    """

    def __init__(
        self,
        *args: Any,
        case: Case,
        fields: Iterable[FieldSpec],
        checks: Iterable[CaseCheck] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.case_checks = tuple(checks)
        self.specs = {spec.name: spec for spec in fields}
        for spec in self.specs.values():
            self.fields[spec.name] = spec.form_field()
        # JSON input can carry numbers, lists or objects where the form expects text;
        # such values are set aside and reported, never coerced or crashed on.
        self.wrong_types = {
            name: value
            for name, value in self.data.items()
            if name in self.specs and not _json_type_fits(self.specs[name].type, value)
        }
        if self.wrong_types:
            self.data = {k: v for k, v in self.data.items() if k not in self.wrong_types}

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.wrong_types:
            self._errors.pop(name, None)
            self.add_error(name, _("Expected %(type)s.") % {"type": TYPE_NAMES[self.specs[name].type]})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            # Case checks compare fields; they only make sense on well-formed input.
            return cleaned
        for check in self.case_checks:
            for field_name, message in check(self.case, cleaned).items():
                self.add_error(field_name, message)
        return cleaned
