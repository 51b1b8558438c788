"""Unanswered questions, kept for officials without any user id, for a limited time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.db import Database

RETENTION = timedelta(days=90)
MAX_STORED_CHARS = 500


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    text: str
    language: str
    asked_at: str


async def record_unanswered(db: Database, text: str, language: str, now: datetime) -> None:
    await db.conn.execute(
        "INSERT INTO unanswered_questions (text, language, asked_at) VALUES (?, ?, ?)",
        (text[:MAX_STORED_CHARS], language, now.isoformat(timespec="seconds")),
    )
    await db.conn.commit()


async def purge_unanswered(db: Database, now: datetime) -> int:
    cutoff = (now - RETENTION).isoformat(timespec="seconds")
    cur = await db.conn.execute("DELETE FROM unanswered_questions WHERE asked_at < ?", (cutoff,))
    await db.conn.commit()
    return cur.rowcount


async def list_unanswered(db: Database, limit: int = 100) -> list[UnansweredQuestion]:
    async with db.conn.execute(
        "SELECT text, language, asked_at FROM unanswered_questions ORDER BY id DESC LIMIT ?",
        (limit,),
    ) as cur:
        rows = await cur.fetchall()
    return [UnansweredQuestion(r["text"], r["language"], r["asked_at"]) for r in rows]
