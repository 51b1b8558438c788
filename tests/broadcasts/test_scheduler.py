"""The schedule: rebuilt from the database at start-up, grace and skip, never twice."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.content.registry import Content, load_content
from bot.settings import Settings
from scheduler import runner as runner_module
from scheduler.calendar import occurrences
from scheduler.runner import ScheduleRunner
from tests.broadcasts.conftest import Rig
from tests.conftest import FIXTURE_CONTENT


async def states(rig: Rig) -> dict[str, tuple[str, str | None]]:
    rows = await (await rig.db.conn.execute("SELECT key, state, reason FROM scheduled_sends")).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def runner(rig: Rig, content: Content | None = None, **settings: object) -> ScheduleRunner:
    merged: Settings = rig.settings.model_copy(update=settings) if settings else rig.settings
    return ScheduleRunner(merged, content or rig.content, rig.clock)


def test_occurrences_from_content(content: Content) -> None:
    found = {o.key: o for o in occurrences(content)}
    assert found["countdown:h7"].due_at == datetime(2029, 3, 7, 2, 0, tzinfo=UTC)  # 09:00 WIB
    assert found["countdown:hari_h"].due_at == datetime(2029, 3, 13, 23, 30, tzinfo=UTC)
    assert found["countdown:hari_h"].urgent and not found["countdown:h7"].urgent
    weekly = sorted(k for k in found if k.startswith("cal:tips_mingguan:"))
    assert weekly == [f"cal:tips_mingguan:2029-{d}" for d in ("02-01", "02-08", "02-15", "02-22",
                                                               "03-01")]
    once = found["cal:tips_sekali:2029-03-11"]
    assert (once.topic, once.language, once.template) == ("socialisation", "en", "tips")


async def test_sync_enqueues_within_grace_and_skips_older(rig: Rig) -> None:
    # 12:00 WIB on 7 March: h7 (09:00 today) is 3 h late, within 6 h; last week's tips are not.
    rig.clock.set(datetime(2029, 3, 7, 5, 0, tzinfo=UTC))
    run = runner(rig)
    run._db = rig.db
    report = await run.sync()
    assert "countdown:h7" in report.enqueued
    assert "cal:tips_mingguan:2029-03-01" in report.skipped
    found = await states(rig)
    assert found["countdown:h7"][0] == "enqueued"
    skipped = found["cal:tips_mingguan:2029-03-01"]
    assert skipped[0] == "skipped" and "grace period" in (skipped[1] or "")
    assert found["countdown:h3"][0] == "pending" and "countdown:h3" in [o.key for o in report.future]
    broadcasts = await (await rig.db.conn.execute(
        "SELECT schedule_key, template, topic FROM broadcasts")).fetchall()
    assert [tuple(b) for b in broadcasts] == [("countdown:h7", "countdown", "countdown")]
    # A second start-up (a restart) changes nothing and sends nothing twice.
    again = await run.sync()
    assert again.enqueued == [] and again.skipped == [] and again.added == 0
    assert await run.enqueue("countdown:h7") is None
    count = await (await rig.db.conn.execute("SELECT COUNT(*) FROM broadcasts")).fetchone()
    assert count[0] == 1


async def test_grace_is_configurable(rig: Rig) -> None:
    rig.clock.set(datetime(2029, 3, 7, 5, 0, tzinfo=UTC))
    run = runner(rig, schedule_grace_hours=1.0)
    run._db = rig.db
    report = await run.sync()
    assert "countdown:h7" in report.skipped


async def test_calendar_change_reschedules_and_removal_cancels(rig: Rig, tmp_path: Path) -> None:
    rig.clock.set(datetime(2029, 1, 15, 0, 0, tzinfo=UTC))
    run = runner(rig)
    run._db = rig.db
    await run.sync()
    edited = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, edited)
    schedule = edited / "schedule.yaml"
    text = schedule.read_text()
    text = text.replace('h3: {days_before: 3, time: "08:00", template: countdown}',
                        'h3: {days_before: 3, time: "09:30", template: countdown}')
    removed = ('  tips_sekali:\n    once: 2029-03-11\n    time: "19:00"\n    template: tips\n'
               "    audience: {language: en}\n")
    assert removed in text
    text = text.replace(removed, "")
    schedule.write_text(text)
    run2 = runner(rig, content=load_content(edited))
    run2._db = rig.db
    report = await run2.sync()
    assert report.rescheduled == 1 and report.cancelled == 1
    due = await (await rig.db.conn.execute(
        "SELECT due_at FROM scheduled_sends WHERE key = 'countdown:h3'")).fetchone()
    assert due[0].startswith("2029-03-11T02:30")  # 09:30 WIB
    assert (await states(rig))["cal:tips_sekali:2029-03-11"] == ("cancelled", "removed from the calendar")
    # Put back unchanged, it is pending again (it stayed cancelled for good before).
    run3 = runner(rig)
    run3._db = rig.db
    report = await run3.sync()
    assert report.rescheduled == 2 and report.cancelled == 0
    assert (await states(rig))["cal:tips_sekali:2029-03-11"] == ("pending", None)


async def test_jobs_fire_through_apscheduler(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    # Real time for APScheduler: one occurrence two seconds from now.
    now = datetime.now(UTC)
    rig.clock = FixedClock(now)
    run = ScheduleRunner(rig.settings, rig.content, rig.clock)
    soon = replace(occurrences(rig.content)[0], key="test:soon", due_at=now + timedelta(seconds=2))
    monkeypatch.setattr(runner_module, "occurrences", lambda content: [soon])
    try:
        report = await run.start()
        assert [o.key for o in report.future] == ["test:soon"]
        row = None
        for _ in range(60):
            row = await (await rig.db.conn.execute(
                "SELECT state FROM scheduled_sends WHERE key = 'test:soon'")).fetchone()
            if row and row[0] == "enqueued":
                break
            await asyncio.sleep(0.1)
        assert row is not None and row[0] == "enqueued"
    finally:
        await run.stop()
