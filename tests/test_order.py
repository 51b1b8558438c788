"""Several processes on one PostgreSQL (bot/ordering.py, storage/turns.py): one chat's updates
are handled one at a time in update_id order whichever process receives them, and flood
control counts a user's updates across processes (one notice, the rest dropped)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from bot.storage import turns
from bot.web import SECRET_HEADER, WebServer
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN
from tests.fakes import updates
from tests.fakes.harness import BOT_USERNAME
from tests.fakes.strict_api import StrictBotApi
from tests.postgres import create_database, drop_database

SECRET = "order-test-secret"
SLOW = 0.4     # seconds the first update's handling takes


@asynccontextmanager
async def processes(admin_url: str, content: Content, **overrides: str
                    ) -> AsyncIterator[list[SuaraApplication]]:
    """Two bot processes on one new PostgreSQL database, each with its webhook on a free port
    and its own offline Bot API; every update's handling starts with `began` recorded."""
    url = await create_database(admin_url)
    apps: list[SuaraApplication] = []
    try:
        for _ in range(2):
            settings = load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_URL=url, SEMANTIC_THREADS="0",
                                     CACHE_DIR=str(EMBEDDINGS_CACHE), **overrides)
            request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
            app = build_application(settings, request=request, get_updates_request=request,
                                    clock=FixedClock(DURING_CAMPAIGN), content=content)
            app.services.http = WebServer(app, "127.0.0.1", 0, "/hook", SECRET)
            await open_offline(app)
            apps.append(app)
            await app.services.semantic_ready.wait()
        yield apps
    finally:
        for app in apps:
            await close_offline(app)
        await drop_database(admin_url, url)


def api(app: SuaraApplication) -> Any:
    request = app.bot.request
    assert isinstance(request, LocalRequest)
    return request


def question(app: SuaraApplication, user_id: int, text: str = "kapan pilkada?"
             ) -> dict[str, Any]:
    bot_api = api(app).api
    return bot_api.new_update(message=updates.message(bot_api, text, updates.user(user_id)))


async def handle(app: SuaraApplication, payload: dict[str, Any]) -> None:
    """What PTB does with an update it fetched: through the update processor."""
    update = Update.de_json(payload, app.bot)
    await app.update_processor.process_update(update, app.process_update(update))


async def post(app: SuaraApplication, payload: dict[str, Any]) -> int:
    """Telegram POSTs an update to this process's webhook."""
    assert app.services.http is not None
    url = f"http://127.0.0.1:{app.services.http.bound_port}/hook"
    async with aiohttp.ClientSession() as session, session.post(
            url, json=payload, headers={SECRET_HEADER: SECRET}) as response:
        return response.status


def timed(apps: list[SuaraApplication], slow_id: list[int], began: dict[int, float],
          slow_began: asyncio.Event | None = None) -> None:
    """Record when each update's handlers begin; the updates in `slow_id` take SLOW."""
    async def first(update: Update, _: object) -> None:
        began[update.update_id] = asyncio.get_running_loop().time()
        if update.update_id in slow_id:
            if slow_began is not None:
                slow_began.set()
            await asyncio.sleep(SLOW)
    for app in apps:
        app.add_handler(TypeHandler(Update, first), group=-9)


async def test_one_chats_updates_at_two_processes_are_handled_in_order(
        pg_admin_url: str, content: Content) -> None:
    async with processes(pg_admin_url, content) as (one, two):
        began: dict[int, float] = {}
        done: dict[int, float] = {}
        first_payload, second_payload = question(one, 8101), question(one, 8101)
        first, second = first_payload["update_id"], second_payload["update_id"]
        slow, slow_began = [first], asyncio.Event()
        timed([one, two], slow, began, slow_began)

        async def run(app: SuaraApplication, payload: dict[str, Any]) -> None:
            await handle(app, payload)
            done[payload["update_id"]] = asyncio.get_running_loop().time()

        # The first is being handled (slowly) at one when the second reaches two.
        task = asyncio.create_task(run(one, first_payload))
        await slow_began.wait()
        await run(two, second_payload)
        await task
        assert began[second] >= done[first]      # waited for the first, then handled
        # Another chat at two is not held up by a slow chat at one.
        third_payload, other = question(one, 8102), question(one, 8103)
        slow.append(third_payload["update_id"])
        third = asyncio.create_task(run(one, third_payload))
        await asyncio.sleep(0.05)
        await run(two, other)
        assert other["update_id"] in done and third_payload["update_id"] not in done
        await third
        # Each process answered its update; nothing is left queued or holding a turn (the
        # releases go within RELEASE_SECONDS of the loop's time: a loaded machine's loop runs
        # late, so the count is read until it is 0, for at most 6 s).
        assert [c.method for c in api(two).calls].count("sendMessage") == 2
        left = -1
        for _ in range(300):
            await asyncio.sleep(turns.RELEASE_SECONDS)
            async with one.services.db.conn.execute(
                    "SELECT (SELECT COUNT(*) FROM chat_queue) + (SELECT COUNT(*) FROM chat_turns)"
            ) as cur:
                left = (await cur.fetchone())[0]
            if left == 0:
                break
        assert left == 0


async def test_the_webhook_queues_an_update_before_answering_so_a_later_one_waits(
        pg_admin_url: str, content: Content) -> None:
    """Telegram sends a chat's next update only after the webhook answered the previous one:
    the previous one is then queued under its chat, even before its process starts on it."""
    async with processes(pg_admin_url, content) as (one, two):
        began: dict[int, float] = {}
        timed([one, two], [], began)
        first_payload, second_payload = question(one, 8201), question(one, 8201)
        assert await post(one, first_payload) == 200
        assert await post(two, first_payload) == 200          # a retry: dropped at once
        assert await post(two, second_payload) == 200
        assert one.update_queue.qsize() == 1 and two.update_queue.qsize() == 1
        assert two.services.metrics.duplicates._value.get() == 1
        # Two is quicker to start on its update than one: it waits for the first.
        later = asyncio.create_task(handle(two, (await two.update_queue.get()).to_dict()))
        await asyncio.sleep(0.3)
        assert not later.done() and second_payload["update_id"] not in began
        await handle(one, (await one.update_queue.get()).to_dict())
        await later
        assert began[first_payload["update_id"]] < began[second_payload["update_id"]]


async def test_a_user_flooding_two_processes_gets_one_notice(
        pg_admin_url: str, content: Content) -> None:
    async with processes(pg_admin_url, content, FLOOD_LIMIT="5") as apps:
        for n in range(12):                      # half to each process, one after another
            await handle(apps[n % 2], question(apps[0], 8301))
        sent = [c.params.get("text", "") for app in apps for c in api(app).calls
                if c.method == "sendMessage"]
        notices = [text for text in sent if "Pelan-pelan" in text]
        assert len(notices) == 1 and len(sent) == 6       # 5 answers, 1 notice, 6 dropped
        gates = [app.bot_data["flood"].stats for app in apps]
        assert sum(g["notices"] for g in gates) == 1 and sum(g["dropped"] for g in gates) == 6
        # Someone else is served by both.
        for app in apps:
            await handle(app, question(apps[0], 8302))
        assert sum(c.method == "sendMessage" for app in apps for c in api(app).calls) == 8
