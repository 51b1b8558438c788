"""Schemas of the content files. Unknown fields are errors, so typos never pass silently."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text per language; Indonesian is required, English falls back to it."""

    id: NonEmpty
    en: NonEmpty | None = None

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else None) or self.id


# ---- sources.yaml -------------------------------------------------------------------------


class Source(Strict):
    title: NonEmpty
    url: Url | None = None     # a few items on the fact sheet were found without their address
    date: NonEmpty


# ---- election.yaml ------------------------------------------------------------------------


class VotingHours(Strict):
    start: HHMM
    end: HHMM

    @model_validator(mode="after")
    def _ordered(self) -> VotingHours:
        if self.end <= self.start:
            raise ValueError("voting_hours.end must be after voting_hours.start")
        return self


class Bounds(Strict):
    min_lat: float = Field(ge=-90, le=90)
    max_lat: float = Field(ge=-90, le=90)
    min_lon: float = Field(ge=-180, le=180)
    max_lon: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min_lat >= self.max_lat or self.min_lon >= self.max_lon:
            raise ValueError("bounds: min must be below max")
        return self

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


class Region(Strict):
    # A province deployment (`provinsi`, code "16") has region layers (content/layers/); a
    # `kabupaten_kota` one (code "16.03") is that one region; a `nasional` one (code "ID") serves
    # several provinces (`provinces`, or every province of the region codes), with province
    # layers (layers/<2 digits>/) between the shared layer and the region layers.
    level: Annotated[str, StringConstraints(pattern=r"^(nasional|provinsi|kabupaten_kota)$")]
    code: Annotated[str, StringConstraints(pattern=r"^(ID|\d{2}(\.\d{2})?)$")]
    name: NonEmpty
    province: NonEmpty
    kecamatan_count: int | None = Field(default=None, ge=1)
    data: Annotated[str, StringConstraints(pattern=r"^[\w./-]+\.csv$")]
    bounds: Bounds
    # bupati (kabupaten) or walikota (kota); a province's own race is the governor's.
    race: Annotated[str, StringConstraints(pattern=r"^(bupati|walikota|gubernur)$")] | None = None
    provinces: list[Annotated[str, StringConstraints(pattern=r"^\d{2}$")]] = Field(
        default_factory=list)

    @model_validator(mode="after")
    def _code_fits_level(self) -> Region:
        shape = {"nasional": "ID", "provinsi": "no dot", "kabupaten_kota": "dot"}[self.level]
        fits = self.code == "ID" if shape == "ID" else \
            self.code != "ID" and (shape == "dot") == ("." in self.code)
        if not fits:
            raise ValueError(f"code {self.code!r} does not fit level {self.level}")
        if self.provinces and self.level != "nasional":
            raise ValueError("provinces: only a national deployment (level nasional) lists them")
        return self


class Contact(Strict):
    name: Localized
    url: Url | None = None
    note: Localized | None = None


class Milestone(Strict):
    start: date
    end: date | None = None
    title: Localized
    sources: list[Slug] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Milestone:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


# ---- a race's candidate pairs (election.yaml; a layer's region.yaml) -----------------------


class Pair(Strict):
    number: int = Field(ge=1)                                   # on the ballot
    # The candidate and the deputy, and the pair's nicknames ("HDCU"), as its answer writes them.
    names: list[NonEmpty] = Field(min_length=2, max_length=2)
    nicknames: list[NonEmpty] = Field(default_factory=list)


class Candidates(Strict):
    """A race's pairs in ballot order, and the entry whose answer lists them (checked: every name
    and nickname is in it); the answer model reads them as one word (bot/faq/pairs.py)."""
    entry: Slug
    pairs: list[Pair] = Field(min_length=1)

    @model_validator(mode="after")
    def _in_order(self) -> Candidates:
        if [p.number for p in self.pairs] != list(range(1, len(self.pairs) + 1)):
            raise ValueError("pairs: numbered 1, 2, 3... in ballot order")
        return self

