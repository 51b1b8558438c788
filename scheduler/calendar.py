"""Expand content/schedule.yaml into dated occurrences with stable keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.content.registry import Content
from bot.content.schedule_schema import Audience
from bot.storage.schedule import PlannedSend

# An occurrence: its key is stable across restarts and content edits of other sends; due_at UTC.
Occurrence = PlannedSend


def _at(day: date, clock: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=tz).astimezone(UTC)


def occurrences(content: Content) -> list[Occurrence]:
    schedule = content.schedule
    tz = ZoneInfo(content.election.timezone)
    found: list[Occurrence] = []

    def add(key: str, due: datetime, template: str, audience: Audience) -> None:
        tmpl = schedule.templates[template]
        region = audience.region if audience.region != content.election.region.code else None
        found.append(Occurrence(key, due, template, tmpl.topic, region, audience.language,
                                tmpl.urgent))

    for cid, send in schedule.countdown.items():
        day = content.election.voting_day - timedelta(days=send.days_before)
        add(f"countdown:{cid}", _at(day, send.time, tz), send.template, send.audience)
    for cid, cal in schedule.calendar.items():
        if cal.once is not None:
            add(f"cal:{cid}:{cal.once.isoformat()}", _at(cal.once, cal.time, tz), cal.template,
                cal.audience)
            continue
        assert cal.start is not None and cal.end is not None and cal.every_days is not None
        day = cal.start
        while day <= cal.end:
            add(f"cal:{cid}:{day.isoformat()}", _at(day, cal.time, tz), cal.template, cal.audience)
            day += timedelta(days=cal.every_days)
    found.sort(key=lambda o: (o.due_at, o.key))
    return found
