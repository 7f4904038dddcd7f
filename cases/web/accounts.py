"""Logging in and choosing a language: a user's interface language follows them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in dict(settings.LANGUAGES):
            # Chosen on the login page just now: remember it on the account.
            if chosen != user.language:
                user.language = chosen
                user.save(update_fields=["language"])
        else:
            # Otherwise the interface speaks the language the user chose last time.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the user's account when logged in."""
    language = request.POST.get("language", "")
    response = django_set_language(request)
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and request.user.language != language
    ):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """What a locked-out login sees (django-axes calls this): how long, in their language."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    if request.path.startswith("/api/"):
        message = _(
            "After %(failure_limit)d wrong passwords this account is locked from this address for "
            "%(cooloff_minutes)d minutes."
        ) % context
        return JsonResponse({"detail": message}, status=429)
    return render(request, "errors/locked.html", context, status=429)
