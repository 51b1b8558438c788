"""Quiet hours (QUIET_HOURS, in the election's time zone): non-urgent messages wait for morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def in_quiet(local: datetime, window: tuple[time, time] | None) -> bool:
    if window is None:
        return False
    start, end = window
    now = local.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # the window wraps midnight, e.g. 21:00-06:00


def quiet_end(local: datetime, window: tuple[time, time]) -> datetime:
    """When the quiet window containing `local` ends (same tz as `local`)."""
    _, end = window
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate
