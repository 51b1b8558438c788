"""One loader per kind of content file. Each records its problems in the Collector and returns
what it could load (None or empty when the file is unusable)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from pydantic import BaseModel

from bot.content.errors import Collector, content_files, key_line
from bot.content.language import Dialect, Kinds, Scope
from bot.content.messages import MESSAGE_VARIABLES
from bot.content.model import LoadedEntry
from bot.content.phases import EVERY_DAY, TimelineReads, timeline_reads
from bot.content.schedule_schema import Schedule
from bot.content.schema import (
    LANGUAGES,
    Entry,
    FaqFile,
    Localized,
    Source,
    SubscriptionTopic,
    Topic,
)
from bot.content.yamlload import value_line

SOURCE_ID = SLUG = re.compile(r"[a-z][a-z0-9_]{1,40}")


def load_model(col: Collector, path: Path, model: type[BaseModel]) -> Any:
    raw = col.load(path)
    if raw is None:
        return None
    return col.validate(model, path, raw)


def _mapping(col: Collector, path: Path, model: type[BaseModel], what: str, kind: str
             ) -> tuple[dict[str, Any], Any]:
    """A file that maps ids to one model each (sources, topics, subscription topics): the
    valid items, and the raw mapping (for line numbers)."""
    raw = col.load(path)
    found: dict[str, Any] = {}
    if isinstance(raw, dict):
        for key, data in raw.items():
            item = col.validate(model, path, data, (key,))
            if item:
                found[str(key)] = item
            else:
                col.lose(kind, [key])
    else:
        col.lose(kind, ["*"])
        if raw is not None:
            col.add(path, None, "", f"must be a mapping of {what}")
    return found, raw


def load_scope(col: Collector, root: Path) -> Scope | None:
    """scope.yaml is optional: without it nothing is declined as out of scope."""
    path = root / "scope.yaml"
    return load_model(col, path, Scope) if path.exists() else None


def load_kinds(col: Collector, root: Path) -> dict[str, tuple[str, ...]]:
    """kinds.yaml is optional: kind -> its example messages, both languages."""
    path = root / "kinds.yaml"
    kinds = load_model(col, path, Kinds) if path.exists() else None
    if kinds is None:
        return {}
    return {kind: (*examples.id, *examples.en)
            for kind, examples in ((k, getattr(kinds, k)) for k in Kinds.model_fields)
            if examples is not None}


def load_dialect(col: Collector, root: Path) -> Dialect | None:
    """dialect.yaml is optional: a deployment without local words has none."""
    path = root / "dialect.yaml"
    dialect = load_model(col, path, Dialect) if path.exists() else None
    for where, sid in dialect.unknown_sources() if dialect else ():
        col.add(path, None, where, f"unknown source {sid!r} (not under sources:)")
    return dialect


def load_sources(col: Collector, root: Path) -> dict[str, Source]:
    path = root / "sources.yaml"
    sources, raw = _mapping(col, path, Source, "source id to source", "source")
    for sid in raw if isinstance(raw, dict) else ():
        if not SOURCE_ID.fullmatch(str(sid)):
            col.add(path, key_line(raw, sid), str(sid), "bad id")
    return sources


def load_topics(col: Collector, root: Path) -> dict[str, Topic]:
    return _mapping(col, root / "topics.yaml", Topic, "topic id to topic", "topic")[0]


def load_subscription_topics(col: Collector, root: Path) -> dict[str, SubscriptionTopic]:
    path = root / "subscription_topics.yaml"
    topics, raw = _mapping(col, path, SubscriptionTopic,
                           "subscription topic id to label and description", "subscription topic")
    if raw is not None and not topics and isinstance(raw, dict):
        col.add(path, None, "", "at least one subscription topic is needed")
    return topics


def compile_template(col: Collector, env: Any, source: str, path: Path, line: int | None,
                     where: str) -> Template | None:
    compiled = _compile(col, env, source, path, line, where, reads=False)
    return compiled[0] if compiled else None


def compile_answer(col: Collector, env: Any, source: str, path: Path, line: int | None,
                   where: str) -> tuple[Template, TimelineReads] | None:
    """The template, parsed once, and what it reads of the election's timeline (phases.py)."""
    return _compile(col, env, source, path, line, where, reads=True)


