"""Operator commands: content init and reload, backup and restore, db migrate and copy
(python -m bot ...)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.content.registry import ContentError, load_content
from bot.masking import redact
from bot.settings import Settings, load_settings


def _fail(message: str, code: int = 2) -> int:
    """One line on stderr, for the operator; exit code 2 (usage or refused). Redacted as the
    logs are: no token, webhook secret or password, whatever the message quotes."""
    print(f"error: {redact(message)}", file=sys.stderr)
    return code


def settings_for(args: argparse.Namespace) -> Settings | None:
    """The settings a command runs with, read (and `.env` checked, its warnings printed) once,
    by main: None for the commands that read none (`content init`, `check --content`);
    `shell --db` names its own SQLite file. SettingsError: the one line to print."""
    if (args.command, getattr(args, "action", None)) == ("content", "init") \
            or (args.command == "check" and args.content):
        return None
    if args.command == "shell" and args.db:
        return load_settings(DATABASE_PATH=args.db)
    return load_settings()


def guard(command: Callable[[argparse.Namespace, Settings | None], int], args: argparse.Namespace,
          settings: Settings | None) -> int:
    """Run one command: a database it cannot open or use (DB-API errors, on both backends)
    is one redacted line, never a traceback quoting the URL."""
    from bot.storage.db import DatabaseError

    try:
        return int(command(args, settings))
    except DatabaseError as exc:
        return _fail(f"database: {type(exc).__name__}: {exc}")


def cmd_content(args: argparse.Namespace, settings: Settings | None) -> int:
    import shutil

    from bot import bundled_content

    if args.action == "reload":
        assert settings is not None         # settings_for: only `content init` reads none
        return _reload(settings)
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        return _fail(f"{target} is a file: content init copies into a new or empty folder")
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


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.storage.backup import BackupError, backup, restore

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


def _reload(settings: Settings) -> int:
    """Validate CONTENT_DIR whole; if it is sound, tell the running bot (SIGHUP) to use it,
    or on PostgreSQL every process (the deployment's content version, notified)."""
    import os
    import signal

    from bot.content.version import content_version
    from bot.regions.loader import load_regions
    from bot.storage.backup import RunLock

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
    """PostgreSQL: make `version` the deployment's content; every process reloads (bot/reload.py).
    Asked first which version each running process's CONTENT_DIR holds: when none has these
    files (CONTENT_DIR here is another folder, or the files not yet copied), nothing changes;
    set, every process would stop serving RELOAD_BOUND later."""
    import asyncio
    import socket
    from datetime import UTC, datetime

    from bot.storage.content_state import PROBE_SECONDS, probe_files, request_reload

    try:
        listening, answers = asyncio.run(probe_files(url, PROBE_SECONDS))
        able = [process for process, files in answers if files == version]
        if answers and not able:
            held = "; ".join(f"{process} has {files}" for process, files in answers)
            return _fail(f"not reloaded: no running bot process has these files ({content_dir} "
                         f"is version {version}; {held}): copy them to each process's "
                         "CONTENT_DIR first; the deployment keeps its content", 1)
        wanted, listening = asyncio.run(request_reload(
            url, version, f"content reload on {socket.gethostname()}", datetime.now(UTC)))
    except Exception as exc:   # one line for the operator, never the URL itself
        return _fail(f"{type(exc).__name__}: {exc}")
    print(f"content OK: {content_dir} (version {version}); {listening} running bot process(es) "
          f"reload it now (generation {wanted.generation}); a process whose own CONTENT_DIR "
          "is another version stops serving until it is this one")
    for process, files in answers:
        if files != version:
            print(f"warning: {process}'s CONTENT_DIR is version {files}: it stops serving "
                  "until its files are this version", file=sys.stderr)
    if len(answers) < listening:
        print(f"warning: {listening - len(answers)} process(es) did not say which files they "
              f"have within {PROBE_SECONDS:g} s", file=sys.stderr)
    return 0




# Commands that may create the SQLite database (or, restore, replace it); every other command
# on the database refuses one that does not exist (a mistyped DATABASE_PATH).
_CREATES = {("run", None), ("shell", None), ("db", "migrate"), ("restore", None)}
_USES_DATABASE = {"run", "shell", "backup", "restore", "db", "tps", "questions", "broadcast",
                  "schedule"}


def run_command(args: argparse.Namespace, settings: Settings | None) -> int:
    """A parsed command with its settings, after its preflight; a database path it still
    cannot open: one line."""
    from bot.storage.db import DatabasePathError

    refused = preflight(args, settings)
    if refused is not None:
        return refused
    try:
        return int(args.func(args, settings))
    except DatabasePathError as exc:
        return _fail(str(exc))


def preflight(args: argparse.Namespace, settings: Settings | None) -> int | None:
    """What a command needs of this machine before it starts, each problem one line naming
    the setting: a SQLite path it can open (existing, outside run/shell/db migrate/restore),
    `run`'s ports free, `tps export`'s file writable. None: go on."""
    if settings is None or args.command not in _USES_DATABASE \
            or (args.command, getattr(args, "action", None)) == ("db", "copy"):
        return None
    from bot.storage.db import sqlite_path_problem

    action = None if args.command in ("run", "shell", "restore") else getattr(args, "action", None)
    create = (args.command, action) in _CREATES
    if args.command == "shell":
        name, path = ("--db", Path(args.db)) if args.db else ("", Path("data/shell.sqlite3"))
    elif settings.on_postgres:
        name, path = "", None
    else:
        name, path = "DATABASE_PATH", settings.database_path
    problem = sqlite_path_problem(path, create) if path is not None else None
    if problem:
        return _fail(f"{name or 'the database'} {problem}")
    if args.command == "run":
        port, setting = (settings.webhook_port, "WEBHOOK_PORT") if args.webhook else \
            (settings.health_port, "HEALTH_PORT")
        if port and not _port_free(settings.webhook_listen, port):
            return _fail(f"{setting} {port} is in use on {settings.webhook_listen} (another bot "
                         "or program): stop it or choose another port")
        if settings.on_postgres:
            problem = _polling_conflict(settings.database, args.webhook)
            if problem:
                return _fail(problem)
    if args.command == "tps" and args.action == "export" and args.file:
        out = Path(args.file)
        if out.is_dir():
            return _fail(f"{out} is a directory: give a file name to write the CSV to")
        if not out.parent.is_dir():
            return _fail(f"{out.parent} does not exist: create it, or write the CSV elsewhere")
    return None


def _polling_conflict(url: str, webhook: bool) -> str | None:
    """Long polling takes the bot's updates alone: `run` deletes the webhook the others serve
    (PTB does, before its first getUpdates), and a leader's setWebhook cuts a polling process
    off (getUpdates: 409). Either refused while the other kind runs on the database."""
    from bot.storage.content_state import running

    serving, polling = asyncio.run(running(url))
    if not webhook and serving + polling:
        return (f"{serving + polling} bot process(es) already run on this PostgreSQL database: "
                "long polling (`run` without --webhook) must be the only one (it would delete "
                "the webhook they serve); start this one with `run --webhook`")
    if webhook and polling:
        return ("a long-polling bot process (`run` without --webhook) runs on this PostgreSQL "
                "database: stop it first (this process's setWebhook would cut it off from its "
                "updates), then run every process with --webhook")
    return None


def _port_free(host: str, port: int) -> bool:
    """Whether a listening socket could bind host:port now (as aiohttp does, address reused)."""
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except OSError:
        return True             # the server says what is wrong with the host itself
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError:
                return False
    return True


PG_BACKUP = """on PostgreSQL (DATABASE_URL), back up and restore with PostgreSQL's own tools:
  backup:  pg_dump --format=custom --file=suara.dump "$DATABASE_URL"
  restore: (bots stopped) pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" suara.dump
`backup`/`restore` here copy the SQLite file (DATABASE_PATH); `db copy` moves one to PostgreSQL."""


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """`db migrate`: apply the migrations the database lacks (also done at every start);
    `db copy --to URL`: copy a stopped SQLite deployment (or a backup) into empty PostgreSQL."""
    import asyncio

    from bot.storage import open_database
    from bot.storage.transfer import CopyError, copy_to_postgres
    from bot.storage.urls import is_postgres_url, redact_url

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
