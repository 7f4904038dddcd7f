"""The background worker: runs queued tasks, says it is alive, and runs the periodic jobs.

``db_worker`` (django-tasks-db) does the tasks; this command adds, in a thread beside
it, the heartbeat other workers read to reclaim a dead worker's tasks, and the
scheduler (``operations.scheduler``). It never reloads itself: a reload can cut a task.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from operations import reclaim, scheduler

logger = logging.getLogger("operations")


class Beside(threading.Thread):
    """Heartbeat and periodic jobs, every ``HEARTBEAT_EVERY``, until the worker stops."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="itinera-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        try:
            reclaim.heartbeat_record(
                worker_id=self.worker_id,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                started_at=self.started_at,
            )
            scheduler.jobs_run_due()
        except Exception:  # noqa: BLE001 - a lost beat is retried; the worker goes on
            logger.exception("Heartbeat or periodic jobs failed")
        finally:
            connection.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.beat()
            self.stopping.wait(reclaim.HEARTBEAT_EVERY.total_seconds())


class Command(DatabaseWorkerCommand):
    help = "Run a background worker: queued tasks, a heartbeat, and the periodic jobs."

    def handle(self, *args, worker_id: str, **options) -> None:
        options["reload"] = False
        beside = Beside(worker_id)
        beside.beat()  # alive before the first task is claimed
        beside.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            beside.stopping.set()
            reclaim.heartbeat_forget(worker_id=worker_id)
