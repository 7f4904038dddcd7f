"""The coordinator's pages of rule data: what is in force per Region, and a new version.

The rule versions in force on a date with their sources, every unverified value and
every conflict visible; the legal periods beside them. A new version (for example next
year's thresholds, started from the version it follows) is previewed first: the page
says which version it closes and which pending cases change eligibility.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.dates import DayInput, day_format_hint, day_parse

from . import selectors, services
from .eligibility import salary_problem
from .models import LegalParameter, RuleVersion
from .routes import REGIONS

UNPROCESSABLE = 422
# What the form does not show but a new version keeps from the one it follows.
CARRIED_OVER = ("professions_exempt_from_age", "diploma_alternative", "conditions_to_confirm")
FORM_FIELDS = (
    "region", "route", "valid_from", "valid_to",
    *(name for name in RuleVersion.CONDITION_FIELDS if name not in CARRIED_OVER),
    "note", "conflict_note",
)  # fmt: skip


def coordinator_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_coordinator", False):
        raise PermissionDenied


def _day(value: str) -> dt.date | None:
    try:
        return day_parse(value) if value else None
    except ValueError:
        return None


@login_required
def rules_in_force(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    on = _day(request.GET.get("on", "").strip())
    status = 200
    if request.GET.get("on") and on is None:
        messages.error(request, _("Give the date as %(format)s.") % {"format": day_format_hint()})
        status = UNPROCESSABLE
    on = on or timezone.localdate()
    region = request.GET.get("region", "")
    regions = [(code, label) for code, label in REGIONS if not region or code == region]
    rules = list(selectors.rule_versions_in_force(on=on).select_related("created_by"))
    parameters = list(LegalParameter.objects.in_force_on(on).order_by("key", "region"))
    sections = [
        {
            "code": code,
            "label": label,
            "rules": [rule for rule in rules if rule.region == code],
            "parameters": [p for p in parameters if p.region in ("", code)],
        }
        for code, label in regions
    ]
    return render(
        request,
        "permits/rules.html",
        {"on": on, "region": region, "regions": REGIONS, "sections": sections},
        status=status,
    )


class RuleVersionForm(forms.ModelForm):
    sources_text = forms.CharField(
        label=gettext_lazy("Sources"),
        max_length=300,
        help_text=gettext_lazy("References of the source list, separated by commas, e.g. S97, S100."),
    )
    salary_unverified = forms.BooleanField(
        label=gettext_lazy("The threshold is not verified yet (leave the amount empty)"),
        required=False,
    )

    class Meta:
        model = RuleVersion
        fields = FORM_FIELDS
        widgets = {
            "valid_from": DayInput(),
            "valid_to": DayInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
            "conflict_note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_salary_min(self):
        amount = self.cleaned_data.get("salary_min")
        if amount is not None and (problem := salary_problem(amount)):
            raise ValidationError(problem)
        return amount

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("salary_unverified") and cleaned.get("salary_min") is not None:
            self.add_error(
                "salary_min",
                _("An unverified value is left empty: remove the figure or the unverified mark."),
            )
        return cleaned

    def service_data(self, previous: RuleVersion | None) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for name in CARRIED_OVER:
            default = RuleVersion._meta.get_field(name).get_default()
            data[name] = getattr(previous, name) if previous else default
        data["sources"] = [s.strip() for s in self.cleaned_data["sources_text"].split(",") if s.strip()]
        data["unverified_fields"] = ["salary_min"] if self.cleaned_data.get("salary_unverified") else []
        return data


def _initial_from(version: RuleVersion | None) -> dict:
    if version is None:
        return {}
    initial = {name: getattr(version, name) for name in FORM_FIELDS if name not in ("valid_from", "valid_to")}
    initial["salary_min"] = None  # the figure is what changes
    initial["valid_from"] = (version.valid_to + dt.timedelta(days=1)) if version.valid_to else None
    return initial


@login_required
def rule_version_new(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    previous = (
        RuleVersion.objects.filter(pk=request.GET.get("from") or 0).first()
        if (request.GET.get("from", "").isdigit())
        else None
    )
    form = RuleVersionForm(request.POST or None, initial=_initial_from(previous))
    change, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            write = services.rule_version_create if "save" in request.POST else services.rule_version_preview
            try:
                change = write(actor=request.user, data=form.service_data(previous))
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    target = (
                        field if field in form.fields else ("sources_text" if field == "sources" else None)
                    )
                    for problem in problems:
                        form.add_error(target, problem)
                status = UNPROCESSABLE
            else:
                if "save" in request.POST:
                    messages.success(
                        request, _("Rule version %(code)s recorded.") % {"code": change.rule_version.code}
                    )
                    url = reverse("coordination:rules") + f"?region={change.rule_version.region}"
                    response = redirect(url)
                    response.status_code = 303
                    return response
        else:
            status = UNPROCESSABLE
    return render(
        request,
        "permits/rule_new.html",
        {"form": form, "change": change, "previous": previous},
        status=status,
    )
