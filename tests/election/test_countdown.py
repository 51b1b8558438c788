"""The countdown, on the fixture election: Wednesday 14 March 2029, 08:00-14:00 WIB."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.content.registry import Content
from bot.election.countdown import countdown


def test_days_before(content: Content) -> None:
    state = countdown(content, datetime(2029, 2, 12, 1, 0, tzinfo=UTC), "id")  # 08:00 WIB
    assert state.phase == "before"
    assert state.variables == {"days": 30, "hours": 0, "voting_day": date(2029, 3, 14)}


def test_time_zone_decides_the_day(content: Content) -> None:
    # 18:00 UTC on 13 March is 01:00 WIB on 14 March: voting day already, polls not open yet.
    state = countdown(content, datetime(2029, 3, 13, 18, 0, tzinfo=UTC), "id")
    assert state.phase == "today"
    assert state.variables == {"opens_in_hours": 7, "open_now": False, "closed": False}


def test_last_day_counts_hours(content: Content) -> None:
    at_opening_time = countdown(content, datetime(2029, 3, 13, 1, 0, tzinfo=UTC), "en")
    assert (at_opening_time.variables["days"], at_opening_time.variables["hours"]) == (1, 0)
    evening = countdown(content, datetime(2029, 3, 13, 11, 30, tzinfo=UTC), "en")  # 18:30 WIB
    assert (evening.variables["days"], evening.variables["hours"]) == (0, 14)


def test_polls_open_and_closed(content: Content) -> None:
    open_now = countdown(content, datetime(2029, 3, 14, 6, 59, tzinfo=UTC), "id")  # 13:59 WIB
    assert open_now.variables == {"opens_in_hours": 0, "open_now": True, "closed": False}
    closed = countdown(content, datetime(2029, 3, 14, 7, 0, tzinfo=UTC), "id")  # 14:00 WIB
    assert closed.variables == {"opens_in_hours": 0, "open_now": False, "closed": True}


def test_after_lists_next_milestones(content: Content) -> None:
    state = countdown(content, datetime(2029, 3, 16, 3, 0, tzinfo=UTC), "en")
    assert state.phase == "after" and state.variables["days_since"] == 2
    assert [m["title"] for m in state.variables["upcoming"]] == ["Announcement of results"]
