"""The data-protection pages: retention (rules, dry run, runs) and legal holds."""

from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import EmergencyAccess
from cases.web.forms import errors_onto
from cases.web.views import UNPROCESSABLE, see_other
from config.dates import day_parse
from documents.rendering import RTL_LANGUAGES, html_to_pdf

from . import services
from .forms import LegalHoldForm, RetentionRuleForm, RightsRequestForm
from .models import LegalHold, RetentionRule, RetentionRun, RightsRequest
from .register import processing_register
from .retention import retention_plan
from .tasks import apply_retention_now

# The dry run lists this many cases on the page; the API and the command list them all.
PLAN_SHOWN = 100


def _number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    if not services.keeps_registers(request.user):
        raise PermissionDenied
    form, confirm_error = RetentionRuleForm(), ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "delete_rule":
        rule = RetentionRule.objects.filter(pk=_number(request.POST.get("rule", ""))).first()
        if rule:
            services.retention_rule_delete(actor=request.user, rule=rule)
            messages.success(request, _("The retention rule is removed: that data is kept."))
        return see_other(reverse("privacy:retention"))
    if action == "run":
        if not services.is_dpo(request.user):
            raise PermissionDenied
        if request.POST.get("confirm") == "yes":
            apply_retention_now.enqueue(user_id=request.user.pk)
            messages.success(request, _("The retention run has started; its result appears below."))
            return see_other(reverse("privacy:retention"))
        confirm_error = _("Tick the box to confirm that you have read the dry run.")
    if action == "save_rule":
        form = RetentionRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.retention_rule_save(
                    actor=request.user, rule=RetentionRule.objects.filter(pk=data["rule"]).first(),
                    programme=data["programme"], purpose=data["purpose"], outcome=data["outcome"],
                    months=data["months"], note=data["note"],
                )
            except ValidationError as error:
                errors_onto(form, error.message_dict)
            else:
                messages.success(request, _("The retention rule is saved."))
                return see_other(reverse("privacy:retention"))
    plan = retention_plan()
    shown = list(islice(plan, PLAN_SHOWN))
    runs = RetentionRun.objects.select_related("user")[:10]
    return render(
        request,
        "privacy/retention.html",
        {
            "rules": RetentionRule.objects.select_related("programme", "updated_by"),
            "form": form,
            "confirm_error": confirm_error,
            "plan": shown,
            "plan_count": len(shown) + sum(1 for _due in plan),
            "runs": runs,
            "running": any(run.finished_at is None for run in runs),
            "is_dpo": services.is_dpo(request.user),
        },
        status=UNPROCESSABLE if action else 200,
    )


@login_required
def holds(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (services.is_dpo(user) or user.is_coordinator):
        raise PermissionDenied
    holdable = services.cases_holdable_by(user)
    form = LegalHoldForm()
    if request.method == "POST" and request.POST.get("action") == "lift":
        hold = LegalHold.objects.filter(case__in=holdable, pk=_number(request.POST.get("hold", ""))).first()
        try:
            if hold is None:
                raise ValidationError(_("This hold is not one you can lift."))
            services.legal_hold_lift(actor=user, hold=hold)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("The hold is lifted: the retention rules apply again."))
        return see_other(reverse("privacy:holds"))
    if request.method == "POST":
        form = LegalHoldForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            case = holdable.filter(reference__iexact=data["case"].strip()).first()
            try:
                if case is None:
                    raise ValidationError({"case": [_("No case you can hold has this reference.")]})
                services.legal_hold_place(
                    actor=user, case=case, kind=data["kind"], reason=data["reason"], until=data["until"]
                )
            except ValidationError as error:
                errors_onto(form, error.message_dict)
            else:
                messages.success(request, _("The hold is placed on %(case)s.") % {"case": case.reference})
                return see_other(reverse("privacy:holds"))
    rows = (
        LegalHold.objects.filter(case__in=holdable)
        .select_related("case", "placed_by", "lifted_by")
        .order_by("lifted_at", "until")[:100]
    )
    return render(
        request,
        "privacy/holds.html",
        {"holds": rows, "form": form},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


def _request_action(request: HttpRequest) -> None:
    """Extend or close one request of the register, from its row."""
    rights_request = RightsRequest.objects.filter(pk=_number(request.POST.get("request", ""))).first()
    if rights_request is None:
        raise ValidationError(_("This request is not in the register."))
    if request.POST.get("action") == "extend":
        informed = request.POST.get("informed_on", "")
        try:
            informed_on = day_parse(informed) if informed else None
        except ValueError:
            raise ValidationError(_("Give the day the person was told as a date.")) from None
        services.rights_request_extend(actor=request.user, request=rights_request, informed_on=informed_on)
        messages.success(request, _("Extended: the answer is due by %(day)s.") % {
            "day": date_format(RightsRequest.objects.get(pk=rights_request.pk).answer_by)})
    else:
        services.rights_request_close(
            actor=request.user, request=rights_request, status=request.POST.get("status", ""),
            outcome=request.POST.get("outcome", ""),
        )
        messages.success(request, _("The request is closed."))


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    """The register of data-subject requests: the DPO's own to-do list, by due date."""
    if not services.is_dpo(request.user):
        raise PermissionDenied
    form = RightsRequestForm()
    if request.method == "POST" and request.POST.get("action") in ("extend", "close"):
        try:
            _request_action(request)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        return see_other(reverse("privacy:requests"))
    if request.method == "POST":
        form = RightsRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rights_request_record(
                    actor=request.user, participant=services.participant_by_case_reference(data["case"]),
                    kind=data["kind"], received_on=data["received_on"],
                )
            except ValidationError as error:
                errors_onto(form, error.message_dict)
            else:
                messages.success(request, _("The request is registered."))
                return see_other(reverse("privacy:requests"))
    rows = RightsRequest.objects.select_related("participant").prefetch_related("participant__cases")[:200]
    return render(
        request,
        "privacy/requests.html",
        {"requests": rows, "form": form},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The processing register (Art. 30) as a page, or as a PDF for the DPIA file."""
    if not services.keeps_registers(request.user):
        raise PermissionDenied
    context = {"register": processing_register()}
    if request.GET.get("format") == "pdf":
        language = translation.get_language()
        html = render_to_string("privacy/register_pdf.html", {
            **context, "lang": language, "rtl": language in RTL_LANGUAGES,
            "generated_at": timezone.localtime(),
        })
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="processing-register.pdf"'
        return response
    return render(request, "privacy/register.html", context)


@login_required
def emergency(request: HttpRequest) -> HttpResponse:
    """Every case a coordinator opened outside their programmes, and why: for the DPO."""
    if not services.keeps_registers(request.user):
        raise PermissionDenied
    rows = EmergencyAccess.objects.select_related("user__organisation", "case")[:200]
    return render(request, "privacy/emergency.html", {"accesses": rows})
