"""/hapusdata erases what the bot holds about the citizen, and /datasaya shows it first: here
the questions their recent answers answered ("was this helpful?": a table keyed by chat on
PostgreSQL, memory on SQLite), which carry the citizen's own words. Through the real
Application, on both backends."""

from __future__ import annotations

from pathlib import Path

from bot.content.registry import Content
from bot.storage.questions import list_unanswered
from tests.conftest import database_env
from tests.fakes.harness import Harness, offline_bot, texts

CITIZEN = 7401
QUESTION = "gmn cara nyoblos yg sah? saya Budi dari Air Hitam"


async def _answered_rows(h: Harness) -> int:
    db = h.app.services.db
    if db.dialect != "postgres":
        return 0
    async with db.conn.execute("SELECT COUNT(*) FROM answered_messages WHERE chat_id = ?",
                               (CITIZEN,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_deleting_data_forgets_the_questions_of_recent_answers(
        tmp_path: Path, content: Content, database: str) -> None:
    async with offline_bot(tmp_path, content, **database_env(database)) as h:
        citizen = h.user(CITIZEN)
        await h.text(QUESTION, user=citizen)
        answer = {**h.last_message_with_keyboard(CITIZEN)}
        await h.app.services.recent_answers.flush()       # PostgreSQL: the batch written
        if h.app.services.db.dialect == "postgres":
            assert await _answered_rows(h) == 1
            shown = "".join(texts(await h.text("/datasaya", user=citizen)))
            assert "answered_messages" in shown and "Air Hitam" in shown
        await h.text("/hapusdata", user=citizen)
        await h.press_label("Ya, hapus", user=citizen)
        assert await _answered_rows(h) == 0
        # The old answer's "not helpful", pressed after the erasure, has no question left to keep.
        no = next(b["callback_data"] for row in answer["reply_markup"]["inline_keyboard"]
                  for b in row if "Kurang membantu" in b["text"])
        await h.press(no, message=answer, user=citizen)
        assert await list_unanswered(h.app.services.db) == []
