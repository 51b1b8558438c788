"""Which question each recent answer answered (faq/feedback.py), on PostgreSQL: a "not
helpful" press reaching any process finds it, and only the first press takes it. Written in
batches (one round trip per batch, no transaction), taken by `DELETE ... RETURNING` (one
statement: two presses, on two processes, cannot both get it). SQLite keeps them in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.storage.db import Database

KEEP = timedelta(days=2)      # older answers' buttons still say thanks, and record nothing

# (chat_id, message_id, entry_id, language, question (redacted), at (iso))
AnsweredRow = tuple[int, int, str, str, str, str]


async def save_answered(db: Database, rows: Sequence[AnsweredRow]) -> None:
    await db.conn.executemany(
        "INSERT OR IGNORE INTO answered_messages (chat_id, message_id, entry_id, language,"
        " question, at) VALUES (?, ?, ?, ?, ?, ?)", rows)


async def take_answered(db: Database, chat_id: int, message_id: int
                        ) -> tuple[str, str, str] | None:
    """(entry_id, language, question), once."""
    async with db.conn.execute(
            "DELETE FROM answered_messages WHERE chat_id = ? AND message_id = ?"
            " RETURNING entry_id, language, question", (chat_id, message_id)) as cur:
        row = await cur.fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))
