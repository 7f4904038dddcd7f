"""Serve Itinera in production: gunicorn for the web, supervised background workers.

``scripts/serve`` runs this after the set-up steps. Web processes:
``ITINERA_WEB_WORKERS`` (default 2 x cores + 1); background workers:
``ITINERA_TASK_WORKERS`` (default 1), each restarted when it dies. SIGTERM or
Ctrl-C stops everything cleanly: the workers finish their current task first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# A worker that dies again within this many seconds is restarted after a pause.
RESTART_PAUSE = 5.0
STOP_GRACE = 30.0


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


class Command(BaseCommand):
    help = "Serve the app with gunicorn and supervised background workers (production)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ITINERA_BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options):
        if settings.DEBUG:
            raise CommandError("DJANGO_DEBUG is on: production never shows debug pages. Unset it.")
        if not os.environ.get("DJANGO_SECRET_KEY"):
            raise CommandError("Set DJANGO_SECRET_KEY: production needs a secret key of its own.")
        web_workers = _count("ITINERA_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
        task_workers = _count("ITINERA_TASK_WORKERS", 1)
        python = sys.executable
        web = subprocess.Popen(
            [python, "-m", "gunicorn", "config.wsgi", "--bind", bind, "--workers", str(web_workers),
             "--access-logfile", "-", "--graceful-timeout", str(int(STOP_GRACE))],
        )  # fmt: skip
        worker_command = [python, "manage.py", "run_worker", "--no-startup-delay"]
        workers = [subprocess.Popen(worker_command) for _ in range(task_workers)]
        started = [time.monotonic()] * task_workers
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            f"Serving on http://{bind}/ with {web_workers} web and {task_workers} task workers."
        )
        try:
            while not stopping and web.poll() is None:
                for index, process in enumerate(workers):
                    if process.poll() is not None:
                        self.stderr.write(
                            f"Task worker {process.pid} exited ({process.returncode}); restarting."
                        )
                        if time.monotonic() - started[index] < RESTART_PAUSE:
                            time.sleep(RESTART_PAUSE)
                        workers[index] = subprocess.Popen(worker_command)
                        started[index] = time.monotonic()
                time.sleep(0.5)
        finally:
            for process in [web, *workers]:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE
            for process in [web, *workers]:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        if web.returncode not in (0, None, -signal.SIGTERM) and not stopping:
            raise CommandError(f"gunicorn exited with status {web.returncode}.")
