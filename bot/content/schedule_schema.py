"""Schema of schedule.yaml: broadcast templates and the calendar of sends. Unknown fields are
errors, as everywhere in content (bot/content/schema.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from bot.content.schema import NonEmpty, Slug, Strict

# ---- schedule.yaml ------------------------------------------------------------------------

ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$")]


class BroadcastTemplate(Strict):
    topic: Slug   # a subscription topic (subscription_topics.yaml)
    urgent: bool = False
    id: NonEmpty
    en: NonEmpty | None = None

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else None) or self.id


class Audience(Strict):
    region: RegionCode | None = None
    language: Annotated[str, StringConstraints(pattern=r"^(id|en)$")] | None = None


class CountdownSend(Strict):
    """A message relative to voting day: `days_before` days before, at `time` (election tz)."""
    days_before: int = Field(ge=0, le=365)
    time: ClockTime
    template: Slug
    audience: Audience = Field(default_factory=Audience)


class CalendarSend(Strict):
    """A socialisation message: once (`once`), or every `every_days` from `start` to `end`."""
    once: date | None = None
    every_days: int | None = Field(default=None, ge=1, le=60)
    start: date | None = None
    end: date | None = None
    time: ClockTime
    template: Slug
    audience: Audience = Field(default_factory=Audience)

    @model_validator(mode="after")
    def _one_rule(self) -> CalendarSend:
        single = self.once is not None
        recurring = self.every_days is not None
        if single == recurring:
            raise ValueError("give either `once` (a date) or `every_days` with `start` and `end`")
        if recurring and (self.start is None or self.end is None or self.end < self.start):
            raise ValueError("a recurring send needs `start` and `end`, with end >= start")
        return self


class Schedule(Strict):
    templates: dict[Slug, BroadcastTemplate] = Field(min_length=1)
    countdown: dict[Slug, CountdownSend] = Field(default_factory=dict)
    calendar: dict[Slug, CalendarSend] = Field(default_factory=dict)

    def sends(self) -> list[tuple[str, CountdownSend | CalendarSend]]:
        """Every send with where it stands in the file ("countdown.h7", "calendar.x")."""
        found: list[tuple[str, CountdownSend | CalendarSend]] = [
            (f"countdown.{k}", v) for k, v in self.countdown.items()]
        return found + [(f"calendar.{k}", v) for k, v in self.calendar.items()]
