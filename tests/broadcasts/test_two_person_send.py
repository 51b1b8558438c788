"""The two-person rule at send time: the engine counts the recipients when it fixes them, and
an official's broadcast whose audience grew past the threshold, or past what a second official
approved, is held; one that shrank, or whose audience changed without growing, goes out."""

from __future__ import annotations

from bot.storage.broadcasts import get_broadcast
from bot.storage.officials import Held, get_approval, recent_audit, release_held
from bot.storage.subscriptions import unsubscribe
from tests.broadcasts.conftest import Rig, broadcast, settled

OFFICIAL = "tg:901"


async def test_an_audience_grown_past_the_threshold_is_held_and_nothing_is_sent(rig: Rig) -> None:
    await rig.subscribers(3)     # what the official saw when confirming: 3, under the threshold
    confirmed = await broadcast(rig, created_by=OFFICIAL)
    await rig.subscribers(3, start=2000)      # three more subscribe before it goes
    engine = rig.engine(approval_threshold=5)
    told: list[Held] = []
    engine.on_hold = told.append
    await engine.start()
    assert await rig.wait_state(confirmed, "held") == "held"
    await settled(lambda: len(rig.sender.payloads))
    assert rig.sender.payloads == []
    [held] = told
    assert (held.broadcast_id, held.requested_by, held.recipients, held.limit) == (
        confirmed, 901, 6, 5)
    request = await get_approval(rig.db, held.approval_id)
    assert request is not None and (request.state, request.recipients, request.held) == (
        "pending", 6, confirmed)
    [entry] = [e for e in await recent_audit(rig.db) if e.action == "broadcast.hold"]
    assert entry.count == 6 and f"#{confirmed}" in entry.detail


async def test_approved_it_goes_to_those_fixed_then_less_who_left_never_newcomers(rig: Rig) -> None:
    ids = await rig.subscribers(6)
    held_id = await broadcast(rig, created_by=OFFICIAL)
    engine = rig.engine(approval_threshold=5)
    await engine.start()
    await rig.wait_state(held_id, "held")
    await unsubscribe(rig.db, ids[0])         # one leaves while it waits...
    late = await rig.subscribers(1, start=3000)   # ...one arrives
    assert await release_held(rig.db, held_id, "tg:900", 6) == 5
    engine.poke()
    assert await rig.wait_state(held_id, "done") == "done"
    assert sorted(rig.sender.delivered) == ids[1:]
    assert late[0] not in rig.sender.delivered
    b = await get_broadcast(rig.db, held_id)
    assert b is not None and (b.approved_by, b.approved_count) == ("tg:900", 6)
    assert await release_held(rig.db, held_id, "tg:900", 6) is None     # only once


async def test_an_approved_broadcast_may_reach_what_was_approved_and_no_more(rig: Rig) -> None:
    await rig.subscribers(8)
    exactly = await broadcast(rig, created_by=OFFICIAL, approved_by="tg:900", approved_count=8)
    engine = rig.engine(approval_threshold=5)
    await engine.start()
    assert await rig.wait_state(exactly, "done") == "done"
    await rig.subscribers(1, start=4000)      # nine now: one more than the next was approved for
    grown = await broadcast(rig, created_by=OFFICIAL, approved_by="tg:900", approved_count=8)
    engine.poke()
    assert await rig.wait_state(grown, "held") == "held"
    entries = await recent_audit(rig.db)
    assert [(e.action, e.count) for e in entries[:2]] == [("broadcast.hold", 9),
                                                          ("broadcast.start", 8)]


async def test_a_shrunk_audience_goes_to_fewer_and_the_audit_log_has_the_real_count(
        rig: Rig) -> None:
    ids = await rig.subscribers(8)
    b = await broadcast(rig, created_by=OFFICIAL, approved_by="tg:900", approved_count=8)
    for uid in ids[:3]:
        await unsubscribe(rig.db, uid)
    await rig.engine(approval_threshold=5).start()
    assert await rig.wait_state(b, "done") == "done"
    assert sorted(rig.sender.delivered) == ids[3:]
    [entry] = [e for e in await recent_audit(rig.db) if e.action == "broadcast.start"]
    assert entry.count == 5


async def test_other_people_as_many_as_allowed_is_no_reason_to_hold(rig: Rig) -> None:
    """The rule bounds how many an announcement reaches; who they are follows its audience
    (topic, region, language, campaign), which the officials confirmed or approved."""
    ids = await rig.subscribers(5)
    b = await broadcast(rig, created_by=OFFICIAL)
    await unsubscribe(rig.db, ids[0])
    newcomer = await rig.subscribers(1, start=5000)
    await rig.engine(approval_threshold=5).start()
    assert await rig.wait_state(b, "done") == "done"
    assert sorted(rig.sender.delivered) == sorted(ids[1:] + newcomer)


async def test_the_operators_broadcasts_are_not_subject_to_the_rule(rig: Rig) -> None:
    """The server CLI and the content calendar are the operator's: never held."""
    ids = await rig.subscribers(4)
    cli = await broadcast(rig, created_by="cli")
    calendar = await broadcast(rig, created_by="schedule:countdown:h7", text="Tujuh hari lagi")
    await rig.engine(approval_threshold=1).start()
    assert await rig.wait_state(cli, "done") == "done"
    assert await rig.wait_state(calendar, "done") == "done"
    assert all(rig.sender.delivered[i] == 2 for i in ids)
    # The CLI's real count is audited (an operator's action); the calendar's is not.
    starts = [e for e in await recent_audit(rig.db) if e.action == "broadcast.start"]
    assert [(e.detail.split(":")[0], e.count) for e in starts] == [(f"#{cli}", 4)]


async def test_without_a_threshold_nothing_is_held(rig: Rig) -> None:
    ids = await rig.subscribers(6)
    b = await broadcast(rig, created_by=OFFICIAL)
    await rig.engine().start()
    assert await rig.wait_state(b, "done") == "done"
    assert sorted(rig.sender.delivered) == ids
