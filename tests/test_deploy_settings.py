"""Every deployment setting comes from the environment; with production values Django's
deployment check has nothing to say, and the production command refuses unsafe ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Qp2" * 10,
    "DJANGO_ALLOWED_HOSTS": "itinera.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://itinera.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "true",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SESSION_COOKIE_SECURE": "true",
    "DJANGO_CSRF_COOKIE_SECURE": "true",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(ITINERA_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_with_production_values(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_scripts_serve_refuses_debug_and_a_missing_key(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    missing_key = subprocess.run(["scripts/serve"], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert missing_key.returncode == 2 and "DJANGO_SECRET_KEY" in missing_key.stderr
    debug = subprocess.run(
        ["scripts/serve"], cwd=ROOT, env={**environment, "DJANGO_SECRET_KEY": "k", "DJANGO_DEBUG": "true"},
        capture_output=True, text=True,
    )
    assert debug.returncode == 2 and "DJANGO_DEBUG" in debug.stderr
