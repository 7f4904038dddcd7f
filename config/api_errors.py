"""The one place API refusals become answers (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

Services raise what they mean: a ``TransitionError`` (with its status and every reason),
an ``EvidenceRefused`` upload (400, 413 or 415 with the reason),
Django's ``ValidationError`` (400 naming each field), ``PermissionDenied`` (403 with its
sentence) or ``Http404``; views let them through and this handler answers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cases.evidence import EvidenceRefused
from workflow.exceptions import InvalidInput, StaleVersion, TransitionError


def transition_error_response(error: TransitionError) -> Response:
    body: dict = {"detail": error.message}
    if error.reasons:
        body["reasons"] = error.reasons
    if isinstance(error, InvalidInput):
        body["data"] = error.errors
    if isinstance(error, StaleVersion):
        body["current_version"] = error.current_version
    return Response(body, status=error.status_code)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, TransitionError):
        return transition_error_response(exc)
    if isinstance(exc, EvidenceRefused):
        return Response({"detail": exc.message, "evidence": [exc.message]}, status=exc.status)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    return exception_handler(exc, context)
