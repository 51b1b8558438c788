"""Load, validate and serve all content. Invalid content is refused whole, with every error."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from markupsafe import Markup
from pydantic import BaseModel, ValidationError

from bot.commands import KNOWN_COMMANDS
from bot.content.messages import MESSAGE_VARIABLES
from bot.content.render import (
    TELEGRAM_MAX_TEXT,
    html_problem,
    make_environment,
    render,
    telegram_length,
)
from bot.content.schema import (
    LANGUAGES,
    Commands,
    Election,
    Entry,
    FaqFile,
    Localized,
    Schedule,
    Source,
    Topic,
)
from bot.content.wilayah import RegionDataError, load_region_tree
from bot.content.yamlload import LineDict, YamlError, line_of, load_yaml
from bot.regions.tree import RegionTree

BUTTON_PREFIX = "btn_"
MAX_BUTTON_TEXT = 64


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{place}: {self.where + ': ' if self.where else ''}{self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"content is invalid ({len(problems)} problem(s)):\n{lines}")


@dataclass
class _Collector:
    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int | None, where: str, message: str) -> None:
        try:
            shown = path.relative_to(self.root.parent)
        except ValueError:
            shown = path
        self.problems.append(Problem(shown, line, where, message))

    def validate(self, model: type[BaseModel], path: Path, data: Any, prefix: tuple = ()) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = prefix + tuple(err["loc"])
                where = ".".join(str(p) for p in loc)
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    message = "unknown field"
                self.add(path, line_of(data, tuple(err["loc"])), where, message)
            return None

    def load(self, path: Path) -> Any:
        if not path.exists():
            self.add(path, None, "", "file is missing")
            return None
        try:
            return load_yaml(path)
        except YamlError as exc:
            self.add(path, exc.line, "", exc.message)
            return None


@dataclass(frozen=True)
class LoadedEntry:
    id: str
    entry: Entry
    path: Path
    line: int | None
    templates: dict[str, Template]  # per language


@dataclass
class Content:
    root: Path
    election: Election
    sources: dict[str, Source]
    topics: dict[str, Topic]
    entries: dict[str, LoadedEntry]
    messages: dict[str, dict[str, Template]]  # key -> lang -> template
    commands: Commands
    regions: RegionTree
    schedule: Schedule
    broadcast_templates: dict[str, dict[str, Template]]  # template id -> lang -> template
    # Answers, and messages without variables (button labels...), depend only on content and
    # language, so each is rendered once.
    _answers: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _fixed_messages: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    # ---- queries --------------------------------------------------------------------------

    def entries_in(self, topic_id: str) -> list[LoadedEntry]:
        return [e for e in self.entries.values() if e.entry.topic == topic_id]

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

    def answer(self, entry_id: str, lang: str) -> str:
        cached = self._answers.get((entry_id, lang))
        if cached is None:
            cached = self._answers[(entry_id, lang)] = self._render_answer(entry_id, lang)
        return cached

    def _render_answer(self, entry_id: str, lang: str) -> str:
        loaded = self.entries[entry_id]
        text = loaded.entry.text(lang)
        body = Markup(render(loaded.templates[lang], self.context(lang)))
        return self.message(
            "answer", lang, title=text.title, body=body, sources=self.source_list(loaded.entry.sources)
        )

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


# ---- loading ------------------------------------------------------------------------------


def load_content(root: Path, render_check: bool = True) -> Content:
    """Load every content file under `root`; raise ContentError listing all problems.

    `render_check=False` skips rendering every template with sample values (schemas and
    references are still checked): for operator commands, on content the bot already checked.
    """
    root = Path(root)
    col = _Collector(root)
    env = make_environment()

    raw_sources = col.load(root / "sources.yaml")
    sources: dict[str, Source] = {}
    if isinstance(raw_sources, dict):
        for sid, data in raw_sources.items():
            model = col.validate(Source, root / "sources.yaml", data, (sid,))
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", str(sid)):
                col.add(root / "sources.yaml", _key_line(raw_sources, sid), str(sid), "bad id")
            if model:
                sources[str(sid)] = model
    elif raw_sources is not None:
        col.add(root / "sources.yaml", None, "", "must be a mapping of source id to source")

    election = _load_model(col, root / "election.yaml", Election)
    regions = _load_regions(col, root, election) if election is not None else None
    commands = _load_model(col, root / "commands.yaml", Commands)

    raw_topics = col.load(root / "topics.yaml")
    topics: dict[str, Topic] = {}
    if isinstance(raw_topics, dict):
        for tid, data in raw_topics.items():
            model = col.validate(Topic, root / "topics.yaml", data, (tid,))
            if model:
                topics[str(tid)] = model
    elif raw_topics is not None:
        col.add(root / "topics.yaml", None, "", "must be a mapping of topic id to topic")

    entries: dict[str, LoadedEntry] = {}
    faq_dir = root / "faq"
    faq_files = sorted(faq_dir.glob("*.yaml")) if faq_dir.is_dir() else []
    if not faq_files:
        col.add(faq_dir, None, "", "no FAQ files (faq/*.yaml)")
    for path in faq_files:
        raw = col.load(path)
        if raw is None:
            continue
        faq = col.validate(FaqFile, path, raw)
        if faq is None:
            continue
        for eid, entry in faq.entries.items():
            line = _key_line(raw.get("entries"), eid)
            if eid in entries:
                col.add(path, line, eid, f"duplicate entry id (also in {entries[eid].path.name})")
                continue
            templates = {}
            for lang in LANGUAGES:
                text = entry.text(lang)
                tmpl = _compile(col, env, text.answer, path, line, f"{eid}.{lang}.answer")
                if tmpl is not None:
                    templates[lang] = tmpl
            entries[eid] = LoadedEntry(eid, entry, path, line, templates)

    raw_messages = col.load(root / "messages.yaml")
    messages: dict[str, dict[str, Template]] = {}
    if isinstance(raw_messages, dict):
        for key, data in raw_messages.items():
            line = _key_line(raw_messages, key)
            if key not in MESSAGE_VARIABLES:
                col.add(root / "messages.yaml", line, str(key), "unknown message key")
                continue
            loc = col.validate(Localized, root / "messages.yaml", data, (key,))
            if loc is None:
                continue
            messages[key] = {}
            for lang in LANGUAGES:
                tmpl = _compile(col, env, loc.get(lang), root / "messages.yaml", line, f"{key}.{lang}")
                if tmpl is not None:
                    messages[key][lang] = tmpl
        for key in MESSAGE_VARIABLES:
            if key not in raw_messages:
                col.add(root / "messages.yaml", None, key, "message is missing")
    elif raw_messages is not None:
        col.add(root / "messages.yaml", None, "", "must be a mapping of message key to texts")

    raw_schedule = col.load(root / "schedule.yaml")
    schedule = (col.validate(Schedule, root / "schedule.yaml", raw_schedule)
                if raw_schedule is not None else None)
    broadcast_templates: dict[str, dict[str, Template]] = {}
    if schedule is not None:
        for tid, tmpl in schedule.templates.items():
            line = _key_line(raw_schedule.get("templates"), tid)
            broadcast_templates[tid] = {}
            for lang in LANGUAGES:
                compiled = _compile(col, env, tmpl.get(lang), root / "schedule.yaml", line,
                                    f"templates.{tid}.{lang}")
                if compiled is not None:
                    broadcast_templates[tid][lang] = compiled
        _check_schedule_references(col, root, schedule, regions)

    # References are checked even when other files failed, so every problem shows at once.
    _check_references(col, root, election, commands, sources, topics, entries)
    if col.problems:
        raise ContentError(col.problems)
    assert election is not None and commands is not None and regions is not None
    assert schedule is not None
    content = Content(root, election, sources, topics, entries, messages, commands, regions,
                      schedule, broadcast_templates)
    if render_check:
        _check_rendering(col, content)
    if col.problems:
        raise ContentError(col.problems)
    return content


def _load_regions(col: _Collector, root: Path, election: Election) -> RegionTree | None:
    path = root / election.region.data
    try:
        return load_region_tree(path, election.region.code, election.region.kecamatan_count)
    except RegionDataError as exc:
        for line, message in exc.problems:
            col.add(path, line, "", message)
        return None


def _key_line(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key)
    return None


def _load_model(col: _Collector, path: Path, model: type[BaseModel]) -> Any:
    raw = col.load(path)
    if raw is None:
        return None
    return col.validate(model, path, raw)


def _compile(col: _Collector, env: Any, source: str, path: Path, line: int | None,
             where: str) -> Template | None:
    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        col.add(path, (line or 0) + exc.lineno if line else None, where,
                f"template syntax: {exc.message} (template line {exc.lineno})")
        return None


def _check_references(col: _Collector, root: Path, election: Election | None,
                      commands: Commands | None, sources: dict[str, Source],
                      topics: dict[str, Topic], entries: dict[str, LoadedEntry]) -> None:
    """References between files: sources, topics, related entries, commands."""
    if election is not None:
        for mid, milestone in election.milestones.items():
            for sid in milestone.sources:
                if sid not in sources:
                    col.add(root / "election.yaml", None, f"milestones.{mid}.sources",
                            f"unknown source {sid!r}")
    if commands is not None:
        for lang in LANGUAGES:
            for cmd in getattr(commands, lang):
                if cmd.command not in KNOWN_COMMANDS:
                    col.add(root / "commands.yaml", None, f"{lang}.{cmd.command}",
                            "the bot has no such command")
    used_topics = set()
    for eid, loaded in entries.items():
        entry = loaded.entry
        used_topics.add(entry.topic)
        if topics and entry.topic not in topics:
            col.add(loaded.path, loaded.line, f"{eid}.topic", f"unknown topic {entry.topic!r}")
        for sid in entry.sources:
            if sid not in sources:
                col.add(loaded.path, loaded.line, f"{eid}.sources", f"unknown source {sid!r}")
        for rid in entry.related:
            if rid not in entries or rid == eid:
                col.add(loaded.path, loaded.line, f"{eid}.related", f"unknown related entry {rid!r}")
        if entry.en is None:
            col.add(loaded.path, loaded.line, f"{eid}.en", "English translation is missing")
    if entries:
        for tid in topics:
            if tid not in used_topics:
                col.add(root / "topics.yaml", None, tid, "topic has no entries")


def _check_schedule_references(col: _Collector, root: Path, schedule: Schedule,
                               regions: RegionTree | None) -> None:
    path = root / "schedule.yaml"
    sends: list[tuple[str, Any]] = [(f"countdown.{k}", v) for k, v in schedule.countdown.items()]
    sends += [(f"calendar.{k}", v) for k, v in schedule.calendar.items()]
    for where, send in sends:
        if send.template not in schedule.templates:
            col.add(path, None, f"{where}.template", f"unknown template {send.template!r}")
        region = send.audience.region
        if region and regions is not None and region not in regions.regions \
                and region != regions.root_code:
            col.add(path, None, f"{where}.audience.region", f"unknown region code {region!r}")


BROADCAST_SAMPLE: dict[str, Any] = {
    "days_left": 7, "region_name": "Gelumbang", "kecamatan_name": "Gelumbang",
    "tps": [{"nomor": 1, "alamat": "Balai <Contoh>", "map_url": None}], "tps_sample": True,
}


def render_broadcast(content: Content, template_id: str, lang: str, **variables: Any) -> str:
    return render(content.broadcast_templates[template_id][lang], content.context(lang, **variables))


def _check_rendering(col: _Collector, content: Content) -> None:
    """Every template rendered in every language with sample values."""
    root = content.root
    sample_now = datetime(2024, 11, 20, 9, 0)
    for lang in LANGUAGES:
        for tid in content.broadcast_templates:
            for variables in (BROADCAST_SAMPLE, {**BROADCAST_SAMPLE, "region_name": "",
                                                 "kecamatan_name": "", "tps": []}):
                try:
                    text = render_broadcast(content, tid, lang, **variables)
                except (UndefinedError, SecurityError, TypeError, ValueError) as exc:
                    col.add(root / "schedule.yaml", None, f"templates.{tid}.{lang}",
                            f"template error: {exc}")
                    break
                _check_text(col, root / "schedule.yaml", f"templates.{tid}.{lang}", text)
        for eid, loaded in content.entries.items():
            try:
                text = content.answer(eid, lang)
            except (UndefinedError, SecurityError, TypeError, ValueError) as exc:
                col.add(loaded.path, loaded.line, f"{eid}.{lang}.answer", f"template error: {exc}")
                continue
            _check_text(col, loaded.path, f"{eid}.{lang}.answer", text)
        for key, variables in MESSAGE_VARIABLES.items():
            variables = dict(variables, now=sample_now) if "now" in variables else variables
            try:
                text = content.message(key, lang, **variables)
            except (UndefinedError, SecurityError, TypeError, ValueError) as exc:
                col.add(root / "messages.yaml", None, f"{key}.{lang}", f"template error: {exc}")
                continue
            if key.startswith(BUTTON_PREFIX):
                if not text.strip() or len(text) > MAX_BUTTON_TEXT or "\n" in text:
                    col.add(root / "messages.yaml", None, f"{key}.{lang}",
                            f"a button label must be one line of 1-{MAX_BUTTON_TEXT} characters")
            else:
                _check_text(col, root / "messages.yaml", f"{key}.{lang}", text)


def _check_text(col: _Collector, path: Path, where: str, text: str) -> None:
    if not text.strip():
        col.add(path, None, where, "renders to empty text")
    length = telegram_length(text)
    if length > TELEGRAM_MAX_TEXT:
        col.add(path, None, where,
                f"renders to {length} characters, over Telegram's {TELEGRAM_MAX_TEXT}")
    problem = html_problem(text)
    if problem:
        col.add(path, None, where, f"HTML Telegram would refuse: {problem}")
