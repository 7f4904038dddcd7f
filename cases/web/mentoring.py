"""The mentor's screens: my participants, and a follow-up form that works on a phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors, services
from ..models import User
from .forms import FollowUpForm, errors_onto
from .views import UNPROCESSABLE, case_or_404, see_other


@login_required
def mentees(request: HttpRequest) -> HttpResponse:
    if request.user.role != User.Role.MENTOR:
        raise PermissionDenied
    statuses = selectors.follow_up_statuses(cases=selectors.cases_visible_to(request.user))
    return render(request, "cases/mentees.html", {"statuses": statuses})


@login_required
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    # A mentor only finds the participants assigned to them: anyone else's is a 404.
    case = case_or_404(request, pk)
    if request.user.role != User.Role.MENTOR:
        raise PermissionDenied
    form = FollowUpForm(request.POST or None, initial={"date": timezone.localdate(), "channel": "in_person"})
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_log(case=case, mentor=request.user, data=dict(form.cleaned_data))
        except ValidationError as error:
            errors_onto(form, error.message_dict)
        else:
            messages.success(request, _("Follow-up saved."))
            return see_other(reverse("mentoring:index"))
    status = UNPROCESSABLE if request.method == "POST" else 200
    return render(request, "cases/follow_up.html", {"case": case, "form": form}, status=status)
