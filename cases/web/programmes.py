"""The coordinator's programme pages: the programmes they run, a new one, a change.

The form only gathers the values; ``cases.programmes.programme_save`` checks them
against the itinerary's vocabulary and refuses a change that strands open cases.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from workflow.itinerary import OPTIONAL_PHASES, Phase
from workflow.programmes import Purpose

from ..models import PARTNER_ROLES, Organisation, Programme
from ..programmes import (
    ProgrammeChangeStrandsCases,
    programme_may_edit,
    programme_save,
    programmes_visible_to,
)
from ..purposes import Basis, TransferInstrument
from .forms import errors_onto
from .views import UNPROCESSABLE, see_other


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class ProgrammeForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "Short and lower case, e.g. thamm; it starts every case reference and does not change."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    operator = forms.ModelChoiceField(label=gettext_lazy("Operator"), queryset=Organisation.objects.none())
    origin_countries = forms.CharField(
        label=gettext_lazy("Origin countries"),
        max_length=200,
        help_text=gettext_lazy("ISO codes separated by commas, e.g. MA, TN."),
    )
    destination_country = forms.ChoiceField(label=gettext_lazy("Destination country"), choices=countries)
    destination_regions = forms.CharField(
        label=gettext_lazy("Destination regions"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Separated by commas. For Belgium: FL, WAL, BXL."),
    )
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    duration_min_months = forms.IntegerField(
        label=gettext_lazy("Shortest stay (months)"), required=False, min_value=1
    )
    duration_max_months = forms.IntegerField(
        label=gettext_lazy("Longest stay (months)"), required=False, min_value=1
    )
    return_required = forms.BooleanField(
        label=gettext_lazy("The return is mandatory"),
        required=False,
        help_text=(gettext_lazy("Internships, studies and fixed-term mobility always end with the return.")),
    )
    phases = forms.MultipleChoiceField(
        label=gettext_lazy("Optional phases the programme runs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(p.value, p.label) for p in OPTIONAL_PHASES],
    )
    minimum_age = forms.IntegerField(
        label=gettext_lazy("Minimum age"), min_value=1, max_value=100, initial=18
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages offered to participants"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        required=False,
    )
    authorisation_name = forms.CharField(
        label=gettext_lazy("Work or stay authorisation (outside Belgium)"), max_length=200, required=False
    )
    visa_service = forms.CharField(
        label=gettext_lazy("Visa service at origin"), max_length=200, required=False
    )
    training_subject = forms.CharField(label=gettext_lazy("Training subject"), max_length=200, required=False)
    cohorts = forms.CharField(
        label=gettext_lazy("Cohorts"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    employer_legal_basis = forms.ChoiceField(
        label=gettext_lazy("What employers' access rests on"), required=False,
        choices=[("", gettext_lazy("None declared: a basis per case (a consent)")), *Basis.choices],
        initial=Basis.CONTRACT,
        help_text=gettext_lazy("An employer sees its employee's case only while a legal basis is in force."),
    )

    def __init__(self, *args, user, editing: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        operators = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_OPERATOR)
        if user.role != user.Role.PLATFORM_ADMIN:
            operators = operators.filter(pk=user.organisation_id)
        self.fields["operator"].queryset = operators
        self.fields["languages"].choices = settings.LANGUAGES
        if editing is not None:
            del self.fields["code"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("origin_countries", "destination_regions", "cohorts"):
            data[name] = _codes(data[name])
        data["origin_countries"] = [code.upper() for code in data["origin_countries"]]
        return data


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[(r.value, r.label) for r in PARTNER_ROLES])
    phases = forms.MultipleChoiceField(
        label=gettext_lazy("Phases"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[(p.value, p.label) for p in Phase if p not in (Phase.CLOSED, Phase.EXITED)],
    )
    legal_basis = forms.ChoiceField(
        label=gettext_lazy("Legal basis"), required=False,
        choices=[("", gettext_lazy("None declared: a basis per case (a consent)")), *Basis.choices],
    )
    transfer_instrument = forms.ChoiceField(
        label=gettext_lazy("Transfer instrument (outside the EEA)"), required=False,
        choices=[("", gettext_lazy("None: in the EEA or an adequate country")), *TransferInstrument.choices],
    )


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, max_num=30)


def _initial(programme: Programme) -> tuple[dict, list[dict]]:
    initial = {
        "name": programme.name,
        "operator": programme.operator_id,
        "origin_countries": ", ".join(programme.origin_countries),
        "destination_country": str(programme.destination_country),
        "destination_regions": ", ".join(programme.destination_regions),
        "purpose": programme.purpose,
        "duration_min_months": programme.duration_min_months,
        "duration_max_months": programme.duration_max_months,
        "return_required": programme.return_required,
        "phases": programme.phases,
        "minimum_age": programme.minimum_age,
        "languages": programme.languages,
        "authorisation_name": programme.authorisation_name,
        "visa_service": programme.visa_service,
        "training_subject": programme.training_subject,
        "cohorts": ", ".join(programme.cohorts),
        "employer_legal_basis": programme.employer_legal_basis,
    }
    partners = [
        {"organisation": p.organisation_id, "role": p.role, "phases": p.phases, "legal_basis": p.legal_basis,
         "transfer_instrument": p.transfer_instrument}
        for p in programme.partners.all()
    ]
    return initial, partners


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_coordinator:
        raise PermissionDenied
    programmes = (
        programmes_visible_to(request.user).filter(operator_id=request.user.organisation_id)
        if request.user.role == request.user.Role.COORDINATOR
        else programmes_visible_to(request.user)
    )
    return render(
        request,
        "cases/programmes.html",
        {
            "programmes": programmes,
            "may_create": programme_may_edit(user=request.user, programme=None),
        },
    )


@login_required
def programme_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A new programme (no ``code``) or a change to one, partners included."""
    programme = None
    if code is not None:
        programme = programmes_visible_to(request.user).filter(code=code).first()
        if programme is None:
            raise Http404
    if not programme_may_edit(user=request.user, programme=programme):
        raise PermissionDenied
    initial, partners_initial = _initial(programme) if programme else ({}, [])
    form = ProgrammeForm(request.POST or None, user=request.user, editing=programme, initial=initial)
    partners = PartnerFormSet(request.POST or None, initial=partners_initial, prefix="partners")
    stranded: list[str] = []
    if request.method == "POST":
        if form.is_valid() and partners.is_valid():
            data = form.service_data()
            data["partners"] = [
                {"organisation": row["organisation"].name, "role": row["role"], "phases": row["phases"],
                 "legal_basis": row["legal_basis"], "transfer_instrument": row["transfer_instrument"]}
                for row in partners.cleaned_data
                if row and row.get("organisation")
            ]
            try:
                saved = programme_save(actor=request.user, programme=programme, data=data)
            except ValidationError as error:
                errors_onto(form, error.message_dict)
            except ProgrammeChangeStrandsCases as refusal:
                form.add_error("phases", refusal.message)
                stranded = refusal.reasons
            else:
                messages.success(request, _("Programme %(name)s saved.") % {"name": saved.name})
                return see_other(reverse("coordination:programmes"))
        status = UNPROCESSABLE
    else:
        status = 200
    history = programme.history.select_related("history_user")[:20] if programme else []
    return render(
        request,
        "cases/programme_form.html",
        {
            "form": form,
            "partners": partners,
            "programme": programme,
            "stranded": stranded,
            "history": history,
        },
        status=status,
    )
