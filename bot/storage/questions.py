"""Unanswered questions, kept for officials without any user id, for a limited time
(QUESTION_RETENTION_DAYS; purged by bot/storage/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Database

MAX_STORED_CHARS = 500


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    text: str
    language: str
    asked_at: str
    entry_id: str | None = None   # the answer it got, when marked unhelpful


async def record_unanswered(db: Database, text: str, language: str, now: datetime,
                            entry_id: str | None = None, region: str | None = None) -> None:
    """A question the bot could not answer, or (with `entry_id`) one whose answer the citizen
    marked unhelpful. Already redacted by the caller; no user id; `region` is the asker's
    kabupaten/kota code (nothing finer), for that region's officials."""
    await db.write(
        "INSERT INTO unanswered_questions (text, language, asked_at, entry_id, region)"
        " VALUES (?, ?, ?, ?, ?)",
        (text[:MAX_STORED_CHARS], language, now.isoformat(timespec="seconds"), entry_id, region),
    )


async def record_feedback(db: Database, entry_id: str, helpful: bool, day: str) -> None:
    await db.write(
        "INSERT INTO answer_feedback (entry_id, day, helpful, count) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (entry_id, day, helpful) DO UPDATE SET count = answer_feedback.count + 1",
        (entry_id, day, int(helpful)))


async def feedback_counts(db: Database) -> dict[str, tuple[int, int]]:
    """Per entry: (helpful, not helpful), all days."""
    async with db.conn.execute(
            "SELECT entry_id, SUM(count * helpful), SUM(count * (1 - helpful))"
            " FROM answer_feedback GROUP BY entry_id") as cur:
        return {row[0]: (int(row[1]), int(row[2])) for row in await cur.fetchall()}


async def list_unanswered(db: Database, limit: int = 100) -> list[UnansweredQuestion]:
    async with db.conn.execute(
        "SELECT text, language, asked_at, entry_id FROM unanswered_questions"
        " ORDER BY id DESC LIMIT ?", (limit,),
    ) as cur:
        rows = await cur.fetchall()
    return [UnansweredQuestion(r["text"], r["language"], r["asked_at"], r["entry_id"]) for r in rows]