class Election(Strict):
    name: Localized
    short_name: Localized
    voting_day: date
    voting_hours: VotingHours
    timezone: NonEmpty
    timezone_label: NonEmpty
    region: Region
    links: dict[Slug, Url]
    contacts: dict[Slug, Contact] = Field(min_length=1)
    milestones: dict[Slug, Milestone] = Field(min_length=1)
    # After voting day answers read "counting" until this milestone starts (content/phases.py).
    results_milestone: Slug
    tps_search_radius_km: float = Field(gt=0, le=200)
    # Who runs this deployment, as its users should read it ("KPU Kabupaten Muara Enim"): the
    # answer to "is this bot official?". Unset: the bot says it is no official channel.
    operator: Localized | None = None
    candidates: Candidates | None = None     # the shared layer's race (a province's: governor)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


# ---- topics.yaml --------------------------------------------------------------------------


class TopicText(Strict):
    title: NonEmpty


class Topic(Strict):
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=4)]
    id: TopicText
    en: TopicText | None = None

    def title(self, lang: str) -> str:
        return (self.en if lang == "en" and self.en else self.id).title


# ---- faq/*.yaml ---------------------------------------------------------------------------


class EntryText(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60)]
    questions: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = Field(default_factory=list)
    # Only a shared `regional` entry goes without one: each region layer writes its own.
    answer: NonEmpty | None = None


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


Trigger = Annotated[str, StringConstraints(min_length=3), AfterValidator(_regex)]

# A claim as people pass it on: a sentence long enough to say something, short enough to quote.
ClaimSentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10,
                                                 max_length=200)]


class ClaimText(Strict):   # both languages: the claim is matched against forwarded messages
    id: ClaimSentence
    en: ClaimSentence


class Claim(Strict):
    """A claim the entry settles, its verdict, and the entry's source that settles it."""
    claim: ClaimText
    verdict: StrictBool
    source: Slug | None = None


class Entry(Strict):
    topic: Slug
    sources: list[Slug] = Field(min_length=1)
    related: list[Slug] = Field(default_factory=list)
    # Questions this entry must answer whatever the matcher thinks (case-insensitive regular
    # expressions): e.g. every request to take sides gets the neutral answer.
    triggers: list[Trigger] = Field(default_factory=list)
    # The reply to every request to take sides, rank or predict (the answer model's `neutral`).
    neutral: bool = False
    claims: list[Claim] = Field(default_factory=list)
    # A shared entry whose answer depends on the asker's region (its candidates, results...):
    # it carries the questions and no answer; region layers (content/layers/<code>/) answer it
    # under the same id, and a region without one gets the "not loaded yet" reply.
    regional: bool = False
    id: EntryText
    en: EntryText | None = None

    @model_validator(mode="after")
    def _answered(self) -> Entry:
        texts = [t for t in (self.id, self.en) if t is not None]
        if self.regional and any(t.answer for t in texts):
            raise ValueError("a regional entry has no answer here: region layers write it")
        if not self.regional and not all(t.answer for t in texts):
            raise ValueError("answer is missing (only a regional entry goes without one)")
        return self

    def text(self, lang: str) -> EntryText:
        return self.en if lang == "en" and self.en else self.id


class FaqFile(Strict):
    entries: dict[Slug, Entry] = Field(min_length=1)


# ---- commands.yaml ------------------------------------------------------------------------


class MenuCommand(Strict):
    command: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, StringConstraints(min_length=3, max_length=256)]


class Commands(Strict):
    id: list[MenuCommand] = Field(min_length=1, max_length=100)
    en: list[MenuCommand] = Field(min_length=1, max_length=100)


# ---- messages.yaml ------------------------------------------------------------------------

Messages = dict[Slug, Localized]

MESSAGE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# ---- subscription_topics.yaml -------------------------------------------------------------


class SubscriptionTopic(Strict):
    """A kind of broadcast a subscriber can choose: the button label and what it brings."""
    label: Localized
    description: Localized
    # The election phases it is offered and promised in (content/phases.py; default: all): a
    # countdown ends with voting day, and a subscriber is not promised it after.
    phases: list[Literal["before_voting", "voting_day", "counting", "after_results"]] | None = None
