"""What one process changes, another sees (bot/sharing.py): an official's draft goes on through
another process (PostgreSQL), or through the same bot after a restart (SQLite); a language
chosen and a role granted on one process hold on another within a second (PostgreSQL's
LISTEN/NOTIFY; on SQLite the one process sees its own change at once, with no listener)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from bot.app import build_application, close_offline, open_offline
from bot.callbacks import Callback
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.officials.drafts import Draft
from bot.settings import load_settings
from bot.shell.botapi import LocalBotApi, LocalRequest
from bot.storage.sessions import load_session, save_part
from bot.storage.users import touch_user
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN, database_env
from tests.fakes.harness import BOT_USERNAME, Harness, offline_bot, texts
from tests.fakes.strict_api import StrictBotApi
from tests.fakes.subscribers import subscribe_through

SUPER, CITIZEN, NEW_OFFICIAL = 920, 7301, 7302


@asynccontextmanager
async def process(database: str, content: Content, api: LocalBotApi, folder: Path
                  ) -> AsyncIterator[Harness]:
    """One bot process on `database`, talking to the one (shared) fake Telegram `api`."""
    where = {"DATABASE_PATH": str(folder / "bot.sqlite3"), **database_env(database)}
    settings = load_settings(BOT_TOKEN=TEST_TOKEN, SEMANTIC_THREADS="0", ADMIN_IDS=str(SUPER),
                             CACHE_DIR=str(EMBEDDINGS_CACHE), **where)
    request = LocalRequest(api)
    clock = FixedClock(DURING_CAMPAIGN)
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=clock, content=content)
    await open_offline(app)
    try:
        yield Harness(app, request, clock)
    finally:
        await close_offline(app)


async def within(seconds: float, holds: Callable[[], object]) -> None:
    deadline = time.monotonic() + seconds
    while not holds():
        assert time.monotonic() < deadline, "not seen within the time allowed"
        await asyncio.sleep(0.02)


def on_postgres(database: str) -> bool:
    return database.startswith("postgresql://")


async def test_a_draft_goes_on_through_another_process_or_after_a_restart(
        database: str, content: Content, tmp_path: Path) -> None:
    api = StrictBotApi(username=BOT_USERNAME)
    official = Harness.user(SUPER)
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(process(database, content, api, tmp_path / "1"))
        await subscribe_through(one.app.services.db, [1, 2], DURING_CAMPAIGN)
        assert "langkah 1/3" in texts(await one.text("/umumkan", user=official))[-1]
        if not on_postgres(database):      # SQLite: the one process restarts
            await stack.aclose()
        two = await stack.enter_async_context(process(database, content, api, tmp_path / "2"))
        other = one if on_postgres(database) else two
        # The second process learns (LISTEN/NOTIFY) that the draft waits for its text.
        await within(1.0, lambda: two.app.bot_data["drafts"].awaits_text(SUPER, DURING_CAMPAIGN))
        options = texts(await two.text("Rapat warga besok", user=official))
        assert "langkah 2/3" in options[-1] and "Rapat warga besok" in options[-1]
        # The next button goes to the first process again: it reads the step taken on the other.
        urgent = texts(await other.press_label("Mendesak: tidak", user=official))
        assert "Mendesak:</b> ya" in urgent[-1] and "Rapat warga besok" in urgent[-1]
        await two.press_label("Pratinjau", user=official)
        await other.press_label("Kirim", user=official)
        # The progress message is recorded with the official; the leader keeps it current,
        # whichever process that is.
        session = await load_session(two.app.services.db, SUPER)
        assert session.draft is None and len(session.progress) == 1
        shown = session.progress[0]["message"]
        await within(2.0, lambda: "terjadwal" in api.messages[(SUPER, shown)]["text"])


async def test_a_stale_write_never_overwrites_a_newer_one(database: str, content: Content,
                                                          tmp_path: Path) -> None:
    async with offline_bot(tmp_path, content, **database_env(database)) as h:
        db = h.app.services.db
        first = Draft("abc123", 5, DURING_CAMPAIGN, text="satu").record()
        assert await save_part(db, 5, "draft", first, 0, DURING_CAMPAIGN) == 1
        assert await save_part(db, 5, "progress", [{"broadcast": 1}], 0, DURING_CAMPAIGN) == 1
        newer = dict(first, text="dua")
        assert await save_part(db, 5, "draft", newer, 1, DURING_CAMPAIGN) == 2
        # A writer that read version 1 comes late: nothing changes.
        assert await save_part(db, 5, "draft", dict(first, text="tiga"), 1, DURING_CAMPAIGN) is None
        session = await load_session(db, 5)
        assert (session.draft, session.draft_version) == (newer, 2)
        assert (session.progress, session.progress_version) == ([{"broadcast": 1}], 1)


async def test_a_language_and_a_role_changed_on_one_process_hold_on_another(
        database: str, content: Content, tmp_path: Path) -> None:
    api = StrictBotApi(username=BOT_USERNAME)
    citizen = Harness.user(CITIZEN)
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(process(database, content, api, tmp_path / "1"))
        two = one
        if on_postgres(database):
            two = await stack.enter_async_context(process(database, content, api, tmp_path / "2"))
            assert two.app.services.changes is not None
            await asyncio.wait_for(two.app.services.changes.connected.wait(), 5)
        else:   # one process: nothing listens, nothing is read again per update
            assert one.app.services.changes is None
        db = two.app.services.db
        await two.text("halo", user=citizen)      # the second process now keeps this user
        assert (await touch_user(db, CITIZEN, "id", DURING_CAMPAIGN)).language == "id"
        await one.text("/start", user=citizen)
        await one.press(Callback("l", "en").encode(), user=citizen)

        async def language() -> str:
            return (await touch_user(db, CITIZEN, "id", DURING_CAMPAIGN)).language
        seen = time.monotonic()
        while await language() != "en":
            assert time.monotonic() - seen < 1.0, "the language change was not seen"
            await asyncio.sleep(0.02)

        roles = two.app.services.roles
        assert not roles.may(NEW_OFFICIAL, "umumkan")
        await one.text(f"/petugas tambah {NEW_OFFICIAL} pengumum", user=Harness.user(SUPER))
        await within(1.0, lambda: roles.may(NEW_OFFICIAL, "umumkan"))
        started = texts(await two.text("/umumkan", user=Harness.user(NEW_OFFICIAL)))
        assert "langkah 1/3" in started[-1]
        await one.text(f"/petugas hapus {NEW_OFFICIAL}", user=Harness.user(SUPER))
        await within(1.0, lambda: not roles.may(NEW_OFFICIAL, "umumkan"))


async def test_petugas_then_a_forward_on_another_process_or_after_a_restart_picks_an_official(
        database: str, content: Content, tmp_path: Path) -> None:
    api = StrictBotApi(username=BOT_USERNAME)
    official = Harness.user(SUPER)
    origin = {"type": "user", "date": 1700000000,
              "sender_user": {"id": NEW_OFFICIAL, "is_bot": False, "first_name": "Dewi"}}
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(process(database, content, api, tmp_path / "1"))
        await one.text("/petugas", user=official)
        if not on_postgres(database):      # SQLite: the one process restarts
            await stack.aclose()
        two = await stack.enter_async_context(process(database, content, api, tmp_path / "2"))
        # The window opened on the first process holds on the second (LISTEN/NOTIFY).
        await within(1.0, lambda: two.app.bot_data["drafts"].picking(SUPER, DURING_CAMPAIGN))
        offered = texts(await two.text("pesan dari Dewi", user=official, forward_origin=origin))
        assert "Beri peran kepada Dewi" in offered[-1], offered
