"""Officials by region through the real Application (tests/officials/test_regional.py on the
fixture province, tests/test_province_officials.py on the fixture nation): a running bot with
its citizens subscribed and placed, the super-admin, and the approval steps."""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.callbacks import Callback
from bot.content.registry import Content
from bot.shell.botapi import Call
from bot.storage.users import set_region
from tests.broadcasts.conftest import ScriptedSender
from tests.conftest import DURING_CAMPAIGN
from tests.fakes.harness import Harness, offline_bot, texts
from tests.fakes.subscribers import subscribe_through

SUPER = 900     # the super-admin (ADMIN_IDS)


@asynccontextmanager
async def regional_bot(tmp_path: Path, content: Content, citizens: dict[int, str | None],
                       **settings: str) -> AsyncIterator[tuple[Harness, ScriptedSender]]:
    """A bot on `content` whose super-admin is SUPER, with no quiet hours nor daily cap, and
    these citizens subscribed, each with the region they chose (None: none)."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           QUIET_HOURS="", DAILY_CAP="0", **settings) as h:
        db = h.app.services.db
        await subscribe_through(db, list(citizens), DURING_CAMPAIGN)
        for uid, code in citizens.items():
            if code:
                await set_region(db, uid, code)
        yield h, sender


def draft_id(h: Harness, who: int) -> str:
    return str(h.app.bot_data["drafts"].last_seen(who).id)


async def request(h: Harness, who: int, region: str | None = None,
                  text: str = "Rapat warga besok", at: datetime | None = None) -> int:
    """An announcement over the threshold sent for approval (scheduled `at`, a local time,
    or now); the request's id."""
    user = h.user(who)
    await h.text("/umumkan", user=user)
    await h.text(text, user=user)
    if region:
        await h.press_label("Wilayah", user=user)
        await h.press_label(region, user=user)
    if at is not None:
        await h.press_label("Jadwalkan", user=user)
        await h.text(at.strftime("%Y-%m-%d %H:%M"), user=user)
    await h.press_label("Pratinjau", user=user)
    sent = await h.press_label("Minta persetujuan", user=user)
    said = texts(sent)[-1]
    assert "menunggu persetujuan" in said, said
    return int(said.split("Permintaan ")[1].split()[0])


async def approve(h: Harness, request_id: int, who: int) -> list[Call]:
    """`who` presses "approve" on the request (as the super-admin received it)."""
    data = Callback("P", f"{request_id}:y").encode()
    message = next(m for (cid, _), m in h.api.messages.items()
                   if cid == SUPER and data in str(m.get("reply_markup", "")))
    return await h.press(data, message=message, user=h.user(who))


def asked(h: Harness, request_id: int) -> set[int]:
    """Who got the request's approve button."""
    data = Callback("P", f"{request_id}:y").encode()
    return {cid for (cid, _), m in h.api.messages.items()
            if data in str(m.get("reply_markup", ""))}


@asynccontextmanager
async def interleaved(at: int, then: Callable[[], Awaitable[object]]) -> AsyncIterator[list[int]]:
    """Within the block, the task that enters it runs `then()` to its end just before its
    `at`-th call (0: the first) of a storage function the officials' modules use (bot.storage,
    and launch.py, which writes through it): every point at which another official's decision
    can come between a handler's read and its write. Yields a list: how many such calls the
    block made (so a caller knows when `at` went past its last)."""
    task = asyncio.current_task()
    made = [0]
    inside = [False]
    depth = [0]
    patched: list[tuple[ModuleType, str, Any]] = []

    def wrap(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if asyncio.current_task() is not task or inside[0] or depth[0]:
                return await fn(*args, **kwargs)    # another's, or within a call (a transaction)
            if made[0] == at:
                inside[0] = True
                try:
                    await then()
                finally:
                    inside[0] = False
            made[0] += 1
            depth[0] += 1
            try:
                return await fn(*args, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    for name, module in list(sys.modules.items()):
        if not name.startswith("bot.officials.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if inspect.iscoroutinefunction(value) and getattr(value, "__module__", "").startswith(
                    ("bot.storage.", "bot.officials.launch")) and value.__module__ != name:
                patched.append((module, attr, value))
                setattr(module, attr, wrap(value))
    try:
        yield made
    finally:
        for module, attr, value in patched:
            setattr(module, attr, value)
