from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.dates import DayInput
from workflow.itinerary import STATES, Phase

from ..identity_numbers import passport_number_clean
from ..legal_bases import taking_part
from ..models import Case, FollowUp, Organisation, Participant, Programme
from ..programmes import programmes_visible_to
from ..purposes import Basis, ProcessingPurpose
from ..search import SEARCH_MAX_LENGTH, search_words
from ..selectors import CASE_ORDERINGS
from ..services import participant_validate


def errors_onto(form: forms.Form, errors: Mapping[str, Sequence[str]]) -> None:
    """A service's refusal, field by field, on the form the user filled (the rest on top)."""
    for field, problems in errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, strip=True, max_length=SEARCH_MAX_LENGTH,
        help_text=_("Name, reference, e-mail or phone"),
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All phases")), *Phase.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("All stages"))] + [(s.name, s.label) for s in STATES],
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("All organisations"),
    )
    cohort = forms.CharField(label=_("Cohort"), required=False, max_length=50)
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=[("", _("All tracks")), *Case.Track.choices]
    )
    overdue = forms.BooleanField(label=_("Only with overdue items"), required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(k, k) for k in CASE_ORDERINGS] + [(f"-{k}", k) for k in CASE_ORDERINGS],
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.all()
        )

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        search_words(text)  # refuses what no one would type, with the reason
        return text


class ParticipantForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    passport_number = forms.CharField(
        label=_("Passport number"), required=False, max_length=40,
        help_text=_("Needed for the visa; stored encrypted."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    # What the services receive: the model's fields and the number, which the model encrypts.
    participant_fields = (
        "given_names", "family_name", "name_in_arabic", "date_of_birth", "nationality",
        "preferred_language", "email", "phone", "reminder_channel", "passport_number",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_channel"].required = False
        if self.instance.pk:
            self.initial["passport_number"] = self.instance.passport_number

    def clean_reminder_channel(self) -> str:
        # Left out (an older form, a script): the person keeps how they are reached.
        return self.cleaned_data["reminder_channel"] or self.instance.reminder_channel

    def clean_passport_number(self) -> str:
        try:
            return passport_number_clean(self.cleaned_data["passport_number"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    class Meta:
        model = Participant
        fields = [
            "given_names",
            "family_name",
            "name_in_arabic",
            "date_of_birth",
            "nationality",
            "preferred_language",
            "email",
            "phone",
            "reminder_channel",
        ]
        widgets = {
            "date_of_birth": DayInput(),
            "name_in_arabic": forms.TextInput(attrs={"dir": "auto", "lang": "ar"}),
            "email": forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel"}),
        }

    def _checked(self, field: str):
        """The field as the services check it (``participant_validate``), shown on the field."""
        value = self.cleaned_data[field]
        try:
            participant_validate(**{field: value})
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict[field]) from None
        return value

    def clean_given_names(self) -> str:
        return self._checked("given_names")

    def clean_family_name(self) -> str:
        return self._checked("family_name")

    def clean_date_of_birth(self):
        return self._checked("date_of_birth")


class CaseCreateForm(ParticipantForm):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), empty_label=None
    )
    cohort = forms.CharField(label=_("Cohort"), required=False, max_length=50)
    confirm_outside_origin = forms.BooleanField(
        label=_(
            "Open it anyway: the participant comes from outside the origin countries"
        ),
        required=False,
    )
    confirm_duplicate = forms.BooleanField(
        label=_("This is a different person, or a new case for the same person: create it anyway"),
        required=False,
    )

    class Meta(ParticipantForm.Meta):
        fields = [*ParticipantForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_visible_to(user)

    def clean(self):
        from ..services import participant_duplicates

        cleaned = super().clean()
        names = (cleaned.get("given_names"), cleaned.get("family_name"), cleaned.get("date_of_birth"))
        if all(names) and not cleaned.get("confirm_duplicate"):
            self.duplicates = list(
                participant_duplicates(given_names=names[0], family_name=names[1], date_of_birth=names[2])
            )
            if self.duplicates:
                raise forms.ValidationError(
                    _("A participant with the same name and date of birth is already on record."),
                    code="duplicate",
                )
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("Evidence (PDF, JPEG or PNG, at most 5 MB)"))
    mark_done = forms.BooleanField(label=_("Mark the item done"), required=False)


class LegalBasisForm(forms.Form):
    """A basis the programme does not declare for every case: a consent, with the signed form."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ProcessingPurpose.choices)
    basis = forms.ChoiceField(label=_("Legal basis"), choices=Basis.choices, initial=Basis.CONSENT)
    given_on = forms.DateField(label=_("Given on"), widget=DayInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DayInput())
    evidence = forms.FileField(label=_("Signed form (PDF, JPEG or PNG, at most 5 MB)"), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = taking_part(case)


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DayInput())
    channel = forms.ChoiceField(label=_("How"), choices=FollowUp.Channel.choices, widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=FollowUp.Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    concern_severity = forms.ChoiceField(
        label=_("Concern"), required=False, choices=FollowUp.Severity.choices
    )
    concern = forms.CharField(
        label=_("Describe the concern"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmergencyAccessForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=30)
    reason = forms.CharField(
        label=_("Why you need it now"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The case opens for 8 hours; the reason is on the case and in the DPO's list."),
    )
