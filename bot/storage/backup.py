"""Online backup and offline restore of the SQLite database (SQLite's backup API).

A running bot holds an exclusive lock on `<database>.lock` (RunLock, taken at start-up):
`restore` refuses to replace a database while anyone holds it. A backup needs no lock: it is a
consistent snapshot taken page by page while the bot keeps writing (WAL)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from bot.storage.db import _migrations


class BackupError(Exception):
    pass


class RunLock:
    """An advisory lock a running bot holds on its database for as long as it runs."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())    # `content reload` signals this process
        self._fd = fd
        return True

    def holder(self) -> int | None:
        """The pid of the running bot holding the lock, or None if nobody holds it."""
        if self.acquire():
            self.release()
            return None
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _check(path: Path) -> int:
    """The file is a sound Suara database: integrity, and a schema this code knows."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable SQLite database ({exc})") from exc
    if ok != "ok":
        raise BackupError(f"{path}: integrity check failed: {ok}")
    if "users" not in tables or not 1 <= version <= len(_migrations()):
        raise BackupError(f"{path}: not a Suara database this version can use "
                          f"(schema {version}, this code knows 1..{len(_migrations())})")
    return int(version)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy with SQLite's backup API, as one self-contained file."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            src.backup(dest, pages=1024)     # in steps: a busy bot is never held up long
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        src.close()


def backup(database: Path, target: Path) -> int:
    """Copy the live database to `target` (which must not exist); returns its size in bytes."""
    if not database.exists():
        raise BackupError(f"{database}: no database there (DATABASE_PATH)")
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _copy(database, partial)
    _check(partial)
    os.replace(partial, target)
    return target.stat().st_size


def restore(source: Path, database: Path) -> int:
    """Replace the database with a backup; refused while a bot holds the database."""
    if not source.exists():
        raise BackupError(f"{source}: no such file")
    version = _check(source)
    lock = RunLock(database)
    if not lock.acquire():
        raise BackupError(f"{database} is in use by a running bot: stop it first, then restore")
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        partial = database.with_name(database.name + ".restoring")
        _copy(source, partial)
        for suffix in ("-wal", "-shm"):      # the old database's log must not be replayed
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(partial, database)
    finally:
        lock.release()
    return version
