"""Moving a deployment to PostgreSQL through the command line: `db copy` copies every row and
verifies the counts, refuses a non-empty target, and never shows the URL's password; `db
migrate` migrates; `backup` on PostgreSQL says how instead."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.storage import open_database
from bot.storage.broadcasts import (
    Outcome,
    create_broadcast,
    get_broadcast,
    outcome_counts,
    record_outcomes,
    start_sending,
)
from bot.storage.officials import audit, grant, request_approval
from bot.storage.questions import record_unanswered
from bot.storage.subscriptions import get_subscription, subscribe
from bot.storage.urls import redact_url
from bot.storage.users import get_user, set_region, touch_user
from tests.postgres import create_database, drop_database
from tests.test_cli import run

NOW = datetime(2029, 2, 1, 3, 0, tzinfo=UTC)
PASSWORD = "S3cret-Pw-never-shown"


def with_password(url: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.split("@", 1)[0].split(":", 1)[0]
    host = parts.netloc.split("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD}@{host}"))


async def sqlite_deployment(path: Path) -> None:
    db = await open_database(path)
    try:
        for uid in (11, 12, 13):
            await touch_user(db, uid, "id" if uid != 13 else "en", NOW)
            await subscribe(db, uid, NOW, ["announcements", "countdown"])
        await set_region(db, 11, "99.01.05.2001")
        await grant(db, 900, "announcer", "cli", NOW)
        await audit(db, NOW, "cli", "role.grant", "900 announcer")
        await request_approval(db, 900, {"text": "x"}, 3, NOW)
        await record_unanswered(db, "kapan pemilu?", "id", NOW)
        bid = await create_broadcast(db, created_by="cli", topic="announcements", text="Halo",
                                     not_before=NOW, now=NOW)
        broadcast = await get_broadcast(db, bid)
        assert broadcast is not None
        assert (await start_sending(db, broadcast, NOW)).recipients == 3
        await record_outcomes(db, bid, [Outcome(11, "sent", None, 1), Outcome(12, "blocked",
                              "blocked", 1)], NOW, "2029-02-01", True)
    finally:
        await db.close()


async def test_db_copy_moves_every_row_and_never_shows_the_password(
        tmp_path: Path, pg_admin_url: str) -> None:
    source = tmp_path / "old.sqlite3"
    await sqlite_deployment(source)
    target = await create_database(pg_admin_url)
    secret = with_password(target)
    try:
        env = {"DATABASE_PATH": str(source)}
        done = await asyncio.to_thread(run, "db", "copy", "--to", secret, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        assert "counts verified" in done.stdout and "  users: 3 rows" in done.stdout
        assert redact_url(secret) in done.stdout
        db = await open_database(target)
        try:
            assert (await get_user(db, 11)).region_code == "99.01.05.2001"  # type: ignore[union-attr]
            sub = await get_subscription(db, 12)
            assert sub is not None and not sub.active        # blocked, as it was
            assert await outcome_counts(db, 1) == {"sent": 1, "blocked": 1, "pending": 1}
            # The sequences go on after the copied ids.
            assert await create_broadcast(db, created_by="cli", topic="countdown", text="x",
                                          not_before=NOW, now=NOW) == 2
        finally:
            await db.close()
        # Copying again: the target is no longer empty.
        again = await asyncio.to_thread(run, "db", "copy", "--to", secret, cwd=tmp_path, env=env)
        assert again.returncode == 2 and "not empty" in again.stderr
        # Nowhere to connect to: said without the password.
        parts = urlsplit(secret)
        nowhere = urlunsplit(parts._replace(query="host=/nonexistent-socket-dir"))
        failed = await asyncio.to_thread(run, "db", "copy", "--to", nowhere, cwd=tmp_path, env=env)
        assert failed.returncode == 2 and "cannot connect" in failed.stderr
        migrated = await asyncio.to_thread(run, "db", "migrate", cwd=tmp_path,
                                           env={"DATABASE_URL": secret})
        assert migrated.returncode == 0 and "schema up to date" in migrated.stdout
        for result in (done, again, failed, migrated):
            assert PASSWORD not in result.stdout + result.stderr
    finally:
        await drop_database(pg_admin_url, target)


def test_backup_and_restore_on_postgresql_say_how(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"postgresql://suara:{PASSWORD}@db.example:5432/suara"}
    for command in ("backup", "restore"):
        result = run(command, str(tmp_path / "x.dump"), cwd=tmp_path, env=env)
        assert result.returncode == 2
        assert "pg_dump --format=custom" in result.stderr and "pg_restore" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr


def test_a_source_at_an_older_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    from bot.storage.db import _migrations
    old = tmp_path / "v3.sqlite3"
    with sqlite3.connect(old) as conn:
        for number, _, sql in _migrations()[:3]:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    result = run("db", "copy", "--to", "postgresql://u@localhost/x", "--from", str(old),
                 cwd=tmp_path)
    assert result.returncode == 2 and "db migrate" in result.stderr, result.stderr
