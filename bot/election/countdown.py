"""Where we stand relative to voting day, in the election's own time zone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.content.registry import Content


@dataclass(frozen=True)
class Countdown:
    phase: Literal["before", "today", "after"]
    message_key: str
    variables: dict[str, Any]


def countdown(content: Content, now: datetime, lang: str) -> Countdown:
    election = content.election
    tz = ZoneInfo(election.timezone)
    local = now.astimezone(tz)
    opens, closes = content.voting_window(tz)
    today = local.date()

    if today < election.voting_day:
        calendar_days = (election.voting_day - today).days
        if calendar_days > 1:
            days, hours = calendar_days, 0
        else:
            # The last day: count down in hours to the opening of the polls.
            remaining = opens - local
            days = remaining.days
            hours = max(1, math.ceil(remaining.seconds / 3600)) if remaining.seconds else 0
        return Countdown("before", "countdown_before",
                         {"days": days, "hours": hours, "voting_day": election.voting_day})

    if today == election.voting_day:
        opens_in = max(0, math.ceil((opens - local).total_seconds() / 3600))
        return Countdown("today", "countdown_today", {
            "opens_in_hours": opens_in,
            "open_now": opens <= local < closes,
            "closed": local >= closes,
        })

    upcoming = []
    for milestone in sorted(election.milestones.values(), key=lambda m: m.start):
        if (milestone.end or milestone.start) >= today:
            upcoming.append({"title": milestone.title.get(lang), "start": milestone.start,
                             "end": milestone.end})
    return Countdown("after", "countdown_after", {
        "days_since": (today - election.voting_day).days,
        "upcoming": upcoming[:5],
    })
