"""Backups a person can trust (issue 15, item 4): one archive holding a consistent dump
of the database and the private files, with a manifest of every table's row count and
every file's checksum; a restore into an empty database and folder that checks both.

- SQLite: the online backup API (a consistent copy while the site runs); the counts are
  read from the copy itself.
- PostgreSQL: `pg_dump -Fc` on a snapshot exported by a repeatable-read transaction,
  the counts read in that same transaction: they describe exactly what was dumped.
- Files: copied after the snapshot; a stored file is durable before its row commits
  (parcours/uploads.py), so every file the dump names is there.

An archive is a tar file `parcours-<UTC timestamp>.tar` under BACKUP_DIR; the oldest
beyond BACKUP_KEEP are removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_DUMP = "database.sqlite3"
PG_DUMP = "database.pgdump"
FILES = "private"


class BackupError(Exception):
    """A backup or a restore refused, in French."""


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_of(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608
        for name in sorted(names)
    }


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(name)}")  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts


def _pg_environment(values: dict) -> dict[str, str]:
    environment = {**os.environ, "PGPASSWORD": str(values.get("PASSWORD") or "")}
    return environment


def _pg_arguments(values: dict) -> list[str]:
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if values.get(key):
            arguments += [flag, str(values[key])]
    return arguments


def create_backup(target: Path | None = None) -> Path:
    """Write one archive and return its path."""
    target = Path(target or settings.BACKUP_DIR)
    target.mkdir(parents=True, exist_ok=True)
    # Archives are named by the real time: they are the operator's, not the business's.
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    archive = target / f"parcours-{stamp}.tar"
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        engine = connection.vendor
        if engine == "sqlite":
            dump = work_dir / SQLITE_DUMP
            connection.ensure_connection()
            copy = sqlite3.connect(dump)
            try:
                connection.connection.backup(copy)
                tables = _sqlite_counts(copy)
            finally:
                copy.close()
        elif engine == "postgresql":
            dump = work_dir / PG_DUMP
            tables = _pg_dump_on_a_snapshot(dump)
        else:
            raise BackupError(f"Base de données « {engine} » : sauvegarde non prise en charge.")
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        files = _files_of(root)
        manifest = {
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database": dump.name,
            "tables": tables,
            "database_sha256": _sha256(dump),
            "files": files,
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, arcname=dump.name)
            for relative in files:
                tar.add(root / relative, arcname=f"{FILES}/{relative}")
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        with partial.open("rb") as stream:
            os.fsync(stream.fileno())
        partial.rename(archive)
    prune(target, settings.BACKUP_KEEP)
    return archive


def _pg_dump_on_a_snapshot(dump: Path) -> dict[str, int]:
    values = settings.DATABASES["default"]
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            completed = subprocess.run(  # noqa: S603 — fixed program, our arguments
                [
                    shutil.which("pg_dump") or "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    *_pg_arguments(values),
                    values["NAME"],
                ],
                env=_pg_environment(values),
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode:
                raise BackupError(f"pg_dump a échoué : {completed.stderr.strip()}")
            return _pg_counts(cursor)
        finally:
            cursor.execute("ROLLBACK")


def prune(target: Path, keep: int) -> list[Path]:
    """Remove the oldest archives beyond `keep`; returns those removed."""
    archives = sorted(target.glob("parcours-*.tar"))
    removed = archives[: max(0, len(archives) - keep)]
    for path in removed:
        path.unlink()
    return removed


def restore(archive: Path, database_url: str, private_root: Path) -> Restored:
    """Restore `archive` into an empty database (`database_url`) and an empty folder,
    then check every table's count and every file's checksum against the manifest."""
    archive = Path(archive)
    private_root = Path(private_root)
    if private_root.exists() and any(private_root.iterdir()):
        raise BackupError(f"Le dossier {private_root} n'est pas vide : restauration refusée.")
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        work_dir = Path(work)
        tar.extractall(work_dir, filter="data")
        manifest = json.loads((work_dir / MANIFEST).read_text())
        dump = work_dir / manifest["database"]
        if _sha256(dump) != manifest["database_sha256"]:
            raise BackupError("L'archive est altérée : l'empreinte de la base ne correspond pas.")
        target = dj_database_url.parse(database_url)
        if manifest["engine"] == "sqlite":
            counts = _restore_sqlite(dump, Path(target["NAME"]))
        else:
            counts = _restore_postgresql(dump, target)
        if counts != manifest["tables"]:
            different = sorted(
                name
                for name in set(counts) | set(manifest["tables"])
                if counts.get(name) != manifest["tables"].get(name)
            )
            raise BackupError(f"Lignes différentes après restauration : {', '.join(different)}.")
        source = work_dir / FILES
        for relative, checksum in manifest["files"].items():
            if _sha256(source / relative) != checksum:
                raise BackupError(f"Fichier altéré dans l'archive : {relative}.")
            destination = private_root / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, destination)
        restored = _files_of(private_root)
        if restored != manifest["files"]:
            raise BackupError("Les fichiers restaurés ne correspondent pas au manifeste.")
    return Restored(len(counts), sum(counts.values()), len(restored))


def _restore_sqlite(dump: Path, target: Path) -> dict[str, int]:
    if target.exists() and target.stat().st_size:
        raise BackupError(f"La base {target} existe déjà : restauration refusée.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return _sqlite_counts(copy)
    finally:
        source.close()
        copy.close()


def _restore_postgresql(dump: Path, target: dict) -> dict[str, int]:
    import psycopg

    dsn = {
        "dbname": target["NAME"],
        "user": target.get("USER") or None,
        "password": target.get("PASSWORD") or None,
        "host": target.get("HOST") or None,
        "port": target.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}) as db, db.cursor() as cursor:
        if _pg_counts(cursor):
            raise BackupError(f"La base {target['NAME']} n'est pas vide : restauration refusée.")
    completed = subprocess.run(  # noqa: S603 — fixed program, our arguments
        [
            shutil.which("pg_restore") or "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={target['NAME']}",
            *_pg_arguments(target),
            str(dump),
        ],
        env=_pg_environment(target),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise BackupError(f"pg_restore a échoué : {completed.stderr.strip()}")
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}) as db, db.cursor() as cursor:
        return _pg_counts(cursor)
