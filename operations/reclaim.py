"""Tasks a dead worker was running go back to the queue, so nothing stays pending for ever.

A worker writes a heartbeat every ``HEARTBEAT_EVERY``; one silent for
``HEARTBEAT_TIMEOUT`` is taken for dead, and its running tasks are made ready again.
A task claimed by a worker that never wrote a heartbeat (a plain ``db_worker``) gets
the longer ``UNKNOWN_WORKER_LEASE``. The tasks themselves are safe to run twice
(``documents.services``): a slow worker that was not dead after all stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.models import DocumentExport

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = dt.timedelta(seconds=settings.ITINERA_WORKER["heartbeat_every"])
HEARTBEAT_TIMEOUT = dt.timedelta(seconds=settings.ITINERA_WORKER["heartbeat_timeout"])
UNKNOWN_WORKER_LEASE = dt.timedelta(minutes=15)
EXPORT_TASK = "documents.tasks.build_document_export"


def heartbeat_record(*, worker_id: str, hostname: str, pid: int, started_at: dt.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "pid": pid, "started_at": started_at, "seen_at": timezone.now()},
    )


def heartbeat_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly says so: its tasks are finished, nothing to reclaim."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _abandoned(task: DBTaskResult, *, now: dt.datetime, live: set[str], known: set[str]) -> bool:
    worker_id = task.worker_ids[-1] if task.worker_ids else ""
    if worker_id in live:
        return False
    lease = HEARTBEAT_TIMEOUT if worker_id in known else UNKNOWN_WORKER_LEASE
    return task.started_at is None or task.started_at < now - lease


def tasks_reclaim(*, now: dt.datetime | None = None) -> int:
    """Make the running tasks of dead workers ready again; returns how many."""
    now = now or timezone.now()
    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - HEARTBEAT_TIMEOUT).values_list(
            "worker_id", flat=True
        )
    )
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    reclaimed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(started_at__lt=now - HEARTBEAT_TIMEOUT)
        for task in running.select_for_update(skip_locked=True):
            if not _abandoned(task, now=now, live=live, known=known):
                continue
            if task.task_path == EXPORT_TASK and task.args_kwargs.get("args"):
                # The export claims itself by moving from pending to running: start it over.
                DocumentExport.objects.filter(
                    pk=task.args_kwargs["args"][0], status=DocumentExport.Status.RUNNING
                ).update(status=DocumentExport.Status.PENDING, done=0)
            task.status = "READY"
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            reclaimed += 1
            logger.warning("Task %s (%s) of a dead worker queued again", task.id, task.task_path)
    # Dead workers' heartbeats are kept a day, so their late tasks still count as known.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return reclaimed
