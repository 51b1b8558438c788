"""The loaded content: what the rest of the bot reads (entries, messages, templates...)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Template
from markupsafe import Markup

from bot.clock import Clock, SystemClock
from bot.content import phases
from bot.content.language import Scope
from bot.content.phases import EVERY_DAY, Timeline, TimelineReads
from bot.content.render import render
from bot.content.schedule_schema import Schedule
from bot.content.schema import (
    LANGUAGES,
    Commands,
    Election,
    Entry,
    Source,
    SubscriptionTopic,
    Topic,
)
from bot.content.training import TrainingMessage

if TYPE_CHECKING:
    from bot.content.layers import Layer, ProvinceLayer, RegionNames

BUTTON_PREFIX = "btn_"


@dataclass(frozen=True)
class LoadedEntry:
    id: str
    entry: Entry
    path: Path
    line: int | None
    templates: dict[str, Template]  # per language
    # What each language's template reads of the timeline (the checks render it once per
    # distinct reading); a language missing here is read on every day.
    reads: dict[str, TimelineReads] = field(default_factory=dict)


@dataclass
class Content:
    root: Path
    election: Election
    sources: dict[str, Source]
    topics: dict[str, Topic]
    entries: dict[str, LoadedEntry]
    messages: dict[str, dict[str, Template]]  # key -> lang -> template
    commands: Commands
    schedule: Schedule
    broadcast_templates: dict[str, dict[str, Template]]  # template id -> lang -> template
    subscription_topics: dict[str, SubscriptionTopic]     # broadcast topics, in menu order
    dialect: dict[str, str] = field(default_factory=dict)  # local word or phrase -> Indonesian
    scope: Scope | None = None                              # what is out of scope
    dialect_endings: tuple[tuple[str, str], ...] = ()       # ("o", "a"): "apo" read as "apa"
    training: tuple[TrainingMessage, ...] = ()              # labelled messages (content/training)
    kind_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kinds.yaml
    # A province deployment (docs/architecture.md, "Regions"): the shared layer's own entries
    # (`entries` is then every id of the deployment, for the answer model and the menu), the
    # region layers by code, and the kabupaten/kota of the deployment (code -> name, set by
    # bot/regions/loader.py from the region codes) with other names people write them by.
    shared: dict[str, LoadedEntry] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    other_names: RegionNames | None = None
    # A national deployment: its province layers by code, and its provinces (code -> name, set
    # by bot/regions/loader.py from the region codes).
    province_layers: dict[str, ProvinceLayer] = field(default_factory=dict)
    province_names: dict[str, str] = field(default_factory=dict)
    # A region's view (for_region): its code, and the deployment it is a view of.
    region_code: str | None = None
    home: Content | None = field(default=None, repr=False)
    # What "today" is for answers that depend on the election's phase; the composition root
    # gives it the bot's clock (services.clock), so tests and previews move it too.
    clock: Clock = field(default_factory=SystemClock, repr=False)
    # Answers depend on content, language and what their template reads of the election's
    # timeline (a handful of readings over an election: the checks render each), messages
    # without variables (button labels...) only on content and language: each rendered once.
    _answers: dict[tuple[str, str, tuple[object, ...]], str] = field(default_factory=dict,
                                                                    repr=False)
    _fixed_messages: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _views: dict[str, Content] = field(default_factory=dict, init=False, repr=False)

    # ---- queries --------------------------------------------------------------------------

    def entries_in(self, topic_id: str) -> list[LoadedEntry]:
        return [e for e in self.entries.values() if e.entry.topic == topic_id]

    @property
    def place_and_year(self) -> list[str]:
        """The deployment's own region, province and election year, then every region of the
        deployment by each of its names: context in a question, said in passing, never what it
        is about (the matcher and the model both drop them)."""
        region = self.election.region
        own = [region.name, region.province, self.election.voting_day.isoformat()[:4]]
        return own + [n for n in self.place_names if n not in own]

    @property
    def place_names(self) -> list[str]:
        """The deployment's kabupaten/kota, by name and by their other names."""
        names = list(self.region_names.values())
        names += [layer.profile.name for layer in self.layers.values()]
        names += list(self.province_names.values())
        names += [layer.profile.name for layer in self.province_layers.values()]
        if self.other_names is not None:
            names += [n for item in self.other_names.regions.values() for n in item.names]
        return list(dict.fromkeys(names))

    # ---- regions --------------------------------------------------------------------------

    @property
    def is_province(self) -> bool:
        """A deployment of several kabupaten/kota, each read through its own view: a province,
        or several provinces (is_national)."""
        return self.election.region.level in ("provinsi", "nasional")

    @property
    def is_national(self) -> bool:
        return self.election.region.level == "nasional"

    def covers(self, code: str) -> bool:
        """Is this kabupaten/kota (code "16.03") part of the deployment?"""
        home = self.home or self
        return code in home.region_names or code in home.layers \
            or code == home.election.region.code

    def versions(self, entry_id: str) -> list[LoadedEntry]:
        """Every version of an entry in the deployment (shared, then each layer's): one
        answer model learns them all under the one id."""
        home = self.home or self
        found = [home.shared[entry_id]] if entry_id in home.shared else []
        found += [layer.entries[entry_id] for layer in home.province_layers.values()
                  if entry_id in layer.entries]
        found += [layer.entries[entry_id] for layer in home.layers.values()
                  if entry_id in layer.entries]
        return found or [self.entries[entry_id]]

    def needs_region(self, entry_id: str) -> bool:
        """Does the entry's answer depend on the asker's region (a shared regional entry, or
        one only region layers have)? Never in a flat, one-region deployment."""
        home = self.home or self
        if not home.layers and not home.is_province:
            return False
        shared = home.shared.get(entry_id)
        return entry_id in home.entries and (shared is None or shared.entry.regional)

    def for_region(self, code: str) -> Content:
        """The content as a citizen of that kabupaten/kota reads it: the shared entries with
        its layer's over them, its election profile; cached. A flat deployment is its region."""
        home = self.home or self
        if not home.is_province:
            return home
        view = home._views.get(code)
        if view is None:
            from bot.content.views import region_view

            view = home._views[code] = region_view(home, code)
        return view

    def region_answer(self, entry_id: str, lang: str, code: str | None,
                      now: datetime | None = None) -> str:
        """The entry's answer for a region (None: the deployment's shared one); a region whose
        layer does not answer it yet gets the honest "not loaded yet" reply."""
        content = self.for_region(code) if code else self
        if entry_id in content.entries and lang in content.entries[entry_id].templates:
            return content.answer(entry_id, lang, now)
        title = (self.home or self).entries[entry_id].entry.text(lang).title
        kpu = content.election.contacts.get("kpu_kabupaten")
        return content.message("region_not_loaded", lang, title=title,
                               region=content.election.region.name,
                               kpu=kpu.name.get(lang) if kpu else "")

    @cached_property
    def _base_contexts(self) -> dict[str, dict[str, Any]]:
        return {lang: _election_context(self.election, lang) for lang in LANGUAGES}

    def context(self, lang: str, **extra: Any) -> dict[str, Any]:
        ctx = dict(self._base_contexts[lang])
        ctx.update(extra)
        return ctx

    def message(self, key: str, lang: str, **variables: Any) -> str:
        if not variables:
            cached = self._fixed_messages.get((key, lang))
            if cached is None:
                cached = self._fixed_messages[(key, lang)] = self._render_message(key, lang)
            return cached
        return self._render_message(key, lang, **variables)

    def _render_message(self, key: str, lang: str, **variables: Any) -> str:
        text = render(self.messages[key][lang], self.context(lang, **variables))
        # Button labels are plain text, not HTML: undo the escaping meant for messages.
        return html.unescape(text) if key.startswith(BUTTON_PREFIX) else text

    @cached_property
    def neutral_entry(self) -> str | None:
        """The entry that answers every request to take sides, if the content has one."""
        return next((eid for eid, e in self.entries.items() if e.entry.neutral), None)

    def timeline(self, now: datetime | None = None) -> Timeline:
        """Where the election stands at `now` (default: the clock's now)."""
        return phases.timeline(self.election,
                               phases.local_day(self.election, now or self.clock.now()))

    def answer(self, entry_id: str, lang: str, now: datetime | None = None) -> str:
        """The entry's answer as it reads at `now` (default: the clock's now)."""
        when = self.timeline(now)
        # Equal readings of the timeline render equal text (phases.TimelineReads).
        key = (entry_id, lang, self.entries[entry_id].reads.get(lang, EVERY_DAY).reading(when))
        cached = self._answers.get(key)
        if cached is None:
            cached = self._answers[key] = self._render_answer(entry_id, lang, when)
        return cached

    def _render_answer(self, entry_id: str, lang: str, when: Timeline) -> str:
        loaded = self.entries[entry_id]
        text = loaded.entry.text(lang)
        body = Markup(render(loaded.templates[lang],
                             self.context(lang, **when.context(self.election))))
        return self.message(
            "answer", lang, title=text.title, body=body, sources=self.source_list(loaded.entry.sources)
        )

    def subscription_topic_list(self, lang: str, chosen: frozenset[str] | None = None
                                ) -> list[dict[str, str]]:
        """Subscription topics (all, or the chosen ones) as template variables."""
        return [{"id": tid, "label": t.label.get(lang), "description": t.description.get(lang)}
                for tid, t in self.subscription_topics.items() if chosen is None or tid in chosen]

    def source_list(self, ids: list[str]) -> list[dict[str, str]]:
        return [self.sources[s].model_dump() for s in ids]

    def voting_window(self, tz: Any) -> tuple[datetime, datetime]:
        day = self.election.voting_day
        start = _at(day, self.election.voting_hours.start, tz)
        end = _at(day, self.election.voting_hours.end, tz)
        return start, end


