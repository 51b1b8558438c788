"""The outbox: durable broadcasts and one outcome per recipient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.storage.changes import changed
from bot.storage.db import Database, insert_id, iso
from bot.storage.users import erase

if TYPE_CHECKING:     # officials.py reads TRANSITIONS and set_state from here
    from bot.storage.officials import Held

# 'held': the two-person rule stopped it when its recipients were fixed (see start_sending).
STATES = ("scheduled", "sending", "paused", "held", "done", "cancelled", "failed")
FINAL_STATES = ("done", "cancelled", "failed")
DEACTIVATED = "user is deactivated"   # Telegram's 403 for a deleted account
OUTCOMES = ("sent", "blocked", "failed", "capped", "unknown", "rate_limited")
COLUMNS = ("id, created_at, created_by, text, template, topic, region, language, urgent, "
           "not_before, state, schedule_key, snapshotted, started_at, finished_at, errors, error, "
           "campaign, approved_by, approved_count")
# What each control action may change: from which states, to which.
TRANSITIONS = {
    "pause": (("scheduled", "sending"), "paused"),
    "resume": (("paused",), "scheduled"),
    "cancel": (("scheduled", "sending", "paused", "held"), "cancelled"),
}


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_at: str
    created_by: str
    text: str | None
    template: str | None
    topic: str
    region: str | None
    language: str | None
    urgent: bool
    not_before: str
    state: str
    schedule_key: str | None
    snapshotted: bool
    started_at: str | None
    finished_at: str | None
    errors: int = 0              # errors charged to this broadcast's budget so far
    error: str | None = None     # why it failed, or the last error
    campaign: str | None = None  # audience: only citizens this campaign brought in
    approved_by: str | None = None   # the second official, under the two-person rule
    approved_count: int | None = None   # how many recipients the second official approved


@dataclass(frozen=True)
class Recipient:
    user_id: int
    language: str
    region: str | None
    attempts: int
    sent_today: int


@dataclass(frozen=True)
class Outcome:
    user_id: int
    outcome: str          # one of OUTCOMES
    detail: str | None
    attempts: int
    day: str | None = None    # the local day it was sent on (its daily count's); None: today


def _broadcast(row: object) -> Broadcast:
    values = list(row)  # type: ignore[call-overload]
    values[8] = bool(values[8])
    values[12] = bool(values[12])
    return Broadcast(*values)


async def create_broadcast(db: Database, *, created_by: str, topic: str, not_before: datetime,
                           now: datetime, text: str | None = None, template: str | None = None,
                           region: str | None = None, language: str | None = None,
                           urgent: bool = False, schedule_key: str | None = None,
                           campaign: str | None = None, approved_by: str | None = None,
                           approved_count: int | None = None, commit: bool = True) -> int:
    if (text is None) == (template is None):
        raise ValueError("a broadcast has either a text or a template")
    sql = ("INSERT INTO broadcasts (created_at, created_by, text, template, topic, region,"
           " language, urgent, not_before, state, schedule_key, campaign, approved_by,"
           " approved_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)")
    params = (iso(now), created_by, text, template, topic, region, language, int(urgent),
              iso(not_before), schedule_key, campaign, approved_by, approved_count)
    # Inside a caller's transaction (commit=False) the statement joins it; else its own.
    # The leader's engine hears of it at the commit, whichever process wrote it (PostgreSQL).
    if not commit:
        broadcast_id = await insert_id(db.conn, sql, params)
        await changed(db.conn, "broadcasts", broadcast_id)
        return broadcast_id
    async with db.transaction() as conn:
        broadcast_id = await insert_id(conn, sql, params)
        await changed(conn, "broadcasts", broadcast_id)
        return broadcast_id


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast | None:
    async with db.conn.execute(f"SELECT {COLUMNS} FROM broadcasts WHERE id = ?",
                               (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return _broadcast(row) if row else None


async def set_state(db: Database, broadcast_id: int, allowed_from: tuple[str, ...],
                    to: str, now: datetime | None = None) -> bool:
    marks = ",".join("?" * len(allowed_from))
    extra = ", finished_at = ?" if to in FINAL_STATES and now else ""
    params: list[object] = [to]
    if extra:
        assert now is not None
        params.append(iso(now))
    cur = await db.write(
        f"UPDATE broadcasts SET state = ?{extra} WHERE id = ? AND state IN ({marks})",
        (*params, broadcast_id, *allowed_from))
    if cur.rowcount > 0 and to == "scheduled":     # resumed: the leader's engine hears of it
        await changed(db.conn, "broadcasts", broadcast_id)
    return cur.rowcount > 0


async def defer(db: Database, broadcast_id: int, until: datetime) -> None:
    """Back to 'scheduled' until `until` (quiet hours); progress is kept."""
    await db.write(
        "UPDATE broadcasts SET state = 'scheduled', not_before = ?"
        " WHERE id = ? AND state IN ('scheduled', 'sending')",
        (iso(until), broadcast_id))


async def next_runnable(db: Database, now: datetime, upcoming: bool = False
                        ) -> Broadcast | None:
    """The broadcast to work on: urgent first, then the oldest; sending ones before new ones.
    `upcoming`: when none is due, the one due first (its not_before later than `now`)."""
    due = iso(now)
    if not upcoming:
        where, order, params = " AND not_before <= ?", "", (due,)
    else:
        where, order, params = "", "CASE WHEN not_before <= ? THEN '' ELSE not_before END, ", (due,)
    async with db.conn.execute(
        f"SELECT {COLUMNS} FROM broadcasts WHERE state IN ('scheduled', 'sending'){where}"
        f" ORDER BY {order}urgent DESC, state = 'sending' DESC, id LIMIT 1", params) as cur:
        row = await cur.fetchone()
    return _broadcast(row) if row else None


@dataclass(frozen=True)
class Started:
    recipients: int             # fixed in all; 0 when they had been fixed before
    held: Held | None = None    # set when it must wait for a second official instead
    stopped: bool = False       # paused or cancelled before all were fixed: send nothing


async def start_sending(db: Database, broadcast: Broadcast, now: datetime,
                        limit: int | None = None, chunk: int | None = None) -> Started:
    """Claim the broadcast and, the first time, fix all its recipients: in chunks, each
    committed by itself (storage/targeting.py; the engine sends while they are fixed, except
    under the two-person rule).

    `limit` is the two-person rule for an official's broadcast: when more recipients than that
    are fixed, the broadcast is 'held' instead (officials.hold_if_over), and nothing is sent
    until a second official approves. The real count is audited: the count an official
    confirmed may be older."""
    from bot.storage.targeting import CHUNK, claim, fix_all  # it reads Broadcast from here

    if not await claim(db, broadcast, now):
        return Started(0, stopped=True)     # paused/cancelled meanwhile
    if broadcast.snapshotted:
        return Started(0)       # fixed (and checked against `limit`) before
    return await fix_all(db, broadcast, now, chunk or CHUNK, limit)


async def pending_batch(db: Database, broadcast_id: int, after_user: int, limit: int,
                        day: str) -> list[Recipient]:
    """Recipients without an outcome, in user-id order after `after_user` (keyset paging).
    A fenced leader on PostgreSQL claims them (claim_batch)."""
    if db.fence is not None and db.dialect == "postgres":
        from bot.storage.claims import claim_batch  # it reads Recipient from here

        return await claim_batch(db, broadcast_id, after_user, limit, day)
    async with db.conn.execute(
        "SELECT d.user_id, d.language, d.region, d.attempts, COALESCE(c.count, 0)"
        " FROM deliveries d LEFT JOIN daily_counts c ON c.user_id = d.user_id AND c.day = ?"
        " WHERE d.broadcast_id = ? AND d.outcome IS NULL AND d.user_id > ?"
        " ORDER BY d.user_id LIMIT ?", (day, broadcast_id, after_user, limit)) as cur:
        return [Recipient(*row) for row in await cur.fetchall()]


async def record_outcomes(db: Database, broadcast_id: int, outcomes: list[Outcome],
                          now: datetime, day: str, counts_toward_cap: bool) -> None:
    """Write a batch of outcomes in one transaction, with their side effects; a message
    sent counts on its own day (`Outcome.day`), else on `day`."""
    if not outcomes:
        return
    stamp = iso(now)
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE deliveries SET outcome = ?, detail = ?, attempts = ?, at = ?"
            " WHERE broadcast_id = ? AND user_id = ? AND outcome IS NULL",
            [(o.outcome, o.detail, o.attempts, stamp, broadcast_id, o.user_id) for o in outcomes])
        if counts_toward_cap:
            # Only for a user still known: one who erased their data (/hapusdata) while the
            # message was on its way gets no new row about them.
            await conn.executemany(
                "INSERT INTO daily_counts (user_id, day, count) SELECT user_id, ?, 1 FROM users"
                " WHERE user_id = ?"
                " ON CONFLICT (user_id, day) DO UPDATE SET count = daily_counts.count + 1",
                [(o.day or day, o.user_id) for o in outcomes if o.outcome == "sent"])
        await conn.executemany(
            "UPDATE subscriptions SET active = 0, inactive_reason = ? WHERE user_id = ?",
            [(o.detail or "blocked", o.user_id) for o in outcomes if o.outcome == "blocked"])
        for o in outcomes:      # a deleted account can never /hapusdata: erased for it
            if o.outcome == "blocked" and DEACTIVATED in (o.detail or "").lower():
                await erase(conn, o.user_id)


async def charge_error(db: Database, broadcast_id: int, reason: str, budget: int,
                       now: datetime) -> bool:
    """Charge one error to a broadcast's budget; at `budget` errors it ends 'failed' with the
    reason. True when it failed."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE broadcasts SET errors = errors + 1, error = ? WHERE id = ?",
                           (reason[:500], broadcast_id))
        cur = await conn.execute(
            "UPDATE broadcasts SET state = 'failed', finished_at = ? WHERE id = ? AND errors >= ?"
            " AND state IN ('scheduled', 'sending', 'paused')", (iso(now), broadcast_id, budget))
    return cur.rowcount > 0


