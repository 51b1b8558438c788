"""Retention: unanswered questions and the per-recipient outcomes of finished broadcasts are
purged after their retention period, in one transaction, after being rolled up into counts
(unanswered_daily, broadcast_outcomes) so that statistics and reports still add up. The ids of
updates handled (processed_updates, PostgreSQL) go after a day; chats' queues and turns left
by a process that died after an hour, flood counts of users quiet for two minutes; the
questions recent answers answered (answered_messages, PostgreSQL) after two days. Each
subscriber's count of broadcast messages per day is needed only for the daily cap of today (in
the election's time zone, at most a day from UTC): kept two days, not as a history of what each
person received. One purge at a time on PostgreSQL (PURGE_LOCK), so nothing is rolled up
twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage import flood, turns
from bot.storage.answered import KEEP as ANSWERS_KEEP
from bot.storage.broadcasts import iso
from bot.storage.db import Database
from bot.storage.updates import KEEP

FINISHED = ("done", "cancelled", "failed")
CAP_KEEP = timedelta(days=2)
# pg advisory lock key ("SUARD"; migrations "SUARA", leader "SUARB", joining "SUARC"): one purge
# at a time. Two overlapping (the lead changing hands mid-purge: retention is not fenced) both
# read the same old rows before either deletes them, and each added them to the roll-ups.
PURGE_LOCK = 0x5355415244


async def purge(db: Database, now: datetime, question_days: int, outcome_days: int
                ) -> dict[str, int]:
    question_cutoff = (now - timedelta(days=question_days)).isoformat(timespec="seconds")
    outcome_cutoff = iso(now - timedelta(days=outcome_days))
    async with db.transaction() as conn:
        if db.dialect == "postgres":     # the second waits, then reads what the first left
            await conn.execute("SELECT pg_advisory_xact_lock(?)", (PURGE_LOCK,))
        await conn.execute(
            "INSERT INTO unanswered_daily (day, language, count)"
            " SELECT substr(asked_at, 1, 10), language, COUNT(*) FROM unanswered_questions"
            " WHERE asked_at < ? GROUP BY 1, 2"
            " ON CONFLICT (day, language) DO UPDATE SET count = unanswered_daily.count + excluded.count",
            (question_cutoff,))
        questions = await conn.execute(
            "DELETE FROM unanswered_questions WHERE asked_at < ?", (question_cutoff,))
        old = "SELECT id FROM broadcasts WHERE state IN (?, ?, ?) AND finished_at < ?"
        await conn.execute(
            "INSERT INTO broadcast_outcomes (broadcast_id, outcome, count)"
            " SELECT broadcast_id, outcome, count FROM delivery_counts"
            f" WHERE count > 0 AND broadcast_id IN ({old})"
            " ON CONFLICT (broadcast_id, outcome) DO UPDATE SET"
            " count = broadcast_outcomes.count + excluded.count",
            (*FINISHED, outcome_cutoff))
        outcomes = await conn.execute(
            f"DELETE FROM deliveries WHERE broadcast_id IN ({old})", (*FINISHED, outcome_cutoff))
        updates = await conn.execute(
            "DELETE FROM processed_updates WHERE at < ?", (iso(now - KEEP),))
        answers = await conn.execute(
            "DELETE FROM answered_messages WHERE at < ?", (iso(now - ANSWERS_KEEP),))
        caps = await conn.execute(
            "DELETE FROM daily_counts WHERE day < ?", ((now - CAP_KEEP).date().isoformat(),))
        if db.dialect == "postgres":     # SQLite never writes these
            await turns.purge(conn)
            await flood.purge(conn)
    return {"questions": questions.rowcount, "outcomes": outcomes.rowcount,
            "updates": updates.rowcount, "answers": answers.rowcount, "daily_counts": caps.rowcount}
