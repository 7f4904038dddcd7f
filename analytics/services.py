"""What the framework analytics write."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from cases.models import User

from .models import ReportExport


def report_export_log(*, user: User, format: str, filters: dict) -> ReportExport:
    """Record that ``user`` took a framework report out, with the filters it was made with."""
    return ReportExport.objects.create(
        user=user, format=format, filters=json.loads(json.dumps(filters, cls=DjangoJSONEncoder))
    )
