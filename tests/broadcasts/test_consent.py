"""Withdrawn consent stops what was already on its way (UU 27/2022): a broadcast's recipients
are fixed when it starts, and one paused (an operator, quiet hours) may go on hours later. A
citizen who leaves meanwhile (/berhenti, the one-tap button, a topic switched off, /hapusdata)
is not sent it when it goes on. Through the real Application and its delivery engine."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.broadcasts.targeting as targeting
from bot.broadcasts.cli import control
from bot.content.registry import Content
from bot.storage.broadcasts import (
    Outcome,
    create_broadcast,
    get_broadcast,
    outcome_counts,
    pending_batch,
    record_outcomes,
)
from bot.storage.subscriptions import drop_topic, unsubscribe
from bot.storage.targeting import CHUNK, claim, fix_chunk
from tests.broadcasts.conftest import Rig, ScriptedSender, broadcast, in_state
from tests.fakes.harness import Harness, offline_bot
from tests.fakes.subscribers import TOPICS

FIRST, LEAVER, STAYER = 7001, 7002, 7003


def pause_once_fixed(monkeypatch: pytest.MonkeyPatch, h: Harness) -> None:
    """The operator pauses the broadcast (`broadcast pause`) once its recipients are fixed."""
    original = targeting.fix_chunk

    async def fix_then_pause(db, b, now, chunk=CHUNK, limit=None):  # type: ignore[no-untyped-def]
        step = await original(db, b, now, chunk, limit)
        await control(h.app.services.settings, "pause", b.id, now)
        return step

    monkeypatch.setattr(targeting, "fix_chunk", fix_then_pause)


async def _paused_midway(h: Harness, sender: ScriptedSender, topic: str) -> int:
    for citizen in (FIRST, LEAVER, STAYER):
        await h.text("/langganan", user=h.user(citizen))
    db = h.app.services.db
    now = h.app.services.clock.now()
    bid = await create_broadcast(db, created_by="cli", topic=topic, text="Rapat warga",
                                 not_before=now, now=now)
    assert h.app.services.engine is not None
    h.app.services.engine.poke()
    await in_state(db, bid, "paused")
    assert not sender.delivered
    return bid


async def _resume_and_finish(h: Harness, bid: int) -> None:
    await control(h.app.services.settings, "resume", bid, h.app.services.clock.now())
    assert h.app.services.engine is not None
    h.app.services.engine.poke()
    await in_state(h.app.services.db, bid, "done")


@pytest.mark.parametrize("leave", [["/berhenti"], ["/hapusdata", "Ya, hapus"], ["topic"]])
async def test_who_leaves_while_a_broadcast_is_paused_is_not_sent_it(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch, leave: list[str]) -> None:
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, QUIET_HOURS="", DAILY_CAP="0") as h:
        pause_once_fixed(monkeypatch, h)
        topic = "socialisation" if leave == ["topic"] else "announcements"
        bid = await _paused_midway(h, sender, topic)
        leaver = h.user(LEAVER)
        if leave == ["topic"]:
            await h.text("/langganan", user=leaver)
            await h.press_label("Info & pengingat", user=leaver)     # switched off
        else:
            await h.text(leave[0], user=leaver)
            for label in leave[1:]:
                await h.press_label(label, user=leaver)
        await _resume_and_finish(h, bid)
        assert sender.delivered[FIRST] == sender.delivered[STAYER] == 1
        assert sender.delivered[LEAVER] == 0, f"sent after {leave}"
        counts = await outcome_counts(h.app.services.db, bid)
        assert counts.get("sent") == 2, counts


async def test_leaving_takes_back_only_what_is_still_on_its_way(rig: Rig) -> None:
    """On each backend: pending rows of open broadcasts go; outcomes, other subscribers' rows
    and other topics' broadcasts stay."""
    first, leaver, other = await rig.subscribers(3)
    news = await broadcast(rig, topic="announcements")
    tips = await broadcast(rig, topic="socialisation")
    for bid in (news, tips):
        b = await get_broadcast(rig.db, bid)
        assert b is not None and await claim(rig.db, b, rig.clock.now())
        await fix_chunk(rig.db, b, rig.clock.now())
    await record_outcomes(rig.db, news, [Outcome(leaver, "sent", None, 1)], rig.clock.now(),
                          "2029-02-28", counts_toward_cap=True)
    assert await drop_topic(rig.db, first, "socialisation", TOPICS)
    assert await unsubscribe(rig.db, leaver)
    pending = {bid: await pending_batch(rig.db, bid, 0, 10, "2029-02-28") for bid in (news, tips)}
    assert [r.user_id for r in pending[news]] == [first, other]
    assert [r.user_id for r in pending[tips]] == [other]
    assert (await outcome_counts(rig.db, news)).get("sent") == 1
