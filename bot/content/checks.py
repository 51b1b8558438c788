"""Checks across loaded content: references between files, and every template rendered in
every language with sample values (length and Telegram's HTML subset)."""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2.exceptions import SecurityError, UndefinedError

from bot.callbacks import CONTENT_ID
from bot.commands import KNOWN_COMMANDS
from bot.content.errors import Collector, key_line
from bot.content.messages import MESSAGE_VARIABLES, NOTICE_MAX, NOTICES
from bot.content.model import BUTTON_PREFIX, Content, LoadedEntry, render_broadcast
from bot.content.phases import EVERY_DAY, PHASES, sample_days
from bot.content.render import TELEGRAM_MAX_TEXT, html_problem, telegram_length
from bot.content.schedule_schema import Schedule
from bot.content.schema import LANGUAGES, Commands, Election, Source, Topic
from bot.content.yamlload import YamlError, load_yaml

MAX_BUTTON_TEXT = 64
RENDER_ERRORS = (UndefinedError, SecurityError, TypeError, ValueError)

BROADCAST_SAMPLE: dict[str, Any] = {
    "days_left": 7, "region_name": "Desa Contoh", "kecamatan_name": "Kecamatan Contoh",
    "tps": [{"nomor": 1, "alamat": "Balai <Contoh>", "map_url": None}], "tps_sample": True,
}


def check_references(col: Collector, root: Path, election: Election | None,
                      commands: Commands | None, sources: dict[str, Source],
                      topics: dict[str, Topic], entries: dict[str, LoadedEntry]) -> None:
    """References between files: sources, topics, related entries, commands."""
    if election is not None:
        for mid, milestone in election.milestones.items():
            for sid in milestone.sources:
                if sid not in sources and not col.is_lost("source", sid):
                    col.add(root / "election.yaml", None, f"milestones.{mid}.sources",
                            f"unknown source {sid!r}")
        results = election.milestones.get(election.results_milestone)
        if results is None:
            col.add(root / "election.yaml", None, "results_milestone",
                    f"{election.results_milestone!r} is not one of the milestones")
        elif results.start <= election.voting_day:
            col.add(root / "election.yaml", None, "results_milestone",
                    "the results milestone must start after voting_day")
    if commands is not None:
        for lang in LANGUAGES:
            for cmd in getattr(commands, lang):
                if cmd.command not in KNOWN_COMMANDS:
                    col.add(root / "commands.yaml", None, f"{lang}.{cmd.command}",
                            "the bot has no such command")
    for loaded in entries.values():
        check_entry(col, loaded, topics, sources, entries)
    used_topics = {loaded.entry.topic for loaded in entries.values()}
    neutral = [loaded for loaded in entries.values() if loaded.entry.neutral]
    for loaded in neutral[1:]:
        col.add(loaded.path, loaded.line, f"{loaded.id}.neutral",
                f"only one entry may be the neutral reply ({neutral[0].id} is)")
    if entries and not col.lost.get("entry"):    # a lost entry's topic is not known
        for tid in topics:
            if tid not in used_topics:
                col.add(root / "topics.yaml", None, tid, "topic has no entries")


def check_entry(col: Collector, loaded: LoadedEntry, topics: dict[str, Topic],
                sources: dict[str, Source], entries: dict[str, LoadedEntry]) -> None:
    """One entry's references: its topic, sources, related entries and claims' sources."""
    eid, entry = loaded.id, loaded.entry
    if topics and entry.topic not in topics and not col.is_lost("topic", entry.topic):
        col.add(loaded.path, loaded.line, f"{eid}.topic", f"unknown topic {entry.topic!r}")
    for sid in entry.sources:
        if sid not in sources and not col.is_lost("source", sid):
            col.add(loaded.path, None, f"{eid}.sources", f"unknown source {sid!r}")
    for rid in entry.related:
        if rid == eid or (rid not in entries and not col.is_lost("entry", rid)):
            col.add(loaded.path, None, f"{eid}.related", f"unknown related entry {rid!r}")
    said: set[str] = set()
    for n, claim in enumerate(entry.claims):
        if claim.source is not None and claim.source not in entry.sources:
            col.add(loaded.path, loaded.line, f"{eid}.claims.{n}.source",
                    f"{claim.source!r} is not one of this entry's sources")
        key = " ".join(claim.claim.id.lower().split())
        if key in said:
            col.add(loaded.path, loaded.line, f"{eid}.claims.{n}", "claim listed twice")
        said.add(key)
    if entry.en is None:
        col.add(loaded.path, loaded.line, f"{eid}.en", "English translation is missing")


def check_button_ids(col: Collector, root: Path, topics: dict[str, Any],
                     subscription_topics: dict[str, Any]) -> None:
    """Topic ids travel in buttons (bot/callbacks.py): ASCII letters, digits, _ and -."""
    for path, ids in ((root / "topics.yaml", topics),
                      (root / "subscription_topics.yaml", subscription_topics)):
        for tid in ids:
            if not CONTENT_ID.fullmatch(tid):
                col.add(path, None, tid, "an id must be 1-56 ASCII letters, digits, _ or -")
    # /langganan gives the topics on offer: in no phase may that be nothing.
    for phase in PHASES if subscription_topics else ():
        if not any(t.phases is None or phase in t.phases for t in subscription_topics.values()):
            col.add(root / "subscription_topics.yaml", None, "phases",
                    f"no topic is offered in the {phase} phase")