def _compile(col: Collector, env: Any, source: str, path: Path, line: int | None, where: str,
             reads: bool) -> tuple[Template, TimelineReads] | None:
    """Parsed and compiled (an unknown filter is found compiling); its timeline read only when
    asked (answers: messages do not depend on the day)."""
    try:
        ast = env.parse(source)
        return env.from_string(ast), timeline_reads(ast) if reads else EVERY_DAY
    except TemplateSyntaxError as exc:
        col.add(path, line + exc.lineno - 1 if line else None, where,
                f"template syntax: {exc.message} (template line {exc.lineno})")
        return None


def load_faq(col: Collector, root: Path, env: Any, required: bool = True
             ) -> dict[str, LoadedEntry]:
    """faq/*.yaml: each entry validated on its own (one bad field loses that entry, not the
    file's others); what was lost is remembered (col.lose) so references to it are not listed
    as problems of their own."""
    entries: dict[str, LoadedEntry] = {}
    faq_dir = root / "faq"
    faq_files = content_files(col, faq_dir, ".yaml")
    if not faq_files and required:
        col.add(faq_dir, None, "", "no FAQ files (faq/*.yaml)")
    for path in faq_files:
        raw = col.load(path)
        if raw is None:
            col.lose("entry", ["*"])
            continue
        listed = raw.get("entries") if isinstance(raw, dict) else None
        if not isinstance(listed, dict) or not listed or set(raw) != {"entries"}:
            col.lose("entry", listed if isinstance(listed, dict) else ["*"])
            col.validate(FaqFile, path, raw)
            continue
        for eid, data in listed.items():
            line = key_line(listed, eid)
            entry = col.validate(Entry, path, data, ("entries", eid))
            if not SLUG.fullmatch(str(eid)):
                col.add(path, line, f"entries.{eid}", "an entry id is 2-41 of a-z, 0-9 and _, "
                                                      "a letter first")
                entry = None
            if entry is None:
                col.lose("entry", [eid])
                continue
            if eid in entries:
                col.add(path, line, eid, f"duplicate entry id (also in {entries[eid].path.name})")
                continue
            templates, reads = {}, {}
            for lang in LANGUAGES:
                answer = entry.text(lang).answer
                if answer is None:          # a shared regional entry: layers answer it
                    continue
                compiled = compile_answer(col, env, answer, path, value_line(data, lang, "answer"),
                                          f"{eid}.{lang}.answer")
                if compiled is not None:
                    templates[lang], reads[lang] = compiled
            entries[eid] = LoadedEntry(eid, entry, path, line, templates, reads)
    return entries


def load_messages(col: Collector, root: Path, env: Any) -> dict[str, dict[str, Template]]:
    path = root / "messages.yaml"
    raw = col.load(path)
    messages: dict[str, dict[str, Template]] = {}
    if raw is None:
        return messages
    if not isinstance(raw, dict):
        col.add(path, None, "", "must be a mapping of message key to texts")
        return messages
    for key, data in raw.items():
        line = key_line(raw, key)
        if key not in MESSAGE_VARIABLES:
            col.add(path, line, str(key), "unknown message key")
            continue
        loc = col.validate(Localized, path, data, (key,))
        if loc is None:
            continue
        messages[key] = {}
        for lang in LANGUAGES:
            if lang != "id" and getattr(loc, lang) is None:
                # The bot's own words in every language (an FAQ entry's too: checks.py).
                col.add(path, line, f"{key}.{lang}", "translation is missing")
                continue
            tmpl = compile_template(col, env, loc.get(lang), path, value_line(data, lang),
                                    f"{key}.{lang}")
            if tmpl is not None:
                messages[key][lang] = tmpl
    for key in MESSAGE_VARIABLES:
        if key not in raw:
            col.add(path, None, key, "message is missing")
    return messages


def load_schedule(col: Collector, root: Path, env: Any
                  ) -> tuple[Schedule | None, dict[str, dict[str, Template]]]:
    path = root / "schedule.yaml"
    raw = col.load(path)
    schedule = col.validate(Schedule, path, raw) if raw is not None else None
    templates: dict[str, dict[str, Template]] = {}
    if schedule is None:
        return None, templates
    for tid, tmpl in schedule.templates.items():
        templates[tid] = {}
        for lang in LANGUAGES:
            compiled = compile_template(col, env, tmpl.get(lang), path,
                                        value_line(raw["templates"], tid, lang if
                                                   tmpl.en or lang == "id" else "id"),
                                        f"templates.{tid}.{lang}")
            if compiled is not None:
                templates[tid][lang] = compiled
    return schedule, templates