def _at(day: date, hhmm: str, tz: Any) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def _hhmm(value: str, lang: str) -> str:
    return value.replace(":", ".") if lang == "id" else value


def _election_context(election: Election, lang: str) -> dict[str, Any]:
    start, end = (_hhmm(election.voting_hours.start, lang), _hhmm(election.voting_hours.end, lang))
    return {
        "lang": lang,
        "election": {
            "name": election.name.get(lang),
            "short_name": election.short_name.get(lang),
            "voting_day": election.voting_day,
            "start": start,
            "end": end,
            "hours": f"{start}–{end} {election.timezone_label}",
            "tz": election.timezone_label,
            "region": election.region.name,
            "province": election.region.province,
            "kecamatan_count": election.region.kecamatan_count,
            "race": election.region.race or "",
            "operator": election.operator.get(lang) if election.operator else "",
        },
        "links": dict(election.links),
        "contacts": {
            cid: {
                "name": c.name.get(lang),
                "url": c.url,
                "note": c.note.get(lang) if c.note else "",
            }
            for cid, c in election.contacts.items()
        },
    }


def render_broadcast(content: Content, template_id: str, lang: str, day: date | None = None,
                     **variables: Any) -> str:
    """A broadcast template as it reads on `day` (default: voting day) for `content` (a
    region's view: its names, race and milestones, so `phase`, `reached`, `passed`)."""
    election = content.election
    when = phases.timeline(election, day or election.voting_day).context(election)
    return render(content.broadcast_templates[template_id][lang],
                  content.context(lang, **when, **variables))
