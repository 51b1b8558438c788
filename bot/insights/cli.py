"""`python -m bot questions export [--since DATE] [--output FILE]`: the unanswered questions'
groups as CSV for content editors (biggest first, with officials' marks and examples)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from bot import csvsafe
from bot.insights.report import question_groups
from bot.settings import Settings
from bot.storage import open_database

COLUMNS = ("group", "count", "status", "words", "first_asked", "last_asked",
           "example_1", "example_2", "example_3")


class ExportError(Exception):
    pass


def parse_since(text: str | None) -> str:
    if not text:
        return ""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ExportError(f"--since {text!r} is not a date like 2024-11-01") from None


async def export_questions(settings: Settings, since: str | None, output: Path | None) -> int:
    day = parse_since(since)
    db = await open_database(settings.database)
    try:
        found = await question_groups(db, since=day)
    finally:
        await db.close()
    target: TextIO = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csvsafe.writer(target)
        writer.writerow(COLUMNS)
        for g in found.groups:
            examples = g.top_examples(3) + [""] * 3
            writer.writerow([g.key, g.count, found.marks.get(g.key, ""), " ".join(g.words),
                             g.first, g.last, *examples[:3]])
    finally:
        if output:
            target.close()
    if output:
        print(f"{len(found.groups)} groups of {found.asked} questions written to {output}",
              file=sys.stderr)
    return 0
