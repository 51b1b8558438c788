"""Subscriptions: who gets broadcasts, on which topics (one row per chosen topic).

The topics themselves (ids and labels) come from content/subscription_topics.yaml; storage
only keeps the ids a subscriber chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection, Database


@dataclass(frozen=True)
class Subscription:
    user_id: int
    topics: frozenset[str]
    active: bool
    inactive_reason: str | None


async def subscribe(db: Database, user_id: int, now: datetime,
                    topics: Iterable[str]) -> tuple[Subscription, bool]:
    """Subscribe to every given topic (again); an earlier unsubscribe or block is cleared. An
    active subscriber who still has one of `topics` keeps their choice: pressing 🔔 again must
    not turn back on what they turned off. The subscription as it now stands, and whether this
    started it (new, or back after an unsubscribe or block): the row is read once, here."""
    topics = list(topics)
    async with db.transaction() as conn:
        before = await _read(conn, user_id)
        active = before is not None and before.active
        chosen = set(before.topics) if before is not None else set()
        if not active or not chosen.intersection(topics):
            await conn.execute(
                "INSERT INTO subscriptions (user_id, subscribed_at) VALUES (?, ?) ON CONFLICT (user_id)"
                " DO UPDATE SET active = 1, inactive_reason = NULL",
                (user_id, now.isoformat(timespec="seconds")))
            await conn.executemany(
                "INSERT OR IGNORE INTO subscription_topics (user_id, topic) VALUES (?, ?)",
                [(user_id, t) for t in topics])
            chosen.update(topics)
    return Subscription(user_id, frozenset(chosen), True, None), not active


# A broadcast's recipients are fixed when it starts, and one paused (an operator, quiet hours,
# the daily cap's morning) may go on hours later: what was on its way to a subscriber who then
# leaves, or turns its topic off, is taken back with their consent (UU 27/2022). Only the open
# broadcasts' rows, each found by its key (broadcast_id, user_id): no scan of the deliveries.
_ON_ITS_WAY = ("DELETE FROM deliveries WHERE outcome IS NULL AND user_id = ? AND broadcast_id IN"
               " (SELECT id FROM broadcasts WHERE state NOT IN ('done', 'cancelled', 'failed')")


async def unsubscribe(db: Database, user_id: int, reason: str = "unsubscribed") -> bool:
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE subscriptions SET active = 0, inactive_reason = ? WHERE user_id = ? AND active = 1",
            (reason, user_id))
        await conn.execute(_ON_ITS_WAY + ")", (user_id,))
    return cur.rowcount > 0


async def set_topic(db: Database, user_id: int, topic: str, on: bool) -> None:
    if on:
        await db.write(
            "INSERT OR IGNORE INTO subscription_topics (user_id, topic)"
            " SELECT user_id, ? FROM subscriptions WHERE user_id = ?", (topic, user_id))
    else:
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM subscription_topics WHERE user_id = ? AND topic = ?",
                               (user_id, topic))
            await conn.execute(_ON_ITS_WAY + " AND topic = ?)", (user_id, topic))


async def drop_topic(db: Database, user_id: int, topic: str, keep_one_of: Iterable[str]) -> bool:
    """Turn `topic` off unless no other of `keep_one_of` (the topics on offer) stays on: an
    active subscription to nothing would promise what never comes. False when refused."""
    others = [t for t in keep_one_of if t != topic]
    if not others:
        return False
    async with db.transaction() as conn:
        cur = await conn.execute(
            "DELETE FROM subscription_topics WHERE user_id = ? AND topic = ? AND EXISTS (SELECT 1"
            " FROM subscription_topics o WHERE o.user_id = ? AND o.topic IN"
            f" ({', '.join('?' * len(others))}))", (user_id, topic, user_id, *others))
        if cur.rowcount > 0:
            await conn.execute(_ON_ITS_WAY + " AND topic = ?)", (user_id, topic))
    return cur.rowcount > 0


async def get_subscription(db: Database, user_id: int) -> Subscription | None:
    return await _read(db.conn, user_id)


async def _read(conn: Connection, user_id: int) -> Subscription | None:
    """A subscription, its row and its topics, in one statement."""
    async with conn.execute(
            "SELECT s.active, s.inactive_reason, t.topic FROM subscriptions s"
            " LEFT JOIN subscription_topics t ON t.user_id = s.user_id WHERE s.user_id = ?",
            (user_id,)) as cur:
        rows = list(await cur.fetchall())
    if not rows:
        return None
    topics = frozenset(r[2] for r in rows if r[2] is not None)
    return Subscription(user_id, topics, bool(rows[0][0]), rows[0][1])


def audience_sql(topic: str, region: str | None, language: str | None,
                 campaign: str | None = None) -> tuple[str, list[object]]:
    """WHERE clause (over subscriptions s JOIN users u) selecting a broadcast's audience."""
    clauses = ["s.active = 1", "EXISTS (SELECT 1 FROM subscription_topics t"
               " WHERE t.user_id = s.user_id AND t.topic = ?)"]
    params: list[object] = [topic]
    if region:
        clauses.append("(u.region_code = ? OR u.region_code LIKE ?)")
        params += [region, region + ".%"]
    if language:
        clauses.append("u.language = ?")
        params.append(language)
    if campaign:
        clauses.append("u.campaign = ?")
        params.append(campaign)
    return " AND ".join(clauses), params


async def count_audience_by_language(db: Database, topic: str, region: str | None,
                                     language: str | None, campaign: str | None = None
                                     ) -> dict[str, int]:
    where, params = audience_sql(topic, region, language, campaign)
    async with db.conn.execute(
        "SELECT u.language, COUNT(*) FROM subscriptions s JOIN users u ON u.user_id = s.user_id"
        f" WHERE {where} GROUP BY u.language", params) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}
