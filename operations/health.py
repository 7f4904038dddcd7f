"""``/healthz``: is this instance able to serve, and are the workers keeping up?

200 when the database answers and no task has waited longer than
``ITINERA_WORKER["max_task_wait"]``; 503 otherwise. The answer carries the oldest
waiting task's age and the number of live workers, nothing about any case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat
from .reclaim import HEARTBEAT_TIMEOUT


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
        workers = WorkerHeartbeat.objects.filter(seen_at__gte=now - HEARTBEAT_TIMEOUT).count()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": False}, status=503)
    waited = (now - oldest).total_seconds() if oldest else 0.0
    healthy = waited <= settings.ITINERA_WORKER["max_task_wait"]
    return JsonResponse(
        {
            "status": "ok" if healthy else "tasks waiting",
            "database": True,
            "oldest_waiting_task_seconds": round(waited, 1),
            "live_workers": workers,
        },
        status=200 if healthy else 503,
    )
