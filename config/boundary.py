"""The one boundary every request crosses before a view sees it.

Input no person types on purpose but any client can send is refused here with a 400
that names the parameter, so no view, form or query has to defend against it:

* a NUL character in a query parameter, a form field or a JSON string (PostgreSQL
  refuses NUL in text, which surfaced as a server error);
* JSON nested deeper than any of the API's bodies needs (the parser recursed until it
  crashed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The API's deepest body (a transition's data inside the request) is 3 levels deep;
# a generous margin, far below what exhausts the parser.
MAX_JSON_DEPTH = 32
NUL = "\x00"


def _json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (no parsing needed)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    """The dotted names of the keys and strings in ``value`` that hold a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield name.replace(NUL, "\\0")
            else:
                yield from _nul_paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")


def request_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(parameter, message) for the first input this boundary refuses, or None."""
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "\\0"), _(
                "This parameter contains a NUL character, which is not allowed."
            )
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in value for value in values):
                return name.replace(NUL, "\\0"), _(
                    "This field contains a NUL character, which is not allowed."
                )
    elif content_type.endswith("json") and request.body:
        text = request.body.decode("utf-8", errors="replace")
        if _json_depth_exceeds(text, MAX_JSON_DEPTH):
            message = _("The JSON body is nested more than %(limit)d levels deep.")
            return "body", message % {"limit": MAX_JSON_DEPTH}
        try:
            parsed = json.loads(text)
        except ValueError:
            return None  # malformed JSON: the API's parser answers it with its own 400
        for path in _nul_paths(parsed, ""):
            return path or "body", _("This value contains a NUL character, which is not allowed.")
    return None


class RequestBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem is None:
            return self.get_response(request)
        parameter, message = problem
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, parameter: [message]}, status=400)
        return render(
            request, "errors/400.html", {"parameter": parameter, "message": message}, status=400
        )
