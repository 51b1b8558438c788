"""Youth-outreach campaigns: their deep-link codes, arrivals through them, and what they
brought in (a citizen belongs to the campaign whose link brought them to the bot the first
time they ever used it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.broadcasts import iso
from bot.storage.changes import changed
from bot.storage.db import Database
from bot.storage.users import forget_user


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    owner_id: int
    welcome: str | None
    topics: tuple[str, ...]
    created_at: str
    region: str | None = None     # a regional campaign's kabupaten/kota (None: everywhere)


@dataclass(frozen=True)
class CampaignCounts:
    code: str
    name: str
    starts: int           # citizens who started the bot through this link (once each)
    brought_in: int       # citizens who first came to the bot through this link
    subscribers: int      # of those, subscribed now
    questions: int        # free-text questions asked by them (daily counters)


def _campaign(row: Any) -> Campaign:
    return Campaign(row[0], row[1], int(row[2]), row[3],
                    tuple(t for t in str(row[4]).split(",") if t), row[5], row[6])


async def create_campaign(db: Database, code: str, name: str, owner_id: int,
                          now: datetime, region: str | None = None) -> bool:
    cur = await db.write("INSERT OR IGNORE INTO campaigns (code, name, owner_id, created_at,"
                         " region) VALUES (?, ?, ?, ?, ?)",
                         (code, name, owner_id, iso(now), region))
    return cur.rowcount > 0


async def get_campaign(db: Database, code: str) -> Campaign | None:
    async with db.conn.execute("SELECT code, name, owner_id, welcome, topics, created_at,"
                               " region FROM campaigns WHERE code = ?", (code,)) as cur:
        row = await cur.fetchone()
    return _campaign(row) if row else None


async def list_campaigns(db: Database, owner_id: int | None = None) -> list[Campaign]:
    sql = "SELECT code, name, owner_id, welcome, topics, created_at, region FROM campaigns"
    params: tuple[object, ...] = ()
    if owner_id is not None:
        sql += " WHERE owner_id = ?"
        params = (owner_id,)
    async with db.conn.execute(sql + " ORDER BY created_at", params) as cur:
        return [_campaign(r) for r in await cur.fetchall()]


async def update_campaign(db: Database, code: str, *, welcome: str | None = None,
                          topics: tuple[str, ...] | None = None,
                          owner_id: int | None = None) -> None:
    if owner_id is not None:
        await db.write("UPDATE campaigns SET owner_id = ? WHERE code = ?", (owner_id, code))
    if welcome is not None:
        await db.write("UPDATE campaigns SET welcome = ? WHERE code = ?", (welcome or None, code))
    if topics is not None:
        await db.write("UPDATE campaigns SET topics = ? WHERE code = ?", (",".join(topics), code))


async def record_arrival(db: Database, code: str, user_id: int, now: datetime, *,
                         new_user: bool) -> bool:
    """A start through `code`'s link: counted once per citizen and campaign. The citizen is
    brought in by it only if they are new (`new_user`: this /start made their row), so a
    citizen who used the bot before does not count, nor their subscription and questions.
    True on the first start through this link."""
    async with db.transaction() as conn:
        cur = await conn.execute("INSERT OR IGNORE INTO campaign_starts (code, user_id, at)"
                                 " VALUES (?, ?, ?)", (code, user_id, iso(now)))
        if new_user:
            brought = await conn.execute("UPDATE users SET campaign = ? WHERE user_id = ?"
                                         " AND campaign IS NULL", (code, user_id))
            if brought.rowcount > 0:
                await changed(conn, "users", user_id)
    forget_user(db, user_id)
    return cur.rowcount > 0


async def campaign_counts(db: Database, codes: list[str] | None = None) -> list[CampaignCounts]:
    """Per campaign, biggest first (the leaderboard); only `codes` when given."""
    async with db.conn.execute(
        "SELECT c.code, c.name,"
        " (SELECT COUNT(*) FROM campaign_starts s WHERE s.code = c.code),"
        " (SELECT COUNT(*) FROM users u WHERE u.campaign = c.code),"
        " (SELECT COUNT(*) FROM users u JOIN subscriptions s ON s.user_id = u.user_id"
        "   WHERE u.campaign = c.code AND s.active = 1),"
        " (SELECT COALESCE(SUM(count), 0) FROM daily_stats d WHERE d.campaign = c.code"
        "   AND d.metric IN ('answered', 'suggested', 'unknown', 'declined'))"
        " FROM campaigns c") as cur:
        rows = [CampaignCounts(r[0], r[1], *(int(x) for x in r[2:])) for r in await cur.fetchall()]
    if codes is not None:
        rows = [r for r in rows if r.code in codes]
    return sorted(rows, key=lambda r: (-r.brought_in, -r.starts, r.code))
