"""Moving a deployment: a stopped SQLite database (or a backup of a running one) copied into an
empty PostgreSQL database (`python -m bot db copy --to postgresql://...`).

All in one PostgreSQL transaction: the target gets every row or none. Tables go parents
first (foreign keys), by COPY in chunks; identity sequences continue after the highest id; the
row counts of every table are compared before the commit. The URL is shown only redacted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.storage.backup import BackupError, _check
from bot.storage.migrate import migrations
from bot.storage.urls import redact_url

CHUNK = 10_000


class CopyError(Exception):
    pass


def _parents_first(tables: list[str], edges: list[tuple[str, str]]) -> list[str]:
    """`tables` ordered so that a table referenced by another (child, parent) comes first."""
    ordered: list[str] = []
    pending = sorted(tables)
    while pending:
        ready = [t for t in pending
                 if not any(child == t and parent in pending and parent != t
                            for child, parent in edges)]
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {pending}")
        ordered += ready
        pending = [t for t in pending if t not in ready]
    return ordered


def _open_source(source: Path) -> sqlite3.Connection:
    """The SQLite database, read-only, once it is known sound and at this code's schema."""
    if not source.exists():
        raise CopyError(f"{source}: no database there (DATABASE_PATH, or --from)")
    try:
        version = _check(source)
    except BackupError as exc:
        raise CopyError(str(exc)) from exc
    latest = len(migrations("sqlite"))
    if version != latest:
        raise CopyError(f"{source} is at schema {version}, this code at {latest}: run "
                        "`python -m bot db migrate` on it first (DATABASE_PATH=it)")
    return sqlite3.connect(f"file:{source}?mode=ro", uri=True)


async def copy_to_postgres(source: Path, url: str,
                           report: Callable[[str], None] = print) -> dict[str, int]:
    """Copy the SQLite database at `source` into the empty PostgreSQL database at `url`;
    the rows copied per table (verified on both sides)."""
    import asyncpg

    from bot.storage.migrate import migrate_postgres

    lite = _open_source(source)
    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        lite.close()
        raise CopyError(f"cannot connect to {redact_url(url)}: {type(exc).__name__}") from None
    try:
        if any(await _counts(conn, await _pg_tables(conn))):
            raise CopyError(f"{redact_url(url)} is not empty: copy only into an empty database")
        await migrate_postgres(conn)
        tables = await _pg_tables(conn)
        theirs = {r[0] for r in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if set(tables) != theirs:
            raise CopyError(f"the two schemas differ: {sorted(set(tables) ^ theirs)}")
        edges = [(str(r[0]), str(r[1])) for r in await conn.fetch(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")]
        copied: dict[str, int] = {}
        async with conn.transaction():
            # The counts kept by triggers (migration 0016) are copied as they are: counting
            # every copied row again would double them.
            for table in tables:
                await conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            for table in _parents_first(tables, edges):
                copied[table] = await _copy_table(lite, conn, table)
                report(f"  {table}: {copied[table]} rows")
            for table in tables:
                await conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            for row in await conn.fetch(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND is_identity = 'YES'"):
                table, column = str(row[0]), str(row[1])
                await conn.execute(
                    f'SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX("{column}"), 1),'
                    f' MAX("{column}") IS NOT NULL) FROM "{table}"', table, column)
            there = dict(zip(tables, await _counts(conn, tables), strict=True))
            here = {t: int(lite.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0])
                    for t in tables}
            if there != here or copied != here:
                wrong = sorted(t for t in tables if there[t] != here[t] or copied[t] != here[t])
                raise CopyError(f"row counts differ after copying, nothing kept: {wrong}")
        return copied
    finally:
        lite.close()
        await conn.close()


async def _pg_tables(conn: object) -> list[str]:
    rows = await conn.fetch(  # type: ignore[attr-defined]
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' AND table_name <> 'suara_schema' ORDER BY 1")
    return [str(r[0]) for r in rows]


async def _counts(conn: object, tables: list[str]) -> list[int]:
    return [int(await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"'))  # type: ignore[attr-defined]
            for t in tables]


async def _copy_table(lite: sqlite3.Connection, conn: object, table: str) -> int:
    columns = [r[1] for r in lite.execute(f'PRAGMA table_info("{table}")')]
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = lite.execute(f'SELECT {names} FROM "{table}"')
    total = 0
    while rows := cursor.fetchmany(CHUNK):
        await conn.copy_records_to_table(table, records=rows,  # type: ignore[attr-defined]
                                         columns=columns)
        total += len(rows)
    return total
