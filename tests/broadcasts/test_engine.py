"""The delivery engine: every outcome, quiet hours, caps, urgency, pause/cancel, resume."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.broadcasts.sender import SendResult, classify
from bot.storage.broadcasts import get_broadcast, outcome_counts, set_state
from bot.storage.subscriptions import get_subscription, unsubscribe
from tests.broadcasts.conftest import NIGHT_WIB, Rig, broadcast, eventually, settled


async def test_every_subscriber_gets_exactly_one_message(rig: Rig) -> None:
    ids = await rig.subscribers(120)
    await rig.engine().start()
    bid = await broadcast(rig)
    assert await rig.wait_state(bid, "done") == "done"
    assert all(rig.sender.delivered[i] == 1 for i in ids) and len(rig.sender.delivered) == 120
    assert await outcome_counts(rig.db, bid) == {"sent": 120}
    payload = rig.sender.payloads[0]
    assert payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1:u:"
    assert payload["allow_paid_broadcast"] is True and payload["parse_mode"] == "HTML"


async def test_outcomes_blocked_failed_retried_and_429(rig: Rig) -> None:
    ids = await rig.subscribers(10)
    script = rig.sender.script
    script[ids[0]] = [classify(403, {"ok": False, "error_code": 403,
                                     "description": "Forbidden: bot was blocked by the user"})]
    script[ids[1]] = [classify(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: chat not found"})]
    script[ids[2]] = [SendResult(False, 500, detail="Internal Server Error")]  # once, then ok
    script[ids[3]] = [SendResult(False, 0, detail="timeout")] * 4              # gives up
    script[ids[4]] = [classify(429, {"ok": False, "error_code": 429, "description": "Too Many",
                                     "parameters": {"retry_after": 1}})]
    script[ids[5]] = [classify(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: can't parse entities"})]
    engine = rig.engine()
    await engine.start()
    bid = await broadcast(rig)
    await rig.wait_state(bid, "done")
    counts = await outcome_counts(rig.db, bid)
    assert counts == {"sent": 6, "blocked": 2, "failed": 2}
    rows = dict(await (await rig.db.conn.execute(
        "SELECT user_id, outcome || ':' || attempts FROM deliveries WHERE broadcast_id = ?",
        (bid,))).fetchall())
    assert rows[ids[2]] == "sent:2" and rows[ids[3]] == "failed:4" and rows[ids[4]] == "sent:1"
    # Blocked subscribers are not sent to again.
    assert not (await get_subscription(rig.db, ids[0])).active  # type: ignore[union-attr]
    assert not (await get_subscription(rig.db, ids[1])).active  # type: ignore[union-attr]
    # The 429 was honoured by the whole engine: a one-second gap in sending.
    gaps = [b - a for a, b in zip(rig.sender.times, rig.sender.times[1:], strict=False)]
    assert max(gaps) >= 0.95
    second = await broadcast(rig)
    await rig.wait_state(second, "done")
    assert sum((await outcome_counts(rig.db, second)).values()) == 8


async def test_quiet_hours_defer_non_urgent_until_morning(rig: Rig) -> None:
    await rig.subscribers(5)
    rig.clock.set(NIGHT_WIB)
    await rig.engine().start()
    quiet = await broadcast(rig)
    urgent = await broadcast(rig, urgent=True, text="Darurat")
    await rig.wait_state(urgent, "done")

    async def moved_to_morning() -> bool:
        deferred = await get_broadcast(rig.db, quiet)
        assert deferred is not None and deferred.state == "scheduled"
        return deferred.not_before.startswith("2029-02-28T23:00")  # 06:00 WIB next morning

    await eventually(moved_to_morning, what="deferred to 06:00")
    assert all("Darurat" in p["text"] for p in rig.sender.payloads)
    rig.clock.set(NIGHT_WIB + timedelta(hours=8, minutes=1))
    rig.engines[0].poke()
    await rig.wait_state(quiet, "done")


async def test_daily_cap_applies_to_non_urgent_only(rig: Rig) -> None:
    ids = await rig.subscribers(3)
    await rig.engine(daily_cap=2).start()
    for _ in range(3):
        bid = await broadcast(rig)
        await rig.wait_state(bid, "done")
    assert await outcome_counts(rig.db, bid) == {"capped": 3}
    urgent = await broadcast(rig, urgent=True)
    await rig.wait_state(urgent, "done")
    assert await outcome_counts(rig.db, urgent) == {"sent": 3}
    assert all(rig.sender.delivered[i] == 3 for i in ids)


async def test_audience_filters(rig: Rig) -> None:
    await rig.subscribers(4, start=1, lang="id", region="99.01.01.1001")
    await rig.subscribers(3, start=100, lang="en", region="99.01.03.2002")
    await rig.subscribers(2, start=200, lang="id")
    await unsubscribe(rig.db, 200)
    await rig.engine().start()
    for kwargs, expected in (({"region": "99.01.01"}, 4), ({"language": "en"}, 3),
                             ({"region": "99.01.03.2002", "language": "id"}, 0), ({}, 8)):
        bid = await broadcast(rig, **kwargs)
        await rig.wait_state(bid, "done")
        assert sum((await outcome_counts(rig.db, bid)).values()) == expected, kwargs


async def test_template_rendered_per_subscriber_language_and_region(rig: Rig) -> None:
    await rig.subscribers(1, start=1, lang="id", region="99.01.01.1001")
    await rig.subscribers(1, start=2, lang="en")
    await rig.engine().start()
    bid = await broadcast(rig, text=None, template="countdown", topic="countdown")
    await rig.wait_state(bid, "done")
    by_chat = {p["chat_id"]: p["text"] for p in rig.sender.payloads}
    assert "14 hari lagi" in by_chat[1] and "Desamu: Sungai Rotan, Kec. Sungai Rotan" in by_chat[1]
    assert "14 days to go" in by_chat[2] and "Your village" not in by_chat[2]


async def test_pause_resume_cancel_and_resume_after_restart(rig: Rig) -> None:
    ids = await rig.subscribers(300)
    rig.sender.delay = 0.01
    engine = rig.engine(broadcast_rate=50.0)
    await engine.start()
    bid = await broadcast(rig)

    def delivered() -> int:
        return sum(rig.sender.delivered.values())

    async def some_sent(n: int) -> bool:
        return delivered() >= n

    await eventually(lambda: some_sent(20), what="20 sent")
    assert await set_state(rig.db, bid, ("sending",), "paused")
    paused_at = await settled(delivered)   # in-flight sends finish, then nothing more
    assert 20 <= paused_at < 300
    await set_state(rig.db, bid, ("paused",), "scheduled")
    await eventually(lambda: some_sent(paused_at + 20), what="resumed")
    await engine.stop()  # a restart midway: graceful stop flushes outcomes
    assert delivered() < 300
    restarted = rig.engine(broadcast_rate=1000.0)
    await restarted.start()
    await rig.wait_state(bid, "done")
    assert all(rig.sender.delivered[i] == 1 for i in ids), "a recipient got 0 or 2 messages"


async def test_cancel_stops_a_broadcast_midway(rig: Rig) -> None:
    await rig.subscribers(300)
    rig.sender.delay = 0.01
    await rig.engine(broadcast_rate=50.0).start()
    bid = await broadcast(rig)

    def delivered() -> int:
        return sum(rig.sender.delivered.values())

    async def sending() -> bool:
        return delivered() >= 10

    await eventually(sending, what="sending under way")
    assert await set_state(rig.db, bid, ("sending",), "cancelled")
    stopped_at = await settled(delivered)
    assert stopped_at < 300
    counts = await outcome_counts(rig.db, bid)
    assert counts["pending"] == 300 - stopped_at and counts["sent"] == stopped_at
    assert (await get_broadcast(rig.db, bid)).state == "cancelled"  # type: ignore[union-attr]


async def test_rate_is_respected(rig: Rig) -> None:
    await rig.subscribers(60)
    await rig.engine(broadcast_rate=25.0, paid_broadcast=False).start()
    bid = await broadcast(rig)
    await rig.wait_state(bid, "done")
    times = rig.sender.times
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert 20 <= achieved <= 27.5
    assert "allow_paid_broadcast" not in rig.sender.payloads[0]


async def test_a_slow_final_flush_is_not_lost(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: cancelling the flusher mid-write lost outcomes, and they were sent again."""
    from bot.broadcasts import outcomes as outcomes_module

    original = outcomes_module.record_outcomes

    async def slow(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(0.15)
        await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outcomes_module, "record_outcomes", slow)
    ids = await rig.subscribers(200)
    await rig.engine().start()
    first = await broadcast(rig)
    await rig.wait_state(first, "done")
    second = await broadcast(rig)
    await rig.wait_state(second, "done")
    assert all(rig.sender.delivered[i] == 2 for i in ids)
    assert await outcome_counts(rig.db, first) == {"sent": 200}


async def test_a_refused_outcome_write_is_kept_and_written_later(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: one refused write (a locked database) killed the flusher; the outcomes
    piled up unwritten, the broadcast failed, and its rerun sent them all again."""
    from bot.broadcasts import outcomes as outcomes_module

    original = outcomes_module.record_outcomes
    refused = {"left": 2}

    async def flaky(*args: object, **kwargs: object) -> None:
        if refused["left"] and rig.sender.delivered:
            refused["left"] -= 1
            raise RuntimeError("database is locked")
        await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outcomes_module, "record_outcomes", flaky)
    ids = await rig.subscribers(150)
    await rig.engine().start()
    bid = await broadcast(rig)
    assert await rig.wait_state(bid, "done") == "done"
    assert refused["left"] == 0
    assert all(rig.sender.delivered[i] == 1 for i in ids) and len(rig.sender.delivered) == 150
    assert await outcome_counts(rig.db, bid) == {"sent": 150}
