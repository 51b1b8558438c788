"""The daily cap's counts are a person's record of what they were sent: only today's is needed,
and none outlives the person's erasure. Through the real Application and its delivery engine,
then the retention job's purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.broadcasts.stream as stream_module
from bot.broadcasts.sender import SendResult
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.storage.broadcasts import create_broadcast, get_broadcast
from bot.storage.retention import purge
from bot.storage.users import export_user
from tests.broadcasts.conftest import ScriptedSender, eventually, in_state
from tests.fakes.harness import Harness, offline_bot

KEEPS, ERASES = 7501, 7502


async def _send_to_subscribers(h: Harness) -> None:
    for citizen in (KEEPS, ERASES):
        await h.text("/langganan", user=h.user(citizen))
    db, now = h.app.services.db, h.app.services.clock.now()
    bid = await create_broadcast(db, created_by="cli", topic="announcements", text="Rapat warga",
                                 not_before=now, now=now)
    assert h.app.services.engine is not None
    h.app.services.engine.poke()
    await in_state(db, bid, "done")


async def test_daily_counts_are_purged_once_their_day_is_over(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), QUIET_HOURS="") as h:
        await _send_to_subscribers(h)
        db, settings = h.app.services.db, h.app.services.settings
        assert "daily_counts" in await export_user(db, KEEPS)
        clock = h.app.services.clock
        assert isinstance(clock, FixedClock)
        later = clock.now() + timedelta(days=1)     # still needed: today may be tomorrow in WIB
        await purge(db, later, settings.question_retention_days, settings.outcome_retention_days)
        assert "daily_counts" in await export_user(db, KEEPS)
        later = clock.now() + timedelta(days=3)
        purged = await purge(db, later, settings.question_retention_days,
                             settings.outcome_retention_days)
        assert purged["daily_counts"] == 2
        assert "daily_counts" not in await export_user(db, KEEPS)


class ErasingSender(ScriptedSender):
    """The citizen erases their data while the broadcast's message to them is on its way."""
    harness: Harness | None = None

    async def send(self, payload: dict[str, Any]) -> SendResult:
        if payload["chat_id"] == ERASES and self.harness is not None:
            citizen = self.harness.user(ERASES)
            await self.harness.text("/hapusdata", user=citizen)
            await self.harness.press_label("Ya, hapus", user=citizen)
        return await super().send(payload)


async def test_an_erasure_during_the_send_leaves_no_daily_count(tmp_path: Path, content: Content) -> None:
    sender = ErasingSender()
    async with offline_bot(tmp_path, content, sender=sender, QUIET_HOURS="") as h:
        sender.harness = h
        await _send_to_subscribers(h)
        assert sender.delivered[ERASES] == 1
        assert await export_user(h.app.services.db, ERASES) == {}


EVENING = datetime(2029, 3, 10, 16, 59, tzinfo=UTC)      # 23:59 on 10 March in Asia/Jakarta
AFTER_MIDNIGHT = datetime(2029, 3, 10, 17, 0, 30, tzinfo=UTC)   # 00:00:30 on 11 March
FIRST, SECOND = 7601, 7602


class MidnightSender(ScriptedSender):
    """Midnight (WIB) passes while the message to FIRST is on its way."""
    clock: FixedClock | None = None

    async def send(self, payload: dict[str, Any]) -> SendResult:
        if payload["chat_id"] == FIRST and self.clock is not None:
            self.clock.set(AFTER_MIDNIGHT)
        return await super().send(payload)


async def test_a_broadcast_running_past_midnight_counts_and_says_the_new_day(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without quiet hours a broadcast may run across midnight in Asia/Jakarta: a message sent
    after it counts toward that day's cap (not the day the broadcast began) and a countdown
    says the days left from the day it arrives."""
    monkeypatch.setattr(stream_module, "BATCH", 1)    # each recipient read as it is reached
    sender = MidnightSender()
    async with offline_bot(tmp_path, content, sender=sender, QUIET_HOURS="", DAILY_CAP="1") as h:
        clock = h.app.services.clock
        assert isinstance(clock, FixedClock) and h.app.services.engine is not None
        clock.set(EVENING)
        db = h.app.services.db
        await h.text("/langganan", user=h.user(SECOND))
        first = await _broadcast_done(h, text="Rapat warga")    # SECOND's one message today
        assert first == "done" and sender.delivered[SECOND] == 1
        await h.text("/langganan", user=h.user(FIRST))
        sender.clock = clock
        assert await _broadcast_done(h, template="countdown") == "done"
        assert clock.now() == AFTER_MIDNIGHT
        said = {p["chat_id"]: p["text"] for p in sender.payloads if "hari lagi" in p["text"]}
        assert "4 hari lagi" in said[FIRST], said           # 10 March: 4 days to 14 March
        assert SECOND in said and "3 hari lagi" in said[SECOND], said   # sent on 11 March
        counts = (await export_user(db, SECOND))["daily_counts"]
        assert sorted((c["day"], c["count"]) for c in counts) == [
            ("2029-03-10", 1), ("2029-03-11", 1)]


async def _broadcast_done(h: Harness, **what: str) -> str:
    db, now = h.app.services.db, h.app.services.clock.now()
    topic = "countdown" if "template" in what else "announcements"
    bid = await create_broadcast(db, created_by="cli", topic=topic, not_before=now, now=now,
                                 **what)  # type: ignore[arg-type]
    assert h.app.services.engine is not None
    h.app.services.engine.poke()

    async def finished() -> bool:
        b = await get_broadcast(db, bid)
        return b is not None and b.state in ("done", "failed")
    await eventually(finished, what="finished")
    b = await get_broadcast(db, bid)
    assert b is not None
    return b.state
