from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.models import Document
from permits.models import PermitApplication
from workflow.itinerary import STATE_BY_NAME, TRANSITION_BY_NAME

from ..events import event_line
from ..identity_numbers import passport_number_clean
from ..models import (
    Case,
    CaseEvent,
    ChecklistItem,
    FollowUp,
    JobOffer,
    MentoringPlan,
    Notification,
    Participant,
    case_overdue,
    days_in_stage,
)


class ParticipantSerializer(serializers.ModelSerializer):
    nationality = CountryField(help_text="ISO 3166-1 alpha-2 code, e.g. MA.")
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, default="fr")
    # Written, never listed: the case page shows it to those who work on the case.
    passport_number = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=40,
        help_text="Stored encrypted; letters and digits.",
    )

    class Meta:
        model = Participant
        fields = [
            "id", "given_names", "family_name", "name_in_arabic", "date_of_birth",
            "nationality", "preferred_language", "email", "phone", "reminder_channel", "passport_number",
        ]

    def validate_passport_number(self, value: str) -> str:
        return passport_number_clean(value)

    def validate_date_of_birth(self, value):
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("The date of birth is in the future."))
        if value.year < today.year - 120:
            raise serializers.ValidationError(_("The date of birth is too far in the past."))
        return value

    def validate_phone(self, value: str) -> str:
        digits = value.replace(" ", "").replace("-", "").replace(".", "")
        if value and not (digits.lstrip("+").isdigit() and 6 <= len(digits) <= 20):
            raise serializers.ValidationError(
                _("Enter a phone number with digits only, optionally starting with +.")
            )
        return value


class CaseCreateSerializer(serializers.Serializer):
    participant = ParticipantSerializer()
    programme = serializers.SlugField(
        required=False, help_text="Programme code; defaults to the only or first programme."
    )
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    confirm_outside_origin = serializers.BooleanField(
        required=False, default=False,
        help_text="Confirms a participant whose nationality is not among the programme's origin countries.",
    )

    def to_internal_value(self, data):
        # The participant may come nested or as top-level fields.
        if isinstance(data, dict) and "participant" not in data:
            fields = set(ParticipantSerializer.Meta.fields)
            data = {
                "participant": {k: v for k, v in data.items() if k in fields},
                **{k: v for k, v in data.items() if k not in fields},
            }
        return super().to_internal_value(data)


class ChecklistItemSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="display_label", read_only=True)
    due_rule = serializers.CharField(source="due_description", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id", "code", "label", "stage", "required", "responsible", "done", "done_at",
            "due_date", "due_rule", "overdue", "note", "accepts_evidence",
        ]


