"""Logins in the audit log: each success, wrong password and lockout is a ``LoginEvent``.

Django and django-axes announce them as signals (the login form, the API's token
endpoint and the admin all authenticate through them); the receivers only record.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import LoginEvent

USERNAME_MAX = LoginEvent._meta.get_field("username").max_length


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    return "api" if path.startswith("/api/") else "web"


def _address(request) -> str | None:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR") or None


def login_record(*, kind: str, username: str, request, user=None) -> LoginEvent:
    return LoginEvent.objects.create(
        kind=kind, username=(username or "")[:USERNAME_MAX], user=user,
        ip_address=_address(request), channel=_channel(request),
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    login_record(kind=LoginEvent.Kind.SUCCEEDED, username=user.get_username(), request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    login_record(kind=LoginEvent.Kind.FAILED, username=credentials.get("username", ""), request=request)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    login_record(kind=LoginEvent.Kind.LOCKED_OUT, username=username or "", request=request)