async def outcome_counts(db: Database, broadcast_id: int) -> dict[str, int]:
    """Per outcome: the recipients' rows (as counted by migration 0019's triggers: a few rows
    read, however many recipients), plus those already rolled up and purged."""
    async with db.conn.execute(
        "SELECT outcome, SUM(n) FROM ("
        " SELECT outcome, count AS n FROM delivery_counts WHERE broadcast_id = ?"
        " UNION ALL SELECT outcome, count FROM broadcast_outcomes WHERE broadcast_id = ?) AS o"
        " GROUP BY outcome HAVING SUM(n) > 0", (broadcast_id, broadcast_id)) as cur:
        return {row[0]: int(row[1]) for row in await cur.fetchall()}


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]     # per outcome, and "pending"
    rate: float                # outcomes a second over the last 10 s

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pending(self) -> int:
        return self.counts.get("pending", 0)

    @property
    def eta_seconds(self) -> float | None:
        return self.pending / self.rate if self.rate > 0 and self.pending else None


async def progress(db: Database, broadcast_id: int, now: datetime) -> Progress:
    """Where a broadcast stands (for `broadcast status` and the officials' progress message)."""
    rate = await sent_since(db, broadcast_id, now - timedelta(seconds=10)) / 10
    return Progress(await outcome_counts(db, broadcast_id), rate)


async def sent_since(db: Database, broadcast_id: int, since: datetime) -> int:
    async with db.conn.execute(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND outcome IS NOT NULL"
        " AND at >= ?", (broadcast_id, iso(since))) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
