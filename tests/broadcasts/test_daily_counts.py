"""The daily cap's counts are a person's record of what they were sent: only today's is needed,
and none outlives the person's erasure. Through the real Application and its delivery engine,
then the retention job's purge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.broadcasts.sender import SendResult
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.storage.broadcasts import create_broadcast, get_broadcast
from bot.storage.retention import purge
from bot.storage.users import export_user
from tests.broadcasts.conftest import ScriptedSender, eventually
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

    async def done() -> bool:
        b = await get_broadcast(db, bid)
        return b is not None and b.state == "done"
    await eventually(done, what="done")


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
