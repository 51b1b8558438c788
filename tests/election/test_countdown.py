from __future__ import annotations

from datetime import UTC, datetime

from bot.content.registry import Content
from bot.election.countdown import countdown


def test_days_before(content: Content) -> None:
    state = countdown(content, datetime(2024, 10, 28, 1, 0, tzinfo=UTC), "id")
    assert state.phase == "before" and state.variables["days"] == 30 and state.variables["hours"] == 0


def test_time_zone_decides_the_day(content: Content) -> None:
    # 18:00 UTC on 26 Nov is 01:00 WIB on 27 Nov: voting day already, polls not open yet.
    state = countdown(content, datetime(2024, 11, 26, 18, 0, tzinfo=UTC), "id")
    assert state.phase == "today" and state.variables["opens_in_hours"] == 6
    assert not state.variables["open_now"]


def test_last_day_counts_hours(content: Content) -> None:
    state = countdown(content, datetime(2024, 11, 26, 0, 0, tzinfo=UTC), "en")  # 07:00 WIB
    assert state.variables == {"days": 1, "hours": 0, "voting_day": content.election.voting_day} \
        or (state.variables["days"], state.variables["hours"]) == (1, 0)


def test_after_lists_next_milestones(content: Content) -> None:
    state = countdown(content, datetime(2024, 12, 10, 3, 0, tzinfo=UTC), "en")
    titles = [m["title"] for m in state.variables["upcoming"]]
    assert state.phase == "after" and titles[0].startswith("Counting")
    assert any("announcement" in t for t in titles)
