"""Backups that restore: the database and every stored file in one archive, checked.

``backup_write`` puts into one ``.tar.gz``:

* the database: PostgreSQL with ``pg_dump`` (custom format), SQLite with its online
  backup API (consistent while the app runs);
* every stored file (rendered documents, evidence, exports) under ``files/``; with an
  S3 bucket, whose files stay in the bucket, the manifest lists their keys and hashes;
* ``manifest.json``: the row count of every table, and the SHA-256 of every member.

``backup_restore`` checks the archive against its manifest, refuses a database or a
media folder that is not empty, restores both, and checks the row counts and every
document's hash again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    """Why a backup or a restore cannot go on; nothing was changed."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_files(storage, folder: str = "") -> list[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # no media folder yet
        return []
    paths = [f"{folder}/{name}" if folder else name for name in files]
    for directory in directories:
        paths += _stored_files(storage, f"{folder}/{directory}" if folder else directory)
    return sorted(paths)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def document_hashes() -> dict[str, str]:
    document = apps.get_model("documents", "Document")
    return {str(pk): sha for pk, sha in document.objects.exclude(sha256="").values_list("pk", "sha256")}


def _database_url_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def _dump_database(workdir: Path) -> str:
    if connection.vendor == "postgresql":
        target = workdir / "database.pgdump"
        args, env = _database_url_args()
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target.name
    if connection.vendor == "sqlite":
        target = workdir / "database.sqlite3"
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)
        finally:
            source.close()
        return target.name
    raise BackupError(f"No backup for the {connection.vendor} database.")


def backup_write(destination: Path) -> Path:
    """Write the archive (into ``destination``, a folder, or at that path); returns its path."""
    if destination.is_dir():
        destination = destination / f"itinera-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        members: dict[str, str] = {}
        database = _dump_database(workdir)
        members[database] = _sha256((workdir / database).read_bytes())
        storage = default_storage
        in_archive = isinstance(storage, FileSystemStorage)
        stored = {}
        for name in _stored_files(storage):
            with storage.open(name, "rb") as handle:
                data = handle.read()
            stored[name] = _sha256(data)
            if in_archive:
                member = workdir / "files" / name
                member.parent.mkdir(parents=True, exist_ok=True)
                member.write_bytes(data)
                members[f"files/{name}"] = stored[name]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "database_file": database,
            "files_in_archive": in_archive,
            "stored_files": stored,
            "row_counts": row_counts(),
            "document_sha256": document_hashes(),
            "members": members,
        }
        (workdir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for path in sorted(workdir.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(workdir)))
        partial.replace(destination)  # a crash mid-write never leaves a file that looks whole
    return destination


def _read_archive(path: Path, workdir: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(workdir, filter="data")
        manifest = json.loads((workdir / "manifest.json").read_text())
    except (OSError, tarfile.TarError, ValueError, KeyError) as error:
        raise BackupError(f"{path} is not a readable Itinera backup: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup of another format ({manifest.get('format')}).")
    for member, expected in manifest["members"].items():
        file = workdir / member
        if not file.is_file() or _sha256(file.read_bytes()) != expected:
            raise BackupError(f"{member} in {path} does not match its manifest: the archive is damaged.")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"This is a {manifest['database']} backup; the database here is {connection.vendor}."
        )
    return manifest


def _ensure_empty() -> None:
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore into a new, empty database.")
    if _stored_files(default_storage):
        raise BackupError("The media storage is not empty: restore into an empty media folder.")


def _restore_database(workdir: Path, manifest: dict) -> None:
    dump = workdir / manifest["database_file"]
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _database_url_args()
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        connection.close()
        target = Path(settings.DATABASES["default"]["NAME"])
        with sqlite3.connect(dump) as source, sqlite3.connect(target) as copy:
            source.backup(copy)


def backup_restore(path: Path) -> dict:
    """Restore ``path`` into the empty database and media storage; returns the manifest."""
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        manifest = _read_archive(path, workdir)
        _ensure_empty()
        _restore_database(workdir, manifest)
        if manifest["files_in_archive"]:
            for name in manifest["stored_files"]:
                default_storage.save(name, ContentFile((workdir / "files" / name).read_bytes()))
    problems = [
        f"{label}: {count} rows, {manifest['row_counts'][label]} in the backup"
        for label, count in row_counts().items()
        if label in manifest["row_counts"] and count != manifest["row_counts"][label]
    ]
    document = apps.get_model("documents", "Document")
    for document_row in document.objects.exclude(file=""):
        with document_row.file.open("rb") as handle:
            if _sha256(handle.read()) != document_row.sha256:
                problems.append(f"document {document_row.pk}: its file does not match its hash")
    if problems:
        raise BackupError("The restored data does not match the backup: " + "; ".join(problems))
    return manifest

