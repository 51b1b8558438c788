"""A real PostgreSQL for the tests: one server per test session, from the `pgserver` wheel
(no network, no root needed; as root it runs the server as its own system user), on a unix
socket in a temporary folder; a fresh database for each test.

If the server cannot start, tests that need it fail under CI (CI=true) and are skipped with the
reason elsewhere."""

from __future__ import annotations

import itertools
import os
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

_names = itertools.count(1)
# Durability is not what these tests are about: a server that does not fsync is much faster.
FAST = ("ALTER SYSTEM SET fsync = off", "ALTER SYSTEM SET synchronous_commit = off",
        "ALTER SYSTEM SET full_page_writes = off", "SELECT pg_reload_conf()")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def start_server() -> tuple[Any, str]:
    """(the server handle, its admin URL)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver
        folder = tempfile.mkdtemp(prefix="suara-pg-")
        server = pgserver.get_server(os.path.join(folder, "data"), cleanup_mode="delete")
        for statement in FAST:
            server.psql(statement + ";")
    return server, server.get_uri()


def stop_server(server: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.cleanup()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    try:
        server, url = start_server()
    except Exception as exc:  # any reason: say it
        reason = f"PostgreSQL test server did not start: {type(exc).__name__}: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield url
    finally:
        stop_server(server)


async def create_database(admin_url: str) -> str:
    """A new, empty database; its URL."""
    import asyncpg
    name = f"t{os.getpid()}_{next(_names)}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
