"""A calendar send removed from schedule.yaml is cancelled, also once it entered the outbox but
has not gone out yet (waiting for the end of quiet hours): the operator who takes it out of the
calendar and reloads expects it not to go. Put back in time, it goes, once. Through the real
Application: its scheduler, `content reload`, its delivery engine."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.content.registry import load_content
from bot.reload import reload_content
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.schedule import send_states
from tests.broadcasts.conftest import ScriptedSender, eventually, settled
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import Harness, offline_bot

NIGHT = '  malam:\n    once: 2029-02-28\n    time: "21:30"\n    template: tips\n'
KEY = "cal:malam:2029-02-28"
AT_2131_WIB = datetime(2029, 2, 28, 14, 31, tzinfo=UTC)
NEXT_MORNING = datetime(2029, 2, 28, 23, 1, tzinfo=UTC)       # 06:01 WIB on 1 March
CITIZEN = 7701


def _calendar(folder: Path, with_night: bool) -> None:
    text = (FIXTURE_CONTENT / "schedule.yaml").read_text()
    assert "calendar:\n" in text
    (folder / "schedule.yaml").write_text(
        text.replace("calendar:\n", "calendar:\n" + NIGHT) if with_night else text)


async def _states(h: Harness) -> list[str]:
    return [b.state for b in await list_broadcasts(h.app.services.db)
            if b.created_by == f"schedule:{KEY}"]


@asynccontextmanager
async def waiting_for_morning(tmp_path: Path) -> AsyncIterator[tuple[Harness, Path, ScriptedSender]]:
    """A subscriber; the night's send enqueued at 21:31 and deferred to 06:00 (quiet hours)."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    _calendar(folder, with_night=True)
    sender = ScriptedSender()
    async with offline_bot(tmp_path, load_content(folder), sender=sender,
                           CONTENT_DIR=str(folder)) as h:
        await h.text("/langganan", user=h.user(CITIZEN))
        clock = h.app.services.clock
        assert isinstance(clock, FixedClock)
        clock.set(AT_2131_WIB)                       # due, within the grace period
        assert await reload_content(h.app)
        assert (await send_states(h.app.services.db))[KEY][0] == "enqueued"

        async def deferred() -> bool:
            found = [b for b in await list_broadcasts(h.app.services.db) if b.schedule_key == KEY]
            return bool(found) and found[0].not_before.startswith("2029-02-28T23:00")
        await eventually(deferred, what="deferred to the morning")
        yield h, folder, sender


async def _morning(h: Harness, sender: ScriptedSender) -> int:
    clock = h.app.services.clock
    assert isinstance(clock, FixedClock) and h.app.services.engine is not None
    clock.set(NEXT_MORNING)
    h.app.services.engine.poke()
    return await settled(lambda: sum(sender.delivered.values()))


@pytest.mark.parametrize("put_back", [False, True])
async def test_a_send_removed_from_the_calendar_while_it_waits_for_morning_is_not_sent(
        tmp_path: Path, put_back: bool) -> None:
    async with waiting_for_morning(tmp_path) as (h, folder, sender):
        _calendar(folder, with_night=False)          # the operator takes it out, reloads
        assert await reload_content(h.app)
        assert await _states(h) == ["cancelled"]
        assert (await send_states(h.app.services.db))[KEY][0] == "cancelled"
        if put_back:                                 # and thinks better of it, in time
            clock = h.app.services.clock
            assert isinstance(clock, FixedClock)
            clock.advance(timedelta(minutes=10))
            _calendar(folder, with_night=True)
            assert await reload_content(h.app)
            assert (await send_states(h.app.services.db))[KEY][0] == "enqueued"
        assert await _morning(h, sender) == (1 if put_back else 0)
