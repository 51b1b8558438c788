"""A pause or cancel while an official's broadcast has its recipients fixed (the two-person
rule fixes them all, chunk by chunk, before anything is sent) wins, on both backends: a
cancelled broadcast is never brought back as 'held' (nor sent once approved), a paused one
stays paused and is counted against the threshold when resumed, and one cancelled just after
the last chunk sends nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

import bot.storage.targeting as targeting
from bot.broadcasts.engine import DeliveryEngine
from bot.storage.broadcasts import TRANSITIONS, Broadcast, get_broadcast, set_state
from bot.storage.officials import pending_for_broadcast, release_held
from bot.storage.targeting import Chunk
from tests.broadcasts.conftest import Rig, broadcast, eventually, settled

OFFICIAL = "tg:901"


def act_during_targeting(monkeypatch: pytest.MonkeyPatch, rig: Rig, action: str,
                         after: Callable[[int, Chunk], bool]) -> list[Chunk]:
    """After the chunk `after` picks is committed, an official presses `action` (as /jadwal
    does); the chunks fixed, as they come."""
    original, steps = targeting.fix_chunk, []

    async def fix_then_act(db, b, now, chunk=targeting.CHUNK, limit=None):  # type: ignore[no-untyped-def]
        step = await original(db, b, now, chunk, limit)
        steps.append(step)
        if after(len(steps), step):
            allowed, to = TRANSITIONS[action]
            assert await set_state(rig.db, b.id, allowed, to, rig.clock.now())
        return step

    monkeypatch.setattr(targeting, "fix_chunk", fix_then_act)
    return steps


def ended(steps: list[Chunk]) -> Callable[[], Awaitable[bool]]:
    """The targeting is over: a chunk found fewer than the 10 asked for (the last one, or one
    that stopped as the broadcast was no longer 'sending')."""
    async def check() -> bool:
        return any(s.added < 10 for s in steps)
    return check


async def interrupted(rig: Rig, monkeypatch: pytest.MonkeyPatch, subscribers: int,
                      threshold: int, action: str, after: Callable[[int, Chunk], bool]
                      ) -> tuple[Broadcast, DeliveryEngine]:
    """An official's broadcast to `subscribers` under the two-person rule at `threshold`,
    fixed 10 at a time, with `action` pressed after the chunk `after` picks: once the
    targeting is over and the sends have settled, the broadcast as it stands, and the engine."""
    await rig.subscribers(subscribers)
    bid = await broadcast(rig, created_by=OFFICIAL)
    steps = act_during_targeting(monkeypatch, rig, action, after)
    engine = rig.engine(approval_threshold=threshold)
    engine.chunk = 10
    await engine.start()
    await eventually(ended(steps), what="the targeting ended")
    await settled(lambda: len(rig.sender.payloads))
    b = await get_broadcast(rig.db, bid)
    assert b is not None
    return b, engine


async def test_a_cancel_while_recipients_are_fixed_is_not_undone_by_a_hold(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 subscribers, over the threshold of 20: it would be held
    b, engine = await interrupted(rig, monkeypatch, 30, 20, "cancel", lambda n, _: n == 1)
    bid = b.id
    assert b.state == "cancelled"
    assert await pending_for_broadcast(rig.db, bid) is None     # nobody is asked to approve it
    assert await release_held(rig.db, bid, "tg:900", 30) is None
    engine.poke()
    await settled(lambda: len(rig.sender.payloads))
    assert rig.sender.payloads == []


async def test_a_pause_while_fixed_stays_paused_and_the_rule_applies_when_resumed(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    b, engine = await interrupted(rig, monkeypatch, 30, 20, "pause", lambda n, _: n == 1)
    bid = b.id
    assert b.state == "paused" and rig.sender.payloads == []
    allowed, to = TRANSITIONS["resume"]
    assert await set_state(rig.db, bid, allowed, to, rig.clock.now())
    engine.poke()
    # Resumed, the rest is fixed and counted: 30 is over 20, so it waits for a second official.
    assert await rig.wait_state(bid, "held") == "held"
    assert await pending_for_broadcast(rig.db, bid) is not None
    await settled(lambda: len(rig.sender.payloads))
    assert rig.sender.payloads == []


async def test_a_cancel_just_after_the_last_chunk_sends_nothing(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    # 15 subscribers, within the threshold of 40: it would go out at once
    b, _ = await interrupted(rig, monkeypatch, 15, 40, "cancel", lambda _, step: step.done)
    assert await rig.wait_state(b.id, "cancelled") == "cancelled"
    await settled(lambda: len(rig.sender.payloads))
    assert rig.sender.payloads == []
