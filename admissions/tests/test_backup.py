"""The backup and restore drill (issue 15, item 4; parcours/backup.py), on the database
the suite runs on (SQLite, or PostgreSQL in CI): a populated instance, a backup, a
restore into another empty database and folder, every table's rows and every file
identical, a piece downloaded before and read after byte-identical; and the refusals."""

from __future__ import annotations

import os
import sqlite3
import tarfile
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.db import connection

from admissions.models import DossierFile
from parcours import backup

pytestmark = pytest.mark.django_db(transaction=True)


def _live_counts() -> dict[str, int]:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return backup._sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return backup._pg_counts(cursor)


@pytest.fixture
def empty_database(tmp_path):
    """An empty database beside the test database: a file, or a PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    values = connection.settings_dict
    name = f"parcours_drill_{uuid.uuid4().hex[:8]}"
    dsn = {
        "dbname": values["NAME"],
        "user": values["USER"],
        "password": values["PASSWORD"],
        "host": values["HOST"] or None,
        "port": values["PORT"] or None,
    }
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    url = (
        f"postgres://{values['USER']}:{values['PASSWORD']}@{values['HOST'] or 'localhost'}:"
        f"{values['PORT'] or 5432}/{name}"
    )
    yield url
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_whole_drill_restores_every_row_and_every_file(
    client, deposited, learner, tmp_path, private_media, empty_database
):
    stored = DossierFile.objects.filter(item__dossier=deposited).first()
    client.force_login(learner)
    downloaded = b"".join(
        client.get(f"/dossier/{deposited.pk}/fichiers/{stored.pk}/").streaming_content
    )
    before = _live_counts()
    assert before["admissions_dossier"] == 1 and before["admissions_dossierfile"] >= 8

    archive = backup.create_backup(tmp_path / "backups")
    restored = backup.restore(archive, empty_database, tmp_path / "restored-private")

    assert restored.rows == sum(before.values()) and restored.tables == len(before)
    assert restored.files == sum(1 for p in Path(private_media).rglob("*") if p.is_file())
    copy = tmp_path / "restored-private" / stored.stored_name
    assert copy.read_bytes() == downloaded
    if connection.vendor == "sqlite":
        target = sqlite3.connect(dj_database_url.parse(empty_database)["NAME"])
        assert backup._sqlite_counts(target) == before
        target.close()
    print(f"exercice de restauration : {restored}")


def test_a_restore_refuses_a_database_or_folder_not_empty(deposited, tmp_path, empty_database):
    archive = backup.create_backup(tmp_path / "backups")
    backup.restore(archive, empty_database, tmp_path / "first")
    with pytest.raises(backup.BackupError, match=r"(n'est pas vide|existe déjà)"):
        backup.restore(archive, empty_database, tmp_path / "second")
    with pytest.raises(backup.BackupError, match="n'est pas vide"):
        backup.restore(archive, "sqlite:///" + str(tmp_path / "other.sqlite3"), tmp_path / "first")


def test_a_tampered_archive_is_refused(deposited, tmp_path, empty_database):
    archive = backup.create_backup(tmp_path / "backups")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("private/") and data:
                data = b"x" + data[1:]
            member.size = len(data or b"")
            target.addfile(member, __import__("io").BytesIO(data or b""))
    with pytest.raises(backup.BackupError, match="altéré"):
        backup.restore(tampered, empty_database, tmp_path / "restored")


def test_old_archives_beyond_the_retention_are_removed(db, tmp_path, settings):
    """R-ORG-6: purged personal data lingers in backups for BACKUP_KEEP nights at most."""
    settings.BACKUP_KEEP = 2
    made = [backup.create_backup(tmp_path) for _ in range(3)]
    assert sorted(tmp_path.glob("parcours-*.tar")) == made[1:]
    assert os.path.exists(made[2])


def test_a_missing_or_broken_archive_is_refused_in_french(db, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Restauration refusée"):
        call_command("restore", str(tmp_path / "absente.tar"), fichiers=str(tmp_path / "f"))
    broken = tmp_path / "tronquee.tar"
    broken.write_bytes(b"pas une archive")
    with pytest.raises(CommandError, match="Restauration refusée"):
        call_command("restore", str(broken), fichiers=str(tmp_path / "f"))
