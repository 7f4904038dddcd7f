"""The background workers: nothing stays stuck when one dies, periodic jobs run once.

A worker says it is alive every few seconds; the periodic reclaim queues again the
running tasks of a worker gone silent; the scheduler runs each job once per period
however many workers ask; ``/healthz`` tells a supervisor whether the queue moves.
The last test kills a real worker process mid-render and watches another finish.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.models import Document, DocumentExport
from documents.services import document_export_request
from operations import reclaim, scheduler
from operations.models import PeriodicJob, WorkerHeartbeat

ROOT = Path(settings.BASE_DIR)


def running_task(document: Document, *, worker_id: str, started: dt.datetime) -> DBTaskResult:
    task = DBTaskResult.objects.get(args_kwargs__args=[document.pk])
    task.status, task.started_at, task.worker_ids = "RUNNING", started, [worker_id]
    task.save()
    return task


def beat(worker_id: str, seen: dt.datetime) -> None:
    WorkerHeartbeat.objects.create(worker_id=worker_id, hostname="h", pid=1, started_at=seen, seen_at=seen)


# The real worker closes its connection between tasks: only a committed database survives it.
@pytest.mark.django_db(transaction=True)
def test_tasks_of_a_silent_worker_go_back_to_the_queue(make_case):
    case = make_case()
    document = case.documents.get()
    now = timezone.now()
    long_ago = now - dt.timedelta(minutes=5)
    task = running_task(document, worker_id="dead", started=long_ago)
    beat("dead", long_ago)
    assert reclaim.tasks_reclaim(now=now) == 1
    task.refresh_from_db()
    assert task.status == "READY" and task.started_at is None
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    document.refresh_from_db()
    assert document.status == Document.Status.READY


def test_a_live_worker_keeps_its_tasks_and_an_unknown_one_gets_a_longer_lease(make_case):
    live_case, unknown_case = make_case(), make_case(given_names="Omar")
    now = timezone.now()
    a_while_ago = now - dt.timedelta(minutes=5)
    live = running_task(live_case.documents.get(), worker_id="live", started=a_while_ago)
    beat("live", now)
    unknown = running_task(unknown_case.documents.get(), worker_id="plain-db-worker", started=a_while_ago)
    assert reclaim.tasks_reclaim(now=now) == 0
    later = now + dt.timedelta(minutes=15)
    WorkerHeartbeat.objects.filter(worker_id="live").update(seen_at=later)  # still beating
    assert reclaim.tasks_reclaim(now=later) == 1  # the unknown one, its lease over
    live.refresh_from_db()
    unknown.refresh_from_db()
    assert (live.status, unknown.status) == ("RUNNING", "READY")


# The real worker closes its connection between tasks: only a committed database survives it.
@pytest.mark.django_db(transaction=True)
def test_an_export_of_a_dead_worker_starts_over(coordinator, make_case):
    make_case()
    export = document_export_request(actor=coordinator, filters={})
    DocumentExport.objects.filter(pk=export.pk).update(status=DocumentExport.Status.RUNNING, done=3)
    task = DBTaskResult.objects.get(args_kwargs__args=[export.pk], task_path__endswith="build_document_export")
    now = timezone.now()
    task.status, task.started_at, task.worker_ids = "RUNNING", now - dt.timedelta(minutes=5), ["dead"]
    task.save()
    beat("dead", now - dt.timedelta(minutes=5))
    assert reclaim.tasks_reclaim(now=now) == 1
    export.refresh_from_db()
    assert (export.status, export.done) == (DocumentExport.Status.PENDING, 0)
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    export.refresh_from_db()
    assert export.status == DocumentExport.Status.READY


def test_a_periodic_job_runs_once_per_period_however_many_workers_ask(db):
    runs = []
    job = scheduler.Job("count", dt.timedelta(minutes=1), lambda: runs.append(1))
    assert scheduler.jobs_run_due(jobs=(job,)) == ["count"]
    assert scheduler.jobs_run_due(jobs=(job,)) == []  # a second worker, same period
    assert len(runs) == 1
    PeriodicJob.objects.filter(name="count").update(next_run_at=timezone.now() - dt.timedelta(seconds=1))
    assert scheduler.jobs_run_due(jobs=(job,)) == ["count"]


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db):
    ran = []

    def broken():
        raise RuntimeError("boom")

    jobs = (scheduler.Job("broken", dt.timedelta(minutes=1), broken),
            scheduler.Job("fine", dt.timedelta(minutes=1), lambda: ran.append(1)))
    assert scheduler.jobs_run_due(jobs=jobs) == ["broken", "fine"]
    assert "RuntimeError: boom" in PeriodicJob.objects.get(name="broken").last_error
    assert ran == [1]


def test_healthz_reports_the_queue(client, make_case, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": True, "oldest_waiting_task_seconds": 0.0, "live_workers": 0,
    }
    make_case()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    settings.ITINERA_WORKER = {**settings.ITINERA_WORKER, "max_task_wait": 600}
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["oldest_waiting_task_seconds"] >= 3600


def test_serve_refuses_debug_and_a_missing_secret_key(settings, monkeypatch):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("serve")
    settings.DEBUG = False
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SECRET_KEY"):
        call_command("serve")


# --- a real worker killed mid-render ------------------------------------------------------

SETUP = """
from cases.models import Organisation, Programme, User
from cases.services import case_create
enabel = Organisation.objects.create(name="Enabel", kind="programme_operator", country="BE")
programme = Programme.objects.create(code="palim", name="PALIM", operator=enabel)
worker = User.objects.create_user(username="cw", password="x-secret-1", role="caseworker", organisation=enabel)
"""
NEW_CASE = """
import datetime as dt
from cases.models import Programme, User
from cases.services import case_create
case_create(actor=User.objects.get(username="cw"), programme=Programme.objects.get(code="palim"),
            participant={"given_names": "Fatima", "family_name": "Bennani", "date_of_birth": dt.date(1996, 4, 12),
                         "nationality": "MA", "preferred_language": "fr"})
