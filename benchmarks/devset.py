"""The independent development set (../shared/eval/questions-dev.json) through the full
Application, in-process, judged on what the citizen is told.

Each question is sent by a fresh user (Telegram language from the item), through the real
handlers, matcher and templates. The reply's own text is judged: every message the bot sent in
answer, HTML tags removed, without the source line and without button labels, as the set's
`about` says. Correct: every regex in `all` and one in `any` (if any) match, case-insensitive;
for `fallback` items, one of `fallback_any` matches; `neutral` items must also not be a bare
candidate list (they are judged by their own regexes).
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.settings import Settings
from tests.fakes import updates
from tests.fakes.strict_api import StrictBotApi

TAG = re.compile(r"<[^>]+>")
SOURCE_LINE = re.compile(r"^\s*📚.*$", re.MULTILINE)


@dataclass
class Item:
    index: int          # 1-based position in the file: odd items tune, even items report
    q: str
    lang: str
    all: list[str]
    any: list[str]
    fallback: bool
    neutral: bool
    depth: str
    style: str


@dataclass
class Result:
    item: Item
    reply: str
    correct: bool


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def share(self, keep: Any = lambda r: True) -> tuple[float, int, int]:
        chosen = [r for r in self.results if keep(r)]
        right = sum(r.correct for r in chosen)
        return (right / len(chosen) if chosen else float("nan")), right, len(chosen)


def load(path: Path) -> tuple[list[Item], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [Item(i, q["q"], q.get("lang", "id"), q.get("all", []), q.get("any", []),
                  bool(q.get("fallback")), bool(q.get("neutral")), q.get("depth", "core"),
                  q.get("style") or "plain")
             for i, q in enumerate(data["questions"], start=1)]
    return items, data["fallback_any"]


def reply_text(texts: list[str]) -> str:
    joined = "\n".join(texts)
    return html.unescape(TAG.sub("", SOURCE_LINE.sub("", joined))).strip()


def judge(item: Item, reply: str, fallback_any: list[str]) -> bool:
    def found(pattern: str) -> bool:
        return re.search(pattern, reply, re.IGNORECASE) is not None

    if item.fallback:
        return any(found(p) for p in fallback_any)
    return all(found(p) for p in item.all) and (not item.any or any(found(p) for p in item.any))


async def run(settings: Settings, content: Content, items: list[Item],
              fallback_any: list[str], clock: FixedClock) -> Report:
    api = StrictBotApi(username="suara_eval_bot")
    from bot.shell.botapi import LocalRequest

    request = LocalRequest(api)
    app = build_application(settings, request=request, get_updates_request=request, clock=clock,
                            content=content)
    await open_offline(app)
    await app.services.semantic_ready.wait()
    report = Report()
    try:
        for n, item in enumerate(items):
            sender = updates.user(10_000 + n, "en" if item.lang == "en" else "id", "Warga")
            before = len(request.calls)
            payload = {"message": updates.message(api, item.q, sender)}
            await app.process_update(Update.de_json(api.new_update(**payload), app.bot))
            sent = [c.params.get("text", "") for c in request.calls[before:]
                    if c.method == "sendMessage" and c.error is None]
            reply = reply_text(sent)
            report.results.append(Result(item, reply, judge(item, reply, fallback_any)))
    finally:
        await close_offline(app)
    return report


def breakdown(report: Report) -> list[str]:
    lines = []
    for name, key in (("depth", lambda r: r.item.depth), ("language", lambda r: r.item.lang),
                      ("style", lambda r: r.item.style)):
        groups: dict[str, list[Result]] = defaultdict(list)
        for r in report.results:
            groups[key(r)].append(r)
        parts = [f"{k} {sum(r.correct for r in v) / len(v):.0%} ({sum(r.correct for r in v)}/{len(v)})"
                 for k, v in sorted(groups.items())]
        lines.append(f"  by {name}: " + ", ".join(parts))
    return lines
