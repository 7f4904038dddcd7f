"""A backup restores everything, files included: the round trip on this run's database.

The source and the target are databases of their own (a SQLite file, or two databases
on this run's PostgreSQL server), used by the real commands in separate processes.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
SETUP = """
import datetime as dt
from django.core.management import call_command
from cases.models import Organisation, Programme, User
from cases.services import case_create
enabel = Organisation.objects.create(name="Enabel", kind="programme_operator", country="BE")
programme = Programme.objects.create(code="palim", name="PALIM", operator=enabel)
worker = User.objects.create_user(username="cw", password="x-secret-1", role="caseworker", organisation=enabel)
for name in ("Fatima", "Youssef"):
    case_create(actor=worker, programme=programme, participant={
        "given_names": name, "family_name": "Bennani", "date_of_birth": dt.date(1996, 4, 12),
        "nationality": "MA", "preferred_language": "fr"})
call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
"""
SUMMARY = """
import hashlib, json
from documents.models import Document
from operations.backup import row_counts
documents = {d.pk: hashlib.sha256(d.file.open("rb").read()).hexdigest() for d in Document.objects.exclude(file="")}
print(json.dumps({"counts": row_counts(), "documents": documents, "ready": list(Document.objects.values_list("status", flat=True))}))
"""


def _postgres_databases(base_url: str):
    import psycopg

    names = [f"itinera_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    admin = psycopg.connect(base_url, autocommit=True)
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    root = base_url.rsplit("/", 1)[0]
    return [f"{root}/{name}" for name in names], admin, names


@pytest.fixture
def two_databases(tmp_path):
    """(source env, target env) for manage.py, each with its own database and media."""
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    envs = [dict(base, ITINERA_VAR_DIR=str(tmp_path / kind)) for kind in ("source", "target")]
    for env in envs:
        Path(env["ITINERA_VAR_DIR"]).mkdir()
    admin = None
    if connection.vendor == "postgresql":
        urls, admin, names = _postgres_databases(os.environ["DATABASE_URL"])
        for env, url in zip(envs, urls, strict=True):
            env["DATABASE_URL"] = url
    yield envs
    if admin is not None:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300, check=check,
    )


def test_a_backup_restores_every_row_and_every_file(two_databases, tmp_path):
    source, target = two_databases
    manage(source, "migrate", "-v0")
    manage(source, "shell", "-v0", "-c", SETUP)
    before = json.loads(manage(source, "shell", "-v0", "-c", SUMMARY).stdout)
    assert before["documents"] and set(before["ready"]) == {"ready"}

    archive = tmp_path / "backup.tar.gz"
    manage(source, "backup", str(archive))
    with tarfile.open(archive) as contents:
        names = contents.getnames()
        manifest = json.load(contents.extractfile("manifest.json"))
    assert any(name.startswith("files/documents/") for name in names)
    assert manifest["row_counts"]["cases.Case"] == 2

    restored = manage(target, "restore", str(archive))
    assert "counts and document hashes match" in restored.stdout
    after = json.loads(manage(target, "shell", "-v0", "-c", SUMMARY).stdout)
    assert after["counts"] == before["counts"]
    assert after["documents"] == before["documents"]

    # Restoring again over what is now there is refused, and changes nothing.
    again = manage(target, "restore", str(archive), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_changes(two_databases, tmp_path):
    source, target = two_databases
    manage(source, "migrate", "-v0")
    archive = tmp_path / "backup.tar.gz"
    manage(source, "backup", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name.startswith("database"):
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    refused = manage(target, "restore", str(damaged), check=False)
    assert refused.returncode != 0 and "does not match its manifest" in refused.stderr
    # The target stayed untouched: still no table at all.
    tables = "from django.db import connection; print('tables:', connection.introspection.table_names())"
    assert "tables: []" in manage(target, "shell", "-v0", "-c", tables).stdout
