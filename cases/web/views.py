"""The pages caseworkers, coordinators and partners use: thin views over selectors and services.

Forms post back and redirect (303) on success; a form with errors is shown again with
status 422, what was typed kept and each error beside its field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from permits.case_eligibility import evaluate_case
from permits.eligibility import SalaryBasisMismatch
from workflow.exceptions import InvalidInput, NotPermitted, StaleVersion, TransitionError
from workflow.inputs import TransitionInputForm
from workflow.itinerary import STATE_BY_NAME, STATES, TRANSITION_BY_NAME, Phase
from workflow.selectors import transition_options
from workflow.services import case_advance

from .. import selectors, services
from ..access import opens_cases
from ..evidence import EvidenceRefused
from ..legal_bases import legal_basis_record, legal_basis_withdraw, sharing_status
from ..models import Case, CaseEvent, CaseRead, Notification, Organisation, Referral, User
from ..notifications import notification_mark_handled
from ..pagination import CappedPaginator
from ..referrals import programme_organisations, referral_create, referral_decide, referrals_waiting_for
from ..rules import can_view_full_case, can_work_on_case
from .forms import (
    CaseCreateForm,
    CaseFilterForm,
    EmergencyAccessForm,
    EvidenceForm,
    LegalBasisForm,
    NoteForm,
    ParticipantForm,
    errors_onto,
)

PAGE_SIZE = 25
TIMELINE_SIZE = 30  # events shown before "show all"
UNPROCESSABLE = 422  # a form shown again with its errors


def see_other(url: str) -> HttpResponse:
    """Redirect after a successful post (303, so the browser fetches the page with GET)."""
    response = redirect(url)
    response.status_code = 303
    return response


def case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.case_detail(user=request.user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


# --- The list ------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(
        pk__in=selectors.cases_visible_to(request.user).values("owner_organisation")
    )
    filters = CaseFilterForm(request.GET or None, organisations=organisations)
    values = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.case_list(
        user=request.user,
        search=values.get("q", ""),
        stage=values.get("stage", ""),
        phase=values.get("phase", ""),
        organisation=values["organisation"].pk if values.get("organisation") else None,
        cohort=values.get("cohort", ""),
        track=values.get("track", ""),
        overdue=values.get("overdue", False),
        ordering=values.get("sort") or "-moved",
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "cases/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "sort": values.get("sort") or "-moved",
            "full": selectors.case_access(request.user) == "full",
            "may_create": opens_cases(request.user),
            # Bulk assignment: for those who open cases, to the caseworkers of the listed cases' owners.
            "caseworkers": User.objects.filter(
                role=User.Role.CASEWORKER, is_active=True, organisation__in=organisations
            ).order_by("last_name", "username") if opens_cases(request.user) else [],
            "bulk_cap": services.BULK_CAP,
        },
    )


def positive_id(value: str) -> int | None:
    """A database id typed or posted, or None: ASCII digits that fit the column."""
    if value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


@login_required
@require_POST
def case_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign a caseworker to the cases ticked in the list: a page to confirm, then all or none."""
    if not opens_cases(request.user):
        raise PermissionDenied(_("Only caseworkers and coordinators assign cases."))
    ids = [pk for pk in map(positive_id, request.POST.getlist("case")) if pk is not None]
    user_id = positive_id(request.POST.get("user", ""))
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    back = reverse("cases:index") + (f"?{request.POST['query']}" if request.POST.get("query") else "")
    if user is None:
        messages.error(request, _("Choose the caseworker to assign."))
        return see_other(back)
    if not ids:
        messages.error(request, _("Tick the cases to assign first."))
        return see_other(back)
    if problem := services.bulk_over_cap(ids):
        messages.error(request, problem)  # before the confirmation page lists them
        return see_other(back)
    if request.POST.get("confirm") != "1":
        cases = selectors.cases_visible_to(request.user).filter(pk__in=ids).select_related("participant")
        return render(request, "cases/bulk_assign.html", {
            "cases": cases.order_by("reference"), "target": user, "query": request.POST.get("query", ""),
        })
    try:
        assigned = services.cases_assign_bulk(actor=request.user, case_ids=ids, user=user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return see_other(back)
    messages.success(request, ngettext(
        "%(count)s case assigned to %(name)s.", "%(count)s cases assigned to %(name)s.", len(assigned)
    ) % {"count": len(assigned), "name": user.get_full_name() or user.username})
    return see_other(back)


# --- One case ------------------------------------------------------------------------------------


def itinerary_lanes(case: Case) -> list[dict]:
    """The itinerary drawn from the declaration: phases in order, stages visited and current."""
    visited = set(case.events.filter(kind__in=["created", "transition"]).values_list("to_stage", flat=True))
    lanes = []
    for phase in Phase:
        stages = [
            {"state": s, "current": s.name == case.stage, "visited": s.name in visited}
            for s in STATES
            if s.phase == phase
        ]
        lanes.append({"phase": phase, "stages": stages, "current": case.phase == phase})
    return lanes


# While the route is being chosen, filed and decided, the case page evaluates it.
ROUTE_STAGES = (
    "pre_departure", "dossier_preparation", "permit_submitted", "permit_refused", "appeal_pending",
)


def permit_route_context(case: Case) -> dict:
    """The routes the case's offer qualifies for today (or on its submission date)."""
    if case.stage not in ROUTE_STAGES:
        return {}
    try:
        evaluation = evaluate_case(case)
    except SalaryBasisMismatch as problem:
        return {"route_problem": problem.message}
    if evaluation is None:
        return {}
    chosen = case.current_offer.permit_route
    return {
        "evaluation": evaluation,
        "chosen_route": evaluation.route(chosen) if chosen else None,
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    user = request.user
    access = selectors.case_access(user)
    services.case_read_log(case=case, user=user, kind=CaseRead.Kind.PAGE)
    checklist = (
        selectors.checklist_items_visible_to(user)
        .filter(case=case, entry_event_id=case.current_entry_id)
        .select_related("done_by", "case")
    )
    context = {
        "case": case,
        "access": access,
        "full": access == "full",
        "may_work": can_work_on_case(user, case),
        "lanes": itinerary_lanes(case),
        "checklist": [
            {"item": item, "may_tick": services.checklist_item_may_tick(user=user, item=item)}
            for item in checklist
        ],
        "documents": selectors.documents_visible_to(user).filter(case=case).order_by("-created_at", "-id"),
        "note_form": NoteForm(),
        "evidence_form": EvidenceForm(),
    }
    if access == "full":
        events = selectors.case_timeline(case=case)
        events_total = events.count()
        show_all_events = request.GET.get("events") == "all"
        context.update(
            options=transition_options(case=case, user=user),
            events=events if show_all_events else events[:TIMELINE_SIZE],
            events_total=events_total,
            events_more=not show_all_events and events_total > TIMELINE_SIZE,
            changes=selectors.case_changes(case=case)[:100],
            offer=case.current_offer,
            permit=case.current_permit_application,
            **permit_route_context(case),
            caseworkers=User.objects.filter(
                role=User.Role.CASEWORKER, organisation_id=case.owner_organisation_id, is_active=True
            ),
            mentors=User.objects.filter(role=User.Role.MENTOR, is_active=True).select_related("organisation"),
            may_assign_mentor=services.mentor_assignable(case),
            referral_organisations=Organisation.objects.filter(pk__in=programme_organisations(case)).exclude(
                pk=case.owner_organisation_id
            ),
            referrals=case.referrals.select_related("to_organisation")[:10],
            sharing=sharing_status(case=case),
            legal_bases=case.legal_bases.select_related("organisation", "recorded_by"),
            may_record_bases=can_work_on_case(user, case) or user.is_coordinator,
            legal_basis_form=LegalBasisForm(case=case),
            holds_in_force=case.legal_holds.filter(lifted_at__isnull=True, until__gte=timezone.localdate()),
        )
    if access == "partner":
        # The moves the declaration gives the partner's role (a training provider completes the training).
        options = transition_options(case=case, user=user)
        context["options"] = [option for option in options if user.role in option.spec.roles]
    if access in ("full", "mentor"):
        statuses = selectors.follow_up_statuses(cases=Case.objects.filter(pk=case.pk))
        context.update(
            follow_ups=case.follow_ups.select_related("mentor"),
            follow_up_status=statuses[0] if statuses else None,
        )
    return render(request, "cases/detail.html", context)


@login_required
def case_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The form of one transition: its declared fields, then a confirmation."""
    case = case_or_404(request, pk)
    spec = TRANSITION_BY_NAME.get(name)
    if spec is None or not can_view_full_case(request.user, case):
        raise Http404
    detail_url = reverse("cases:detail", args=[case.pk])
    status = 200
    if request.method == "POST":
        form = TransitionInputForm(
            request.POST, case=case, fields=spec.fields_for(case.programme), checks=spec.checks
        )
        version = request.POST.get("version", "")
        if form.is_valid():
            try:
                case_advance(
                    case=case,
                    transition=name,
                    actor=request.user,
                    version=int(version) if version.isdigit() else -1,
                    data={key: request.POST.get(key) for key in form.fields},
                    override_reason=request.POST.get("override_reason", ""),
                )
            except StaleVersion:
                messages.warning(
                    request,
                    _("This case moved while you were looking at it. Here is where it stands now."),
                )
                return see_other(detail_url)
            except InvalidInput as error:
                errors_onto(form, error.errors)
            except NotPermitted as error:
                raise PermissionDenied(error.message) from None
            except TransitionError as error:
                messages.error(request, " ".join([error.message, *error.reasons]))
                return see_other(detail_url)
            else:
                messages.success(request, _("Done: %(transition)s.") % {"transition": spec.label})
                if not selectors.cases_visible_to(request.user).filter(pk=case.pk).exists():
                    # A partner's move that ends its part: the case has left its sight.
                    return see_other(reverse("work:index"))
                return see_other(detail_url)
        status = UNPROCESSABLE
    else:
        form = TransitionInputForm(case=case, fields=spec.fields_for(case.programme), checks=spec.checks)
    option = next((o for o in transition_options(case=case, user=request.user) if o.spec.name == name), None)
    return render(
        request,
        "cases/transition.html",
        {
            "case": case,
            "spec": spec,
            "form": form,
            "option": option,
            "target": STATE_BY_NAME[spec.target],
            "is_coordinator": request.user.is_coordinator,
        },
        status=status,
    )


@login_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    case = case_or_404(request, pk)
    item = get_object_or_404(selectors.checklist_items_visible_to(request.user), pk=item_id, case=case)
    services.checklist_item_set_done(item=item, actor=request.user, done=request.POST.get("done") == "1")
    return see_other(reverse("cases:detail", args=[case.pk]) + "#checklist")


@login_required
@require_POST
def checklist_evidence(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    case = case_or_404(request, pk)
    item = get_object_or_404(selectors.checklist_items_visible_to(request.user), pk=item_id, case=case)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.checklist_item_attach_evidence(
                item=item, actor=request.user, upload=form.cleaned_data["evidence"],
                mark_done=form.cleaned_data["mark_done"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except EvidenceRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Evidence attached."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return see_other(reverse("cases:detail", args=[case.pk]) + "#checklist")


@login_required
def checklist_evidence_file(request: HttpRequest, pk: int, item_id: int) -> FileResponse:
    case = case_or_404(request, pk)
    item = get_object_or_404(selectors.checklist_items_visible_to(request.user), pk=item_id, case=case)
    if not item.evidence:
        raise Http404
    services.case_read_log(case=case, user=request.user, kind=CaseRead.Kind.DOCUMENT)
    return FileResponse(
        item.evidence.open("rb"), as_attachment=True, filename=item.evidence.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.case_note_add(case=case, actor=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("A note cannot be empty."))
    return see_other(reverse("cases:detail", args=[case.pk]) + "#timeline")


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    username = request.POST.get("user") or None
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    try:
        services.case_assign(case=case, actor=request.user, role=request.POST.get("role", ""), user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Assignment saved."))
    return see_other(reverse("cases:detail", args=[case.pk]))


@login_required
@require_POST
def document_rerender(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    from documents.services import document_rerender as rerender

    case = case_or_404(request, pk)
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=document_id, case=case)
    if not (can_work_on_case(request.user, case) or request.user.is_coordinator):
        raise PermissionDenied
    rerender(document=document, actor=request.user)
    messages.success(request, _("The document is being prepared again."))
    return see_other(reverse("cases:detail", args=[case.pk]) + "#documents")


# --- Creating and editing ---------------------------------------------------------------------------


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    if not opens_cases(request.user):
        raise PermissionDenied
    form = CaseCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            participant = {field: form.cleaned_data[field] for field in ParticipantForm.participant_fields}
            try:
                case = services.case_create(
                    actor=request.user,
                    programme=form.cleaned_data["programme"],
                    participant=participant,
                    cohort=form.cleaned_data["cohort"],
                    confirm_outside_origin=form.cleaned_data["confirm_outside_origin"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Case %(reference)s opened.") % {"reference": case.reference})
                return see_other(reverse("cases:detail", args=[case.pk]))
        return render(request, "cases/create.html", {"form": form}, status=UNPROCESSABLE)
    return render(request, "cases/create.html", {"form": form})


@login_required
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    if not can_work_on_case(request.user, case):
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, instance=case.participant)
    if request.method == "POST":
        if form.is_valid():
            services.participant_update(
                participant=case.participant,
                actor=request.user,
                data={field: form.cleaned_data[field] for field in form.changed_data},
            )
            messages.success(request, _("Participant details saved."))
            return see_other(reverse("cases:detail", args=[case.pk]))
        return render(
            request, "cases/participant_edit.html", {"form": form, "case": case}, status=UNPROCESSABLE
        )
    return render(request, "cases/participant_edit.html", {"form": form, "case": case})


# --- Home: each role's first screen ------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == User.Role.DPO:
        # The DPO's work is the register of requests, by due date (``privacy``).
        return redirect("privacy:requests")
    return render(
        request,
        "cases/home.html",
        {
            "page": CappedPaginator(selectors.my_checklist_items(user=user), selectors.MY_WORK_PAGE).get_page(
                request.GET.get("page")
            ),
            "undated": list(selectors.my_undated_items(user=user)[: selectors.MY_WORK_PAGE + 1]),
            "employer_cases": selectors.employer_case_summaries(user=user),
            "follow_ups": selectors.my_follow_ups(user=user),
            "follow_ups_total": selectors.my_follow_up_cases(user=user).count(),
            "notifications": user.notifications.filter(read_at__isnull=True).select_related(
                "case__participant"
            )[:20],
            "recent": CaseEvent.objects.filter(actor=user).select_related("case__participant")[:10],
            "referrals": referrals_waiting_for(user),
        },
    )


@login_required
@require_POST
def notification_handled(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notification_mark_handled(notification=notification, user=request.user)
    return see_other(reverse("work:index"))


@login_required
@require_POST
def daily_digest_choose(request: HttpRequest) -> HttpResponse:
    """Opt in or out of the morning e-mail (``cases.reminders``)."""
    wanted = request.POST.get("daily_digest") == "on"
    services.daily_digest_choose(user=request.user, wanted=wanted)
    if wanted:
        messages.success(request, _("You will get the daily digest by e-mail."))
    else:
        messages.success(request, _("You will no longer get the daily digest."))
    return see_other(reverse("work:index"))


@login_required
@require_POST
def referral_answer(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = get_object_or_404(Referral, pk=referral_id, to_organisation_id=request.user.organisation_id)
    accept = request.POST.get("answer") == "accept"
    try:
        referral_decide(
            referral=referral, actor=request.user, accept=accept, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(reverse("work:index"))
    if accept:
        messages.success(request, _("Referral accepted: %(reference)s is your organisation's now.") % {
            "reference": referral.case.reference
        })
        return see_other(reverse("cases:detail", args=[referral.case_id]))
    messages.success(request, _("Referral rejected."))
    return see_other(reverse("work:index"))


@login_required
@require_POST
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    organisation = Organisation.objects.filter(pk=request.POST.get("to_organisation") or 0).first()
    try:
        if organisation is None:
            raise ValidationError({"to_organisation": _("Choose an organisation.")})
        referral_create(
            case=case, actor=request.user, to_organisation=organisation, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Referred to %(organisation)s.") % {"organisation": organisation.name})
    return see_other(reverse("cases:detail", args=[case.pk]))


@login_required
@require_POST
def legal_basis_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    form = LegalBasisForm(request.POST, request.FILES, case=case)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        legal_basis_record(actor=request.user, case=case, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The legal basis is recorded."))
    return see_other(reverse("cases:detail", args=[case.pk]) + "#sharing")


@login_required
@require_POST
def legal_basis_end(request: HttpRequest, pk: int, basis_id: int) -> HttpResponse:
    case = case_or_404(request, pk)
    basis = get_object_or_404(case.legal_bases, pk=basis_id)
    try:
        legal_basis_withdraw(actor=request.user, basis=basis)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Withdrawn: %(organisation)s no longer sees this case.") % {
            "organisation": basis.organisation.name})
    return see_other(reverse("cases:detail", args=[case.pk]) + "#sharing")


@login_required
def emergency_access(request: HttpRequest) -> HttpResponse:
    """Break-the-glass: a coordinator opens a case outside their programmes, with a reason."""
    if request.user.role != User.Role.COORDINATOR:
        raise PermissionDenied
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.emergency_access_grant(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_onto(form, error.message_dict)
        else:
            messages.warning(request, _("Opened for %(hours)d hours; this access is logged.") % {
                "hours": services.EMERGENCY_ACCESS_HOURS})
            return see_other(reverse("cases:detail", args=[case.pk]))
    status = UNPROCESSABLE if request.method == "POST" else 200
    return render(request, "cases/emergency_access.html", {"form": form}, status=status)