"""


@pytest.fixture
def own_database(tmp_path):
    """A SQLite file the worker processes share (the test database is not visible to them)."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        ITINERA_VAR_DIR=str(tmp_path), DJANGO_DEBUG="false", ITINERA_WORKER_HEARTBEAT_SECONDS="0.5",
        ITINERA_WORKER_TIMEOUT_SECONDS="2", ITINERA_WORKER_RECLAIM_SECONDS="0.5",
    )

    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
            text=True, timeout=180, **kwargs,
        )

    manage("migrate", "-v0")
    manage("shell", "-c", SETUP)
    return manage, env, tmp_path / "itinera.sqlite3"


def _query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path, timeout=20) as db:
        return db.execute(sql).fetchall()


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_render_leaves_nothing_stuck(own_database):
    manage, env, database = own_database
    command = [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2"]
    killed = None
    for _attempt in range(3):
        manage("shell", "-c", NEW_CASE)
        document_id = _query(database, "SELECT max(id) FROM documents_document")[0][0]
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # The first render of a fresh process loads WeasyPrint and the fonts: slow enough to catch.
            assert _wait(lambda: _query(database, "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                                                  "WHERE status = 'RUNNING'")[0][0], 60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        status = _query(database, f"SELECT status FROM documents_document WHERE id = {document_id}")[0][0]
        if status == "pending":
            killed = document_id
            break
    assert killed, "the worker finished every render before it could be killed"
    assert _query(database, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")[0][0] == 1

    # No restart, no command: another worker running beside it takes the task up.
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(
            lambda: _query(database, f"SELECT status FROM documents_document WHERE id = {killed}")[0][0] == "ready",
            60,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    (name,) = _query(database, f"SELECT file FROM documents_document WHERE id = {killed}")[0]
    files = list((database.parent / "media").rglob("*.pdf"))
    stored = [f for f in files if f.name == Path(name).name]
    assert len(stored) == 1  # one file for the version, no second copy
    # A worker that stopped cleanly leaves no heartbeat behind.
    assert _query(database, "SELECT count(*) FROM operations_workerheartbeat WHERE seen_at > datetime('now', '-1 second')")[0][0] == 0
