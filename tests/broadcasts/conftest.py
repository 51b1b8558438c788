"""A delivery engine over a scripted sender, with a fixed clock, on a temporary database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.broadcasts.compose import Composer
from bot.broadcasts.engine import DeliveryEngine
from bot.broadcasts.sender import SendResult
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.regions.directory import TpsDirectory
from bot.regions.loader import load_regions
from bot.settings import Settings, load_settings
from bot.storage import Database, open_database
from bot.storage.broadcasts import create_broadcast, get_broadcast, outcome_counts
from bot.storage.subscriptions import subscribe
from bot.storage.users import set_region, touch_user
from tests.conftest import TEST_TOKEN, database_env

NOON_WIB = datetime(2029, 2, 28, 5, 0, tzinfo=UTC)    # 12:00 in Asia/Jakarta (fixture content)
NIGHT_WIB = datetime(2029, 2, 28, 15, 0, tzinfo=UTC)   # 22:00 in Asia/Jakarta


@dataclass
class ScriptedSender:
    """Answers like Telegram would, per chat: scripted results first, then success."""
    script: dict[int, list[SendResult]] = field(default_factory=lambda: defaultdict(list))
    delivered: Counter[int] = field(default_factory=Counter)
    payloads: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    delay: float = 0.0

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, payload: dict[str, Any]) -> SendResult:
        self.times.append(time.monotonic())
        if self.delay:
            await asyncio.sleep(self.delay)
        chat = payload["chat_id"]
        if self.script[chat]:
            return self.script[chat].pop(0)
        self.delivered[chat] += 1
        self.payloads.append(payload)
        return SendResult(True)


@dataclass
class Rig:
    settings: Settings
    content: Content
    clock: FixedClock
    sender: ScriptedSender
    db: Database
    engines: list[DeliveryEngine] = field(default_factory=list)

    def engine(self, **overrides: Any) -> DeliveryEngine:
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        composer = Composer(self.content, load_regions(self.content), TpsDirectory(),
                            settings.paid_broadcast)
        engine = DeliveryEngine(settings, composer, self.clock, self.sender,
                                self.content.election.timezone)
        self.engines.append(engine)
        return engine

    async def subscribers(self, count: int, *, start: int = 1000, lang: str = "id",
                          region: str | None = None) -> list[int]:
        ids = list(range(start, start + count))
        for uid in ids:
            await touch_user(self.db, uid, lang, self.clock.now())
            await subscribe(self.db, uid, self.clock.now(), self.content.subscription_topics)
            if region:
                await set_region(self.db, uid, region)
        return ids

    async def wait_state(self, broadcast_id: int, *states: str, within: float = 20) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            b = await get_broadcast(self.db, broadcast_id)
            if b is not None and b.state in states:
                return b.state
            await asyncio.sleep(0.05)
        counts = await outcome_counts(self.db, broadcast_id)
        raise AssertionError(f"broadcast {broadcast_id} not {states}: {b and b.state} {counts}")


async def broadcast(rig: Rig, **kwargs: object) -> int:
    """A text broadcast to everyone, now; `kwargs` override any field."""
    values: dict[str, object] = {"created_by": "test", "topic": "announcements",
                                 "text": "Halo warga", "not_before": rig.clock.now(),
                                 "now": rig.clock.now()}
    values.update(kwargs)
    return await create_broadcast(rig.db, **values)  # type: ignore[arg-type]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0,
                     what: str = "condition") -> None:
    """Poll `check` until it holds, or fail at the deadline (no fixed sleeps in tests)."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        await asyncio.sleep(0.02)


async def in_state(db: Any, broadcast_id: int, state: str, within: float = 10.0) -> None:
    """Wait until the broadcast is in `state` (a harness's own engine sends it meanwhile)."""
    async def reached() -> bool:
        b = await get_broadcast(db, broadcast_id)
        return b is not None and b.state == state
    await eventually(reached, within, what=state)


async def settled(count: Callable[[], int], quiet: float = 0.6, within: float = 10.0) -> int:
    """Wait until `count()` stops changing for `quiet` seconds; return it."""
    deadline = time.monotonic() + within
    last, since = count(), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "still changing"
        await asyncio.sleep(0.05)
        if count() != last:
            last, since = count(), time.monotonic()
    return last


@pytest.fixture
async def rig(database: str, content: Content) -> AsyncIterator[Rig]:
    """On each backend (the `database` fixture)."""
    settings = load_settings(BOT_TOKEN=TEST_TOKEN, **database_env(database),
                             BROADCAST_RATE="1000", PAID_BROADCAST="true")
    db = await open_database(settings.database)
    rig = Rig(settings, content, FixedClock(NOON_WIB), ScriptedSender(), db)
    try:
        yield rig
    finally:
        for engine in rig.engines:
            await engine.stop()
        await db.close()
