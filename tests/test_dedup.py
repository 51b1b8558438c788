"""An update Telegram delivers twice (a webhook retry reaching the same process or another) is
answered once: on PostgreSQL the first process to record its id handles it
(storage/updates.py); on SQLite one process remembers recent ids, writing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from bot.storage import open_database
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN, database_env
from tests.fakes import updates
from tests.fakes.harness import BOT_USERNAME
from tests.fakes.strict_api import StrictBotApi
from tests.postgres import create_database, drop_database

QUESTION = "jam berapa tps buka?"


@asynccontextmanager
async def running(database: str, content: Content) -> AsyncIterator[tuple[SuaraApplication,
                                                                           LocalRequest]]:
    """One bot process on `database`, over its own offline Bot API."""
    settings = load_settings(BOT_TOKEN=TEST_TOKEN, **database_env(database),
                             CACHE_DIR=str(EMBEDDINGS_CACHE))
    request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=FixedClock(DURING_CAMPAIGN), content=content)
    await open_offline(app)
    await app.services.semantic_ready.wait()
    try:
        yield app, request
    finally:
        await close_offline(app)


def question(request: LocalRequest, user_id: int) -> dict[str, Any]:
    """The JSON of one update, as Telegram would deliver it (and deliver again)."""
    api = request.api
    return api.new_update(message=updates.message(api, QUESTION, updates.user(user_id)))


def replies(request: LocalRequest) -> list[Any]:
    return [c for c in request.calls if c.method == "sendMessage"]


def duplicates(app: SuaraApplication) -> float:
    return app.services.metrics.duplicates._value.get()


async def handled_rows(database: str) -> int:
    db = await open_database(database)
    try:
        async with db.conn.execute("SELECT COUNT(*) FROM processed_updates") as cur:
            row = await cur.fetchone()
        return int(row[0])
    finally:
        await db.close()


async def test_an_update_delivered_twice_is_answered_once(database: str, content: Content
                                                          ) -> None:
    async with running(database, content) as (app, request):
        payload = question(request, 7101)
        for _ in range(2):
            await app.process_update(Update.de_json(payload, app.bot))
        assert len(replies(request)) == 1
        assert duplicates(app) == 1
        assert b"suara_duplicate_updates_total 1.0" in app.services.metrics.render()
        # Another update from the same user is answered as usual.
        await app.process_update(Update.de_json(question(request, 7101), app.bot))
        assert len(replies(request)) == 2 and duplicates(app) == 1
    # PostgreSQL records each update once, for every process to see; SQLite writes nothing.
    assert await handled_rows(database) == (2 if database.startswith("postgresql") else 0)


async def test_two_processes_on_one_postgres_answer_an_update_once(
        pg_admin_url: str, content: Content) -> None:
    url = await create_database(pg_admin_url)
    try:
        async with running(url, content) as (one, one_api), \
                running(url, content) as (two, two_api):
            for user_id in (7201, 7202, 7203):
                payload = question(one_api, user_id)
                # Delivered to both at once (a retry while the first is still working), and
                # once more to each afterwards.
                await asyncio.gather(one.process_update(Update.de_json(payload, one.bot)),
                                     two.process_update(Update.de_json(payload, two.bot)))
                await one.process_update(Update.de_json(payload, one.bot))
                await two.process_update(Update.de_json(payload, two.bot))
            assert len(replies(one_api)) + len(replies(two_api)) == 3
            assert duplicates(one) + duplicates(two) == 9
    finally:
        await drop_database(pg_admin_url, url)
