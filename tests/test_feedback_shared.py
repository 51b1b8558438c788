"""State that matters across processes (issue 21): "was this helpful?" works whichever process
the press reaches, once (faq/feedback.py: answered_messages on PostgreSQL, memory on SQLite),
and the daily counters of several processes add up (insights/recorder.py)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime
from typing import Any

from telegram import Update

from bot.content.registry import Content
from bot.context import SuaraApplication
from bot.insights.recorder import StatsRecorder
from bot.shell.botapi import LocalRequest
from bot.storage import open_database
from bot.storage.insights import metric_totals
from bot.storage.questions import feedback_counts, list_unanswered
from tests.fakes import updates
from tests.test_dedup import running

_update_ids = itertools.count(900_000)
QUESTION = "gmn cara nyoblos yg sah? hp saya 081234567890"


def answer_with_buttons(request: LocalRequest, chat_id: int) -> dict[str, Any]:
    return max((m for (cid, _), m in request.api.messages.items()
                if cid == chat_id and m.get("reply_markup")), key=lambda m: m["message_id"])


def button(message: dict[str, Any], label: str) -> str:
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row if label in b["text"])


async def press(app: SuaraApplication, request: LocalRequest, data: str,
                sender: dict[str, Any], message: dict[str, Any]) -> None:
    payload = request.api.new_update(callback_query=updates.callback(data, sender, message))
    payload["update_id"] = next(_update_ids)     # each fake Bot API counts from 1: not unique
    await app.process_update(Update.de_json(payload, app.bot))


async def test_a_not_helpful_press_keeps_the_question_once_whichever_process_it_reaches(
        database: str, content: Content) -> None:
    postgres = database.startswith("postgresql://")
    sender = updates.user(7301)
    async with contextlib.AsyncExitStack() as stack:
        first, first_api = await stack.enter_async_context(running(database, content))
        # PostgreSQL: the press reaches another process, before the first has written its
        # batch (it looks again a flush later). SQLite is one process: the same one.
        elsewhere = await stack.enter_async_context(running(database, content)) if postgres \
            else (first, first_api)
        asked = first_api.api.new_update(message=updates.message(first_api.api, QUESTION, sender))
        await first.process_update(Update.de_json(asked, first.bot))
        answer = answer_with_buttons(first_api, 7301)
        no, yes = button(answer, "Kurang membantu"), button(answer, "👍")
        answer = {**answer}      # as the press carries it (the bot edits its buttons away)
        await press(*elsewhere, no, sender, answer)
        stored = await list_unanswered(first.services.db)
        assert [(q.entry_id, "[angka]" in q.text, "081234567890" in q.text)
                for q in stored] == [("cara_mencoblos", True, False)]
        # One vote per answer: pressing again, on either process, records nothing more.
        await press(first, first_api, no, sender, answer)
        await press(*elsewhere, yes, sender, answer)
        assert len(await list_unanswered(first.services.db)) == 1
        assert await feedback_counts(first.services.db) == {"cara_mencoblos": (0, 1)}
        if postgres:     # nothing of the answer is left behind once taken
            async with first.services.db.conn.execute(
                    "SELECT COUNT(*) FROM answered_messages") as cur:
                assert (await cur.fetchone())[0] == 0


async def test_daily_counters_of_two_processes_add_up(database: str) -> None:
    """Each process adds its increments to the same rows at the same moment (in opposite
    orders of counting): the sums are whole, none overwritten."""
    now = datetime(2029, 2, 28, 5, 0, tzinfo=UTC)
    topics = [f"t{i}" for i in range(40)]
    dbs = [await open_database(database) for _ in range(2)]
    try:
        recorders = [StatsRecorder(), StatsRecorder()]
        for recorder, db, order in zip(recorders, dbs, (topics, topics[::-1]), strict=True):
            recorder._db = db
            for topic in order:
                recorder.count(now, "answered", None, "id", topic)
        for _ in range(3):
            await asyncio.gather(*(r.flush() for r in recorders))
            for recorder, order in zip(recorders, (topics, topics[::-1]), strict=True):
                for topic in order:
                    recorder.count(now, "answered", None, "id", topic)
        await asyncio.gather(*(r.flush() for r in recorders))
        assert not any(r._pending for r in recorders)          # every flush went through
        totals = await metric_totals(dbs[0])
        assert sorted(totals) == [("answered", topic, 8) for topic in sorted(topics)]
    finally:
        for db in dbs:
            await db.close()
