"""Operator commands: content init and reload, backup and restore, db migrate and copy
(python -m bot ...)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bot.content.registry import ContentError, load_content
from bot.masking import redact
from bot.settings import SettingsError, load_settings


def _fail(message: str, code: int = 2) -> int:
    """One line on stderr, for the operator; exit code 2 (usage or refused). Redacted as the
    logs are: no token, webhook secret or password, whatever the message quotes."""
    print(f"error: {redact(message)}", file=sys.stderr)
    return code


def guard(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command: a database it cannot open or use (DB-API errors, on both backends)
    is one redacted line, never a traceback quoting the URL."""
    from bot.storage.db import DatabaseError

    try:
        return int(command(args))
    except DatabaseError as exc:
        return _fail(f"database: {type(exc).__name__}: {exc}")


def cmd_content(args: argparse.Namespace) -> int:
    import shutil

    from bot import bundled_content

    if args.action == "reload":
        return _reload()
    target = Path(args.dir)
    if target.exists() and any(target.iterdir()):
        return _fail(f"{target} exists and is not empty: choose a new folder")
    source = bundled_content()
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    count = sum(1 for p in target.rglob("*") if p.is_file())
    print(f"copied the bundled content ({count} files) from {source} to {target}")
    print(f"edit it, check it with: python -m bot check --content {target}")
    print(f"then run the bot with CONTENT_DIR={target.resolve()}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, backup, restore

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    if settings.on_postgres:
        print(PG_BACKUP, file=sys.stderr)
        return 2
    database = settings.database_path
    try:
        if args.command == "backup":
            size = backup(database, Path(args.path))
            print(f"backed up {database} to {args.path} ({size} bytes, integrity checked)")
        else:
            version = restore(Path(args.path), database)
            print(f"restored {database} from {args.path} (schema {version}; the bot applies any "
                  "newer migrations when it starts)")
    except BackupError as exc:
        return _fail(str(exc))
    return 0


def _reload() -> int:
    """Validate CONTENT_DIR whole; if it is sound, tell the running bot (SIGHUP) to use it,
    or on PostgreSQL every process (the deployment's content version, notified)."""
    import os
    import signal

    from bot.content.version import content_version
    from bot.regions.loader import load_regions
    from bot.storage.backup import RunLock

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    try:
        version = content_version(settings.content_dir)
        load_regions(load_content(settings.content_dir))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print("not reloaded: the running bot keeps the content it has", file=sys.stderr)
        return 1
    if settings.on_postgres:
        return _reload_everywhere(settings.database, settings.content_dir, version)
    pid = RunLock(settings.database_path).holder()
    if pid is None:
        print(f"content OK: {settings.content_dir}; no bot is running on "
              f"{settings.database_path}, so it is used at the next start")
        return 0
    os.kill(pid, signal.SIGHUP)
    print(f"content OK: {settings.content_dir}; the running bot (pid {pid}) reloads it now")
    return 0


def _reload_everywhere(url: str, content_dir: Path, version: str) -> int:
    """PostgreSQL: make `version` the deployment's content; every process reloads (bot/reload.py)."""
    import asyncio
    import socket
    from datetime import UTC, datetime

    from bot.storage.content_state import request_reload

    try:
        wanted, listening = asyncio.run(request_reload(
            url, version, f"content reload on {socket.gethostname()}", datetime.now(UTC)))
    except Exception as exc:   # one line for the operator, never the URL itself
        return _fail(f"{type(exc).__name__}: {exc}")
    print(f"content OK: {content_dir} (version {version}); {listening} running bot process(es) "
          f"reload it now (generation {wanted.generation}); a process whose own CONTENT_DIR "
          "is another version stops serving until it is this one")
    return 0




PG_BACKUP = """on PostgreSQL (DATABASE_URL), back up and restore with PostgreSQL's own tools:
  backup:  pg_dump --format=custom --file=suara.dump "$DATABASE_URL"
  restore: (bots stopped) pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" suara.dump
`backup`/`restore` here copy the SQLite file (DATABASE_PATH); `db copy` moves one to PostgreSQL."""


def cmd_db(args: argparse.Namespace) -> int:
    """`db migrate`: apply the migrations the database lacks (also done at every start);
    `db copy --to URL`: copy a stopped SQLite deployment (or a backup) into empty PostgreSQL."""
    import asyncio

    from bot.storage import open_database
    from bot.storage.transfer import CopyError, copy_to_postgres
    from bot.storage.urls import is_postgres_url, redact_url

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    if args.action == "migrate":
        async def migrate() -> None:
            db = await open_database(settings.database)
            await db.close()
        try:
            asyncio.run(migrate())
        except Exception as exc:   # one line for the operator, never the URL itself
            return _fail(f"{type(exc).__name__}: {exc}")
        print(f"{redact_url(settings.database)}: schema up to date")
        return 0
    if not is_postgres_url(args.to):
        return _fail("--to must be postgresql://user:password@host:5432/database")
    source = Path(args.source) if args.source else settings.database_path
    print(f"copying {source} to {redact_url(args.to)}")
    try:
        copied = asyncio.run(copy_to_postgres(source, args.to))
    except CopyError as exc:
        return _fail(str(exc))
    except Exception as exc:   # one line, nothing kept (one transaction), never the URL
        return _fail(f"copy failed, nothing kept: {type(exc).__name__}: {exc}")
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables, counts verified; "
          f"set DATABASE_URL to use it")
    return 0
