"""Subscriptions: who gets broadcasts, on which topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Database

TOPICS = ("countdown", "socialisation", "announcements")


@dataclass(frozen=True)
class Subscription:
    user_id: int
    topics: frozenset[str]
    active: bool
    inactive_reason: str | None


async def subscribe(db: Database, user_id: int, now: datetime) -> Subscription:
    """Subscribe to every topic (again); an earlier unsubscribe or block is cleared."""
    await db.conn.execute(
        "INSERT INTO subscriptions (user_id, subscribed_at) VALUES (?, ?) ON CONFLICT (user_id) DO"
        " UPDATE SET countdown = 1, socialisation = 1, announcements = 1, active = 1,"
        " inactive_reason = NULL",
        (user_id, now.isoformat(timespec="seconds")))
    await db.conn.commit()
    sub = await get_subscription(db, user_id)
    assert sub is not None
    return sub


async def unsubscribe(db: Database, user_id: int, reason: str = "unsubscribed") -> bool:
    cur = await db.conn.execute(
        "UPDATE subscriptions SET active = 0, inactive_reason = ? WHERE user_id = ? AND active = 1",
        (reason, user_id))
    await db.conn.commit()
    return cur.rowcount > 0


async def set_topic(db: Database, user_id: int, topic: str, on: bool) -> None:
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    await db.conn.execute(f"UPDATE subscriptions SET {topic} = ? WHERE user_id = ?",
                          (int(on), user_id))
    await db.conn.commit()


async def get_subscription(db: Database, user_id: int) -> Subscription | None:
    async with db.conn.execute(
        "SELECT countdown, socialisation, announcements, active, inactive_reason"
        " FROM subscriptions WHERE user_id = ?", (user_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    topics = frozenset(t for t, on in zip(TOPICS, row[:3], strict=True) if on)
    return Subscription(user_id, topics, bool(row[3]), row[4])


def audience_sql(topic: str, region: str | None, language: str | None) -> tuple[str, list[object]]:
    """WHERE clause (over subscriptions s JOIN users u) selecting a broadcast's audience."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    clauses = ["s.active = 1", f"s.{topic} = 1"]
    params: list[object] = []
    if region:
        clauses.append("(u.region_code = ? OR u.region_code LIKE ?)")
        params += [region, region + ".%"]
    if language:
        clauses.append("u.language = ?")
        params.append(language)
    return " AND ".join(clauses), params


async def count_audience(db: Database, topic: str, region: str | None,
                         language: str | None) -> int:
    where, params = audience_sql(topic, region, language)
    async with db.conn.execute(
        f"SELECT COUNT(*) FROM subscriptions s JOIN users u ON u.user_id = s.user_id WHERE {where}",
        params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def count_audience_by_language(db: Database, topic: str, region: str | None,
                                     language: str | None) -> dict[str, int]:
    where, params = audience_sql(topic, region, language)
    async with db.conn.execute(
        "SELECT u.language, COUNT(*) FROM subscriptions s JOIN users u ON u.user_id = s.user_id"
        f" WHERE {where} GROUP BY u.language", params) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}