def check_schedule(col: Collector, root: Path, schedule: Schedule,
                   subscription_topics: dict[str, Any]) -> None:
    """Sends name existing templates; templates name existing subscription topics."""
    path = root / "schedule.yaml"
    for where, send in schedule.sends():
        if send.template not in schedule.templates:
            col.add(path, None, f"{where}.template", f"unknown template {send.template!r}")
    if subscription_topics:
        for tid, tmpl in schedule.templates.items():
            if tmpl.topic not in subscription_topics:
                col.add(path, None, f"templates.{tid}.topic",
                        f"unknown subscription topic {tmpl.topic!r} (subscription_topics.yaml: "
                        f"{', '.join(subscription_topics)})")


def check_rendering(col: Collector, content: Content, entries_only: bool = False,
                    entry_ids: Collection[str] | None = None, one_day: bool = False) -> None:
    """Every template rendered in every language with sample values; every answer on a day in
    each of the election's phases and after each milestone (phases.sample_days). A region's
    view is checked for its answers only (`entries_only`): those of `entry_ids` (default all),
    on voting day only with `one_day`."""
    root = content.root
    sample_now = datetime(2024, 11, 20, 9, 0)
    tz = ZoneInfo(content.election.timezone)
    days = [datetime.combine(day, time(12), tz) for day in sample_days(content.election)]
    if one_day:
        days = [datetime.combine(content.election.voting_day, time(12), tz)]
    timelines = [(day, content.timeline(day)) for day in days]
    if not entries_only:
        check_broadcasts(col, content)
    for lang in LANGUAGES:
        for eid, loaded in content.entries.items():
            if lang not in loaded.templates:    # a shared regional entry: its layers answer
                continue
            if entry_ids is not None and eid not in entry_ids:
                continue
            # Days on which the template reads the same (phase, milestones) render the same
            # text: the first of each is rendered.
            reads = loaded.reads.get(lang, EVERY_DAY)
            distinct: dict[tuple[object, ...], datetime] = {}
            for day, timeline in timelines:
                distinct.setdefault(reads.reading(timeline), day)
            variants: dict[str, str] = {}   # text -> first day it reads so
            for day in distinct.values():
                try:
                    text = content.answer(eid, lang, day)
                except RENDER_ERRORS as exc:
                    col.add(loaded.path, None, f"{eid}.{lang}.answer",
                            f"template error on {day.date().isoformat()}: {exc}")
                    break
                variants.setdefault(text, day.date().isoformat())
            for text, first in variants.items():
                where = f"{eid}.{lang}.answer" + (f" (as on {first})" if len(variants) > 1 else "")
                check_text(col, loaded.path, where, text)
        for key, sample in () if entries_only else MESSAGE_VARIABLES.items():
            sample = dict(sample, now=sample_now) if "now" in sample else sample
            # A message given the election's phase is rendered in each.
            for variables in [dict(sample, phase=p) for p in PHASES] if "phase" in sample else [sample]:
                try:
                    text = content.message(key, lang, **variables)
                except RENDER_ERRORS as exc:
                    col.add(root / "messages.yaml", None, f"{key}.{lang}", f"template error: {exc}")
                    break
                if key.startswith(BUTTON_PREFIX):
                    if not text.strip() or len(text) > MAX_BUTTON_TEXT or "\n" in text:
                        col.add(root / "messages.yaml", None, f"{key}.{lang}",
                                f"a button label must be one line of 1-{MAX_BUTTON_TEXT} characters")
                elif key in NOTICES:
                    if len(html.unescape(text)) > NOTICE_MAX or "<" in text:
                        col.add(root / "messages.yaml", None, f"{key}.{lang}",
                                f"a notice is plain text of at most {NOTICE_MAX} characters")
                else:
                    check_text(col, root / "messages.yaml", f"{key}.{lang}", text)


def check_broadcasts(col: Collector, content: Content, audience: str = "") -> None:
    """Every broadcast template rendered in every language with sample values, with `content`:
    the deployment's, or (`audience` naming it) the view a broadcast to a region renders with
    (bot/broadcasts/compose.py, audience_view), whose contacts, links and milestones differ."""
    path = (content.home or content).root / "schedule.yaml"
    for lang in LANGUAGES:
        for tid in content.broadcast_templates:
            where = f"templates.{tid}.{lang}"
            for variables in (BROADCAST_SAMPLE, {**BROADCAST_SAMPLE, "region_name": "",
                                                 "kecamatan_name": "", "tps": []}):
                try:
                    text = render_broadcast(content, tid, lang, **variables)
                except RENDER_ERRORS as exc:
                    col.add(path, _template_line(path, tid), where,
                            f"template error{f' for {audience}' if audience else ''}: {exc}")
                    break
                check_text(col, path, where + (f" (for {audience})" if audience else ""), text)


def _template_line(path: Path, tid: str) -> int | None:
    """The line of a broadcast template in schedule.yaml (read again: only for a problem)."""
    try:
        raw = load_yaml(path)
    except (OSError, YamlError):
        return None
    return key_line(raw.get("templates") if isinstance(raw, dict) else None, tid)


def check_text(col: Collector, path: Path, where: str, text: str) -> None:
    if not text.strip():
        col.add(path, None, where, "renders to empty text")
    length = telegram_length(text)
    if length > TELEGRAM_MAX_TEXT:
        col.add(path, None, where,
                f"renders to {length} characters, over Telegram's {TELEGRAM_MAX_TEXT}")
    problem = html_problem(text)
    if problem:
        col.add(path, None, where, f"HTML Telegram would refuse: {problem}")
