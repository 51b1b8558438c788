"""Several processes on one PostgreSQL serve one content version and share one answer model
(bot/reload.py, bot/faq/shared.py): `content reload` reaches every process; a process whose
content is not the deployment's stops serving after RELOAD_BOUND; a process that starts after
another has the model reads it from the database instead of training it."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from telegram import Update

import bot.faq.trainer
import bot.reload
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.context import SuaraApplication
from bot.faq.shared import SharedModel
from bot.operations import cmd_content
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from bot.storage import open_database
from bot.storage.content_state import Wanted, read_wanted, request_reload
from bot.web import SECRET_HEADER, WebServer
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, FIXTURE_CONTENT, TEST_TOKEN
from tests.fakes import updates
from tests.fakes.harness import BOT_USERNAME
from tests.fakes.strict_api import StrictBotApi
from tests.postgres import create_database, drop_database

QUESTION = "jam berapa tps buka dan tutup?"
ANSWER = "TPS buka pukul {{ election.hours }}."
SECRET = "hook-secret"
UPDATE_IDS = itertools.count(5000)


@asynccontextmanager
async def process(url: str, content_dir: Path, cache: Path
                  ) -> AsyncIterator[tuple[SuaraApplication, LocalRequest]]:
    """One bot process on `url` with its own CONTENT_DIR's content and file cache."""
    settings = load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_URL=url, CONTENT_DIR=str(content_dir),
                             CACHE_DIR=str(cache), SEMANTIC_THREADS="1")
    request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=FixedClock(DURING_CAMPAIGN))
    app.services.http = WebServer(app, "127.0.0.1", 0, "/hook", SECRET)
    await open_offline(app)
    await app.services.semantic_ready.wait()
    try:
        yield app, request
    finally:
        await close_offline(app)


async def ask(app: SuaraApplication, request: LocalRequest) -> str:
    api = request.api
    before = len(request.calls)
    payload = api.new_update(message=updates.message(api, QUESTION, updates.user(8301)))
    payload["update_id"] = next(UPDATE_IDS)     # the processes' fake APIs count alike
    await app.process_update(Update.de_json(payload, app.bot))
    return str([c for c in request.calls[before:] if c.method == "sendMessage"][-1]
               .params["text"])


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not in time")


async def http(app: SuaraApplication, method: str, path: str) -> int:
    assert app.services.http is not None
    url = f"http://127.0.0.1:{app.services.http.bound_port}{path}"
    async with aiohttp.ClientSession() as session, session.request(
            method, url, json={"update_id": 1}, headers={SECRET_HEADER: SECRET}) as response:
        return response.status


