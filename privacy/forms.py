from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Programme
from cases.purposes import ProcessingPurpose
from config.dates import DayInput

from .models import LegalHold, Outcome, RightsRequest
from .retention import ERASABLE_PURPOSES
from .services import RETENTION_MAX_MONTHS


class RetentionRuleForm(forms.Form):
    rule = forms.IntegerField(widget=forms.HiddenInput, required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.order_by("name"), to_field_name="code",
        required=False, empty_label=_("Every programme without a rule of its own"),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[(p, ProcessingPurpose(p).label) for p in ERASABLE_PURPOSES]
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    months = forms.IntegerField(
        label=_("Kept for (months after closure)"), min_value=0, max_value=RETENTION_MAX_MONTHS
    )
    note = forms.CharField(
        label=_("Why, and who approved it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalHoldForm(forms.Form):
    case = forms.CharField(label=_("Case reference"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=LegalHold.Kind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    until = forms.DateField(label=_("Held until"), widget=DayInput())


class RightsRequestForm(forms.Form):
    case = forms.CharField(label=_("Reference of one of the person's cases"), max_length=30)
    kind = forms.ChoiceField(label=_("Request"), choices=RightsRequest.Kind.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DayInput())
