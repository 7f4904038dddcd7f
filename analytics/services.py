"""What the framework analytics write."""

from __future__ import annotations

from cases.models import User

from .models import ReportExport


def report_export_log(*, user: User, format: str, filters: dict) -> ReportExport:
    """Record that ``user`` took a framework report out, with the filters it was made with."""
    return ReportExport.objects.create(user=user, format=format, filters=filters)