class ChecklistItemUpdateSerializer(serializers.Serializer):
    done = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    transition_label = serializers.SerializerMethodField()
    from_stage_label = serializers.SerializerMethodField()
    to_stage_label = serializers.SerializerMethodField()
    # The timeline's line, in the language of the request.
    summary = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id", "kind", "kind_label", "actor", "created_at", "transition", "transition_label",
            "from_stage", "from_stage_label", "to_stage", "to_stage_label", "summary", "payload",
        ]

    def get_summary(self, event: CaseEvent) -> str:
        return event_line(event)

    def get_transition_label(self, event) -> str:
        spec = TRANSITION_BY_NAME.get(event.transition)
        return str(spec.label) if spec else ""

    def get_from_stage_label(self, event) -> str:
        state = STATE_BY_NAME.get(event.from_stage)
        return str(state.label) if state else ""

    def get_to_stage_label(self, event) -> str:
        state = STATE_BY_NAME.get(event.to_stage)
        return str(state.label) if state else ""


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id", "kind", "title", "language", "status", "version", "sha256", "size",
            "error", "created_at", "rendered_at", "download_url",
        ]

    def get_download_url(self, document) -> str | None:
        if document.status != Document.Status.READY:
            return None
        url = reverse("document-file", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class JobOfferSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobOffer
        fields = [
            "id", "country", "employer", "employer_name", "job_title", "isco_code",
            "gross_annual_salary", "monthly_base_salary", "region", "city", "contract_start", "accepted_on",
            "contract_months", "local_contract", "function_level", "diploma_level", "years_experience",
            "profession", "permit_route", "lmt_weeks_published",
        ]


class PermitApplicationSerializer(serializers.ModelSerializer):
    appeal_deadline = serializers.DateField(source="appeal_due_on", read_only=True)
    rule_version = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PermitApplication
        fields = [
            "id", "kind", "region", "route", "rule_version", "submitted_on", "reference",
            "decision_due_on", "decision", "decided_on", "expires_on",
            "refused_by", "appeal_lodged_on", "appeal_deadline", "appeal_outcome",
        ]


class CaseListSerializer(serializers.ModelSerializer):
    participant = ParticipantSerializer(read_only=True)
    stage_label = serializers.CharField(read_only=True)
    phase = serializers.CharField(read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner_organisation = serializers.StringRelatedField()
    caseworker = serializers.SlugRelatedField(slug_field="username", read_only=True)
    mentor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    employer = serializers.StringRelatedField()
    days_in_stage = serializers.SerializerMethodField()
    # An open item of the current stage is past its due date.
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "reference", "stage", "stage_label", "phase", "version", "track", "cohort",
            "programme", "owner_organisation", "caseworker", "mentor", "employer", "participant", "opened_at",
            "stage_entered_at", "days_in_stage", "overdue", "closed_at",
        ]

    def get_days_in_stage(self, case: Case) -> int:
        return days_in_stage(case.stage_entered_at)

    def get_overdue(self, case: Case) -> bool:
        return case_overdue(case.earliest_open_due)


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.DictField(), allow_null=True)


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField(source="spec.name")
    label = serializers.CharField(source="spec.label")
    target = serializers.CharField(source="spec.target")
    kind = serializers.CharField(source="spec.kind")
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    # Not get_fields: that name is the serializer's own field lookup.
    fields = serializers.SerializerMethodField(method_name="describe_fields")

    @extend_schema_field(TransitionFieldSerializer(many=True))
    def describe_fields(self, option) -> list[dict]:
        return [field.describe() for field in option.spec.fields]


class CaseDetailSerializer(CaseListSerializer):
    available_transitions = TransitionOptionSerializer(many=True, source="transition_options")
    checklist = ChecklistItemSerializer(many=True, source="checklist_rows")
    documents = DocumentSerializer(many=True, source="document_rows")
    events = EventSerializer(many=True, source="event_rows")
    job_offers = JobOfferSerializer(many=True, read_only=True)
    permit_applications = PermitApplicationSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "closure_reason",
            "training_start_date", "training_completed_on", "visa_applied_on", "visa_issued_on",
            "planned_travel_date", "arrival_date", "address", "commune", "commune_registered_on",
            "residence_card_issued_on", "lease_start_date", "planned_return_date", "returned_on",
            "employment_ended_on", "unlimited_authorisation_on", "job_offers", "permit_applications",
            "available_transitions", "checklist", "documents", "events",
        ]


class TransitionRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The case version you last saw; a mismatch gives 409."
    )
    data = serializers.DictField(
        required=False, default=dict, help_text="The transition's declared fields."
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text="Coordinators only: move past open required checklist items, with a reason.",
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class ItinerarySerializer(serializers.Serializer):
    states = serializers.ListField(child=serializers.DictField())
    transitions = serializers.ListField(child=serializers.DictField())


# --- What partners see of a case -----------------------------------------------------------------

class ParticipantBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "given_names", "family_name", "name_in_arabic", "preferred_language"]


class ParticipantContactSerializer(ParticipantBriefSerializer):
    class Meta(ParticipantBriefSerializer.Meta):
        fields = [*ParticipantBriefSerializer.Meta.fields, "email", "phone"]


class CaseBriefListSerializer(serializers.ModelSerializer):
    """A case in a mentor's or an employer's list: no personal details beyond the name."""

    participant = ParticipantBriefSerializer(read_only=True)
    stage_label = serializers.CharField(read_only=True)
    phase = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "stage", "stage_label", "phase", "version", "participant"]


class MentoringPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = MentoringPlan
        fields = ["started_on", "intensive_every_days", "intensive_months", "regular_every_days"]


