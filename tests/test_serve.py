"""The production server for real: gunicorn and a supervised worker on loopback, static
files from WhiteNoise, /healthz, a worker that dies restarted, and a clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_serve_answers_restarts_a_dead_worker_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(ITINERA_VAR_DIR=str(tmp_path), DJANGO_SECRET_KEY="test-" + "k" * 40, ITINERA_WEB_WORKERS="2")
    for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, timeout=180)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, body, _headers = get(f"{base}/healthz")
                if status == 200 and json.loads(body)["live_workers"] >= 1:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert status == 200
        status, body, headers = get(f"{base}/login/")
        assert status == 200 and b"itinera/app." in body
        stylesheet = next(part.split('"')[0] for part in body.decode().split('href="') if "app." in part.split('"')[0])
        assert stylesheet != "/static/itinera/app.css"  # a hashed name, cacheable for ever
        status, _css, headers = get(base + stylesheet)
        assert status == 200 and "max-age" in headers.get("Cache-Control", "")

        # Kill the background worker: the supervisor starts another.
        workers = subprocess.run(["pgrep", "-f", "manage.py run_worker", "-s", str(os.getpgid(server.pid))],
                                 capture_output=True, text=True).stdout.split()
        assert len(workers) == 1
        os.kill(int(workers[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        replaced = []
        while time.monotonic() < deadline and not replaced:
            time.sleep(0.5)
            replaced = [
                pid for pid in subprocess.run(["pgrep", "-f", "manage.py run_worker"], capture_output=True,
                                              text=True).stdout.split() if pid != workers[0]
            ]
        assert replaced, "the dead worker was not restarted"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 0, server.stdout.read()
    left = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    assert not left
