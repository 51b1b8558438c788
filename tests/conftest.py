from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content, load_content
from bot.regions.loader import load_regions
from bot.regions.tree import RegionTree
from bot.settings import Settings, load_settings
from bot.shell.botapi import LocalRequest
from tests.fakes.harness import BOT_USERNAME, Harness
from tests.fakes.strict_api import StrictBotApi
from tests.postgres import create_database, drop_database, pg_admin_url

__all__ = ["pg_admin_url"]    # the session's PostgreSQL server (a fixture)

TEST_TOKEN = "123456789:TEST-token-for-offline-tests-only"
# Code tests run on the fixture content of an invented regency (tests/fixtures/content): editing
# the bundled content/ never breaks them. Content tests use `bundled_content`.
FIXTURE_CONTENT = PROJECT_ROOT / "tests" / "fixtures" / "content"
# A fixture province with two invented regions (issue 20's code tests).
FIXTURE_PROVINCE = FIXTURE_CONTENT.parent / "province"
FIXTURE_TPS = PROJECT_ROOT / "tests" / "fixtures" / "tps_sample.csv"
# Content embeddings are keyed by content and model version: one cache serves every test run.
EMBEDDINGS_CACHE = Path(tempfile.gettempdir()) / "suara-test-embeddings"
# A moment during the fixture's campaign, two weeks before its voting day (UTC; 09:00 WIB).
DURING_CAMPAIGN = datetime(2029, 2, 28, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's .env or environment."""
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_PATH", "DATABASE_URL", "ADMIN_IDS", "TIMEZONE",
                 "LOG_LEVEL", "CONTENT_DIR", "QUIET_HOURS", "DAILY_CAP", "BROADCAST_RATE",
                 "PAID_BROADCAST", "SCHEDULE_GRACE_HOURS", "SEMANTIC_THREADS", "CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(FIXTURE_CONTENT)


@pytest.fixture(scope="module")
def province() -> Content:
    """The fixture province, loaded once per module (some modules add to it)."""
    return load_content(FIXTURE_PROVINCE)


@pytest.fixture(scope="session")
def bundled_province() -> Content:
    """The bundled Sumatera Selatan deployment, with its regions known."""
    content = load_content(PROJECT_ROOT / "content")
    load_regions(content)
    return content


@pytest.fixture(scope="session")
def bundled_content(bundled_province: Content) -> Content:
    """The bundled content as a citizen of Kabupaten Muara Enim reads it (its layer over the
    shared one): what the content tests written for that regency check."""
    return bundled_province.for_region("16.03")


@pytest.fixture(scope="session")
def regions(content: Content) -> RegionTree:
    return load_regions(content)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database on each backend: a SQLite file's path, or a new PostgreSQL database's
    URL on the session's server (tests/postgres.py)."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.sqlite3")
        return
    admin = request.getfixturevalue("pg_admin_url")
    url = await create_database(admin)
    try:
        yield url
    finally:
        await drop_database(admin, url)


@pytest.fixture
async def pg_url(pg_admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty database on the session's PostgreSQL server (PostgreSQL-only tests)."""
    url = await create_database(pg_admin_url)
    try:
        yield url
    finally:
        await drop_database(pg_admin_url, url)


def database_env(database: str) -> dict[str, str]:
    """The settings that select `database` (the `database` fixture's value)."""
    key = "DATABASE_URL" if database.startswith("postgresql://") else "DATABASE_PATH"
    return {key: database}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_PATH=str(tmp_path / "test.sqlite3"),
                         CACHE_DIR=str(EMBEDDINGS_CACHE))


@pytest.fixture
async def harness(settings: Settings, content: Content) -> AsyncIterator[Harness]:
    request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
    clock = FixedClock(DURING_CAMPAIGN)
    app = build_application(settings, request=request, get_updates_request=request, clock=clock,
                            content=content)
    await open_offline(app)
    await app.services.semantic_ready.wait()   # deterministic: the model is loaded (or not)
    try:
        yield Harness(app, request, clock)
    finally:
        await close_offline(app)
    # Anything the Bot API refused is a bug, except an edit that changed nothing (handled).
    refused = [(c.method, c.error) for c in request.calls
               if c.error and "not modified" not in c.error]
    assert refused == [], refused