class FollowUpSerializer(serializers.ModelSerializer):
    mentor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    topics = serializers.MultipleChoiceField(choices=FollowUp.Topic.choices)
    concern_severity = serializers.ChoiceField(
        choices=FollowUp.Severity.choices, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = FollowUp
        fields = [
            "id", "date", "channel", "topics", "notes", "concern_severity", "concern", "mentor",
            "created_at",
        ]
        read_only_fields = ["id", "mentor", "created_at"]

    def validate_topics(self, value):
        if not value:
            raise serializers.ValidationError(_("Choose at least one topic."))
        return sorted(value)


class MentorCaseSerializer(CaseBriefListSerializer):
    """What mentoring needs: who, how to reach them, the plan, the follow-ups."""

    participant = ParticipantContactSerializer(read_only=True)
    mentoring_plan = MentoringPlanSerializer(read_only=True)
    next_follow_up_due = serializers.DateField(read_only=True)
    follow_up_overdue = serializers.BooleanField(read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    checklist = ChecklistItemSerializer(many=True, source="checklist_rows")
    documents = DocumentSerializer(many=True, source="document_rows")
    available_transitions = serializers.ListField(default=list, read_only=True)

    class Meta(CaseBriefListSerializer.Meta):
        fields = [
            *CaseBriefListSerializer.Meta.fields, "mentoring_plan", "next_follow_up_due",
            "follow_up_overdue", "follow_ups", "checklist", "documents", "available_transitions",
        ]


class EmployerPermitSerializer(serializers.ModelSerializer):
    """The permit file as the employer, who files it, needs it: the certificates' dates
    (they must be under 6 months old), never anything about their content."""

    class Meta:
        model = PermitApplication
        fields = [
            "id", "kind", "region", "route", "submitted_on", "reference", "decision_due_on", "decision",
            "decided_on", "expires_on", "medical_certificate_issued_on", "criminal_record_issued_on",
        ]


class EmployerCaseSerializer(CaseBriefListSerializer):
    job_offers = JobOfferSerializer(many=True, source="employer_offers")
    permit_applications = EmployerPermitSerializer(many=True, read_only=True)
    checklist = ChecklistItemSerializer(many=True, source="checklist_rows")
    documents = DocumentSerializer(many=True, source="document_rows")
    available_transitions = serializers.ListField(default=list, read_only=True)

    class Meta(CaseBriefListSerializer.Meta):
        fields = [
            *CaseBriefListSerializer.Meta.fields, "job_offers", "permit_applications", "checklist",
            "documents", "available_transitions",
        ]


class PartnerCaseSerializer(CaseBriefListSerializer):
    """What a partner organisation needs in its phases: who, how to reach them, its items."""

    participant = ParticipantContactSerializer(read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    checklist = ChecklistItemSerializer(many=True, source="checklist_rows")
    documents = DocumentSerializer(many=True, source="document_rows")
    # Only the moves the declaration gives the partner's role.
    available_transitions = TransitionOptionSerializer(many=True, source="transition_options", read_only=True)

    class Meta(CaseBriefListSerializer.Meta):
        fields = [
            *CaseBriefListSerializer.Meta.fields, "programme", "cohort", "checklist", "documents",
            "available_transitions",
        ]


class AssignmentSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[("caseworker", _("Caseworker")), ("mentor", _("Mentor"))])
    user = serializers.CharField(
        allow_null=True, help_text="Username of the person to assign; null to unassign."
    )


class BulkAssignmentSerializer(serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), allow_empty=False, max_length=1000,
        help_text="Ids of the cases (at most 100): all are assigned, or none.",
    )
    user = serializers.CharField(max_length=150, help_text="Username of the caseworker to assign.")


class NotificationSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    # In the language of the request (the reader's), from the stored kind and parameters.
    text = serializers.CharField(source="message", read_only=True)
    handled = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "case", "case_reference", "kind", "text", "created_at", "read_at", "handled"]

    def get_handled(self, notification: Notification) -> bool:
        return notification.read_at is not None


class FieldChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    record = serializers.CharField()
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
