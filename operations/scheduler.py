"""Periodic work, run inside the workers: one scheduler for every job that must recur.

Each job has a row (``PeriodicJob``) with the time it runs next. A worker that finds a
job due moves that time forward with a conditional update; only the worker whose
update succeeded runs the job, so a job runs once per period however many workers
run, on however many machines. A job that fails is logged and tried next period.

A new periodic job (reminders, retention) is one line in ``JOBS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases.reminders import reminders_send
from privacy.retention import retention_apply_scheduled

from . import reclaim
from .models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


JOBS: tuple[Job, ...] = (
    Job(
        "reclaim_dead_workers_tasks",
        dt.timedelta(seconds=settings.ITINERA_WORKER["reclaim_every"]),
        reclaim.tasks_reclaim,
    ),
    # Erases and anonymises what the retention rules say is due (legal holds excepted).
    Job("apply_retention", dt.timedelta(days=1), retention_apply_scheduled),
    # Digests and participants' deadline reminders; each is sent once (``cases.reminders``),
    # so running hourly only lets the digest go out from its hour and catches up after a stop.
    Job("send_reminders", dt.timedelta(hours=1), reminders_send),
)


def job_claim(job: Job, *, now: dt.datetime) -> bool:
    """True for the one caller that takes this period's run of ``job``."""
    PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    return bool(
        PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_started_at=now
        )
    )


def jobs_run_due(*, jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """Run every job that is due and that this caller claims; returns their names."""
    ran = []
    for job in jobs:
        if not job_claim(job, now=timezone.now()):
            continue
        error = ""
        try:
            job.run()
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            error = traceback.format_exc()
            logger.exception("Periodic job %s failed", job.name)
        PeriodicJob.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_error=error[:5000]
        )
        ran.append(job.name)
    return ran