async def test_processes_share_the_model_and_follow_content_reload(
        pg_admin_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    monkeypatch.setattr(bot.reload, "RELOAD_BOUND", 0.5)
    monkeypatch.setattr(bot.reload, "POLL", 1.0)
    url = await create_database(pg_admin_url)
    fits: list[Any] = []
    fit = bot.faq.trainer.fit_apart
    try:
        # The first process reads the model from its host's files (or trains it): stored.
        async with process(url, content, EMBEDDINGS_CACHE) as (one, one_api):
            monkeypatch.setattr(bot.faq.trainer, "fit_apart",
                                lambda *a, **k: fits.append(a) or fit(*a, **k))
            # The second has no files: it reads both stages from the database, trains nothing.
            async with process(url, content, tmp_path / "empty-cache") as (two, two_api):
                assert fits == [] and two.services.answers.semantic
                # One listening connection per process: changes and content versions alike.
                for _ in range(50):     # (each feed connects in the background)
                    found = await listeners(url)
                    if found == {"suara-listen": 2}:
                        break
                    await asyncio.sleep(0.1)
                assert found == {"suara-listen": 2}
                assert not list((tmp_path / "empty-cache").glob("stage*"))
                assert "TPS buka pukul" in await ask(two, two_api)

                # `content reload` run on files no process has (another folder here): refused,
                # nothing changes (set, both processes would stop serving RELOAD_BOUND later).
                syncs = [one.services.content_sync, two.services.content_sync]
                elsewhere = tmp_path / "elsewhere"
                shutil.copytree(content, elsewhere)
                other = elsewhere / "faq" / "1_contoh.yaml"
                other.write_text(other.read_text(encoding="utf-8").replace(
                    ANSWER, "TPS dibuka pukul {{ election.hours }} (folder lain)."),
                    encoding="utf-8")
                kept = [s.wanted if s else None for s in syncs]
                monkeypatch.setenv("DATABASE_URL", url)
                monkeypatch.setenv("CONTENT_DIR", str(elsewhere))
                code = await asyncio.to_thread(cmd_content, argparse.Namespace(action="reload"),
                                               load_settings())
                assert code == 1
                assert await read_wanted_at(url) == kept[0]
                await asyncio.sleep(0.6)                 # past RELOAD_BOUND: both still serve
                assert all(s is not None and s.state == "current" for s in syncs)

                # `content reload` (its CLI, on PostgreSQL) reaches both processes.
                faq = content / "faq" / "1_contoh.yaml"
                faq.write_text(faq.read_text(encoding="utf-8").replace(
                    ANSWER, "TPS dibuka pukul {{ election.hours }} (jawaban baru)."),
                    encoding="utf-8")
                before = [s.loaded if s else "" for s in syncs]
                monkeypatch.setenv("DATABASE_URL", url)
                monkeypatch.setenv("CONTENT_DIR", str(content))
                code = await asyncio.to_thread(cmd_content, argparse.Namespace(action="reload"),
                                               load_settings())
                assert code == 0
                await until(lambda: all(s is not None and s.loaded not in before
                                        and s.state == "current" for s in syncs))
                for app, api in ((one, one_api), (two, two_api)):
                    await app.services.semantic_ready.wait()
                    assert "jawaban baru" in await ask(app, api)
                assert fits == []   # same samples, same model: read back, not trained

                # A version no process has: each stops serving once RELOAD_BOUND has passed.
                good = syncs[0].loaded if syncs[0] else ""
                await request_reload(url, "0123456789abcdef", "test", datetime.now(UTC))
                await until(lambda: all(s is not None and s.state == "stale" for s in syncs))
                assert await http(one, "GET", "/readyz") == 503
                assert await http(two, "POST", "/hook") == 503      # Telegram sends it again
                # Nobody has it, seen twice POLL apart: a process makes its own the
                # deployment's rather than none serving (as when the last process running the
                # deployment's files stops in a rolling restart).
                await until(lambda: all(s is not None and s.state == "current" for s in syncs))
                assert await read_wanted_at(url) is not None
                assert (await read_wanted_at(url)).version == good  # type: ignore[union-attr]
                await request_reload(url, good, "test", datetime.now(UTC))
                await until(lambda: all(s is not None and s.serving for s in syncs))
                assert await http(one, "GET", "/readyz") == 200
                await stage_with_a_forged_signature_is_not_used(two, url)

                # A stray process starting with other files (a host not yet updated) follows
                # the deployment, which running processes have the files of: it is the one
                # that stops serving, not every other.
                async with process(url, elsewhere, EMBEDDINGS_CACHE) as (stray, _api):
                    assert syncs[0] is not None and await read_wanted_at(url) == syncs[0].wanted
                    await asyncio.sleep(0.6)             # past RELOAD_BOUND
                    assert stray.services.content_sync is not None
                    assert stray.services.content_sync.state == "stale"
                    assert all(s is not None and s.state == "current" for s in syncs)
    finally:
        await drop_database(pg_admin_url, url)


async def read_wanted_at(url: str) -> Wanted | None:
    db = await open_database(url)
    try:
        return await read_wanted(db)
    finally:
        await db.close()


async def listeners(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname ="
            " current_database() AND application_name IN ('suara-listen', 'suara-content')"
            " GROUP BY application_name")
    finally:
        await conn.close()
    return {str(row[0]): int(row[1]) for row in rows}


async def stage_with_a_forged_signature_is_not_used(app: SuaraApplication, url: str) -> None:
    shared = SharedModel.of(app.services.settings, app.services.db, app.services.clock,
                            None)  # type: ignore[arg-type]
    assert shared is not None
    conn = await asyncpg.connect(url)
    try:
        key = await conn.fetchval("SELECT key FROM model_cache ORDER BY key LIMIT 1")
        assert await shared._fetch(key) is not None
        await conn.execute("UPDATE model_cache SET signature = $1 WHERE key = $2", "0" * 64, key)
    finally:
        await conn.close()
    assert await shared._fetch(key) is None
