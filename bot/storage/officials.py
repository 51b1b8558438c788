"""Officials' roles, the audit log and announcements waiting for a second official."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.broadcasts import TRANSITIONS, set_state
from bot.storage.changes import changed
from bot.storage.db import Connection, Database, insert_id, iso
from bot.storage.subscriptions import audience_sql

ROLES = ("announcer", "campaign_manager", "viewer")
AUDIT_COLUMNS = ("at", "actor", "action", "detail", "audience", "count")


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    detail: str
    audience: str | None
    count: int | None


@dataclass(frozen=True)
class Approval:
    id: int
    requested_by: int
    requested_at: str
    draft: dict[str, Any]
    recipients: int
    state: str
    decided_by: int | None
    broadcast_id: int | None
    decided_at: str | None = None

    @property
    def held(self) -> int | None:
        """The broadcast this request would release: one the delivery engine held because its
        audience grew past what was confirmed (else the request is for a draft)."""
        return self.broadcast_id if self.draft.get("held") else None


async def all_roles(db: Database) -> dict[int, dict[str, str | None]]:
    """Every stored official: role -> its region (a kabupaten/kota code; None = everywhere)."""
    async with db.conn.execute("SELECT user_id, role, region FROM officials") as cur:
        rows = await cur.fetchall()
    found: dict[int, dict[str, str | None]] = {}
    for user_id, role, region in rows:
        found.setdefault(int(user_id), {})[role] = region
    return found


async def grant(db: Database, user_id: int, role: str, by: str, now: datetime,
                region: str | None = None) -> bool:
    """Give a role (scoped to `region`, or everywhere); a role held with another scope takes
    this one. False when it was held so already."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    async with db.transaction() as conn:
        async with conn.execute("SELECT region FROM officials WHERE user_id = ? AND role = ?",
                                (user_id, role)) as cur:
            row = await cur.fetchone()
        if row is not None and row[0] == region:
            return False
        await conn.execute(
            "INSERT INTO officials (user_id, role, added_by, added_at, region)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, role) DO UPDATE SET"
            " region = excluded.region, added_by = excluded.added_by,"
            " added_at = excluded.added_at", (user_id, role, by, iso(now), region))
        await changed(conn, "officials", user_id)
    return True


async def revoke(db: Database, user_id: int, role: str | None = None) -> int:
    """Remove one role, or (role None) every role of this official."""
    async with db.transaction() as conn:
        if role is None:
            cur = await conn.execute("DELETE FROM officials WHERE user_id = ?", (user_id,))
        else:
            cur = await conn.execute("DELETE FROM officials WHERE user_id = ? AND role = ?",
                                     (user_id, role))
        if cur.rowcount > 0:     # every process reloads the roles (PostgreSQL)
            await changed(conn, "officials", user_id)
    return cur.rowcount


async def audit(db: Database, now: datetime, actor: str, action: str, detail: str = "",
                audience: str | None = None, count: int | None = None) -> None:
    async with db.transaction() as conn:
        await add_audit(conn, now, actor, action, detail, audience, count)


async def add_audit(conn: Connection, now: datetime, actor: str, action: str,
                    detail: str = "", audience: str | None = None, count: int | None = None
                    ) -> None:
    """An audit entry inside the caller's transaction."""
    await conn.execute("INSERT INTO audit_log (at, actor, action, detail, audience, count)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (iso(now), actor, action, detail[:1000], audience, count))


async def recent_audit(db: Database, limit: int = 20) -> list[AuditEntry]:
    async with db.conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log"
                               " ORDER BY id DESC LIMIT ?", (limit,)) as cur:
        return [AuditEntry(*row) for row in await cur.fetchall()]


async def iter_audit(db: Database) -> AsyncIterator[AuditEntry]:
    async with db.conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log"
                               " ORDER BY id") as cur:
        async for row in cur:
            yield AuditEntry(*row)


async def request_approval(db: Database, requested_by: int, draft: dict[str, Any],
                           recipients: int, now: datetime) -> int:
    async with db.transaction() as conn:
        return await add_approval(conn, requested_by, draft, recipients, now)


async def add_approval(conn: Connection, requested_by: int, draft: dict[str, Any],
                       recipients: int, now: datetime, broadcast_id: int | None = None) -> int:
    """A pending request inside the caller's transaction; with `broadcast_id`, for a broadcast
    that already exists (held by the delivery engine)."""
    return await insert_id(
        conn, "INSERT INTO approvals (requested_by, requested_at, draft, recipients, state,"
        " broadcast_id) VALUES (?, ?, ?, ?, 'pending', ?)",
        (requested_by, iso(now), json.dumps(draft), recipients, broadcast_id))


async def get_approval(db: Database, approval_id: int) -> Approval | None:
    async with db.conn.execute(
            "SELECT id, requested_by, requested_at, draft, recipients, state, decided_by,"
            " broadcast_id, decided_at FROM approvals WHERE id = ?", (approval_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    values = list(row)
    values[3] = json.loads(values[3])
    return Approval(*values)


async def pending_for_broadcast(db: Database, broadcast_id: int) -> int | None:
    """The pending request that would release a held broadcast, if there is one."""
    async with db.conn.execute(
            "SELECT MAX(id) FROM approvals WHERE broadcast_id = ? AND state = 'pending'",
            (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else None


async def cancel_broadcast(db: Database, broadcast_id: int, allowed_from: tuple[str, ...],
                           by: int | None, now: datetime) -> list[int] | None:
    """Cancel a broadcast that is in one of `allowed_from` and, in the same transaction, close
    the requests for a second official still waiting to release it ('cancelled', decided by
    `by`: the official who cancelled it, None for the CLI), so none is left pending or can
    be approved. The requests closed, or None when it was not cancelled."""
    marks = ",".join("?" * len(allowed_from))
    async with db.transaction() as conn:
        cur = await conn.execute(
            f"UPDATE broadcasts SET state = 'cancelled', finished_at = ? WHERE id = ?"
            f" AND state IN ({marks})", (iso(now), broadcast_id, *allowed_from))
        if cur.rowcount == 0:
            return None
        async with conn.execute("SELECT id FROM approvals WHERE broadcast_id = ?"
                                " AND state = 'pending' ORDER BY id", (broadcast_id,)) as rows:
            closed = [int(row[0]) for row in await rows.fetchall()]
        if closed:
            await conn.execute(
                "UPDATE approvals SET state = 'cancelled', decided_by = ?, decided_at = ?"
                " WHERE broadcast_id = ? AND state = 'pending'", (by, iso(now), broadcast_id))
    return closed


async def control_broadcast(db: Database, broadcast_id: int, action: str, actor: str,
                            by: int | None, now: datetime) -> bool:
    """/jadwal's and the CLI's pause, resume or cancel (TRANSITIONS), audited under `actor`; a
    cancel closes the broadcast's waiting requests too (cancel_broadcast), and its entry names
    them. False when the broadcast was not in a state `action` applies to."""
    allowed, target = TRANSITIONS[action]
    if action == "cancel":
        closed = await cancel_broadcast(db, broadcast_id, allowed, by, now)
    else:
        closed = [] if await set_state(db, broadcast_id, allowed, target, now) else None
    if closed is None:
        return False
    requests = f"; permintaan {', '.join(map(str, closed))} ditutup" if closed else ""
    await audit(db, now, actor, f"broadcast.{action}", f"#{broadcast_id}{requests}")
    return True


@dataclass(frozen=True)
class Held:
    """A broadcast the two-person rule stopped as its recipients were fixed."""
    broadcast_id: int
    approval_id: int       # the request a second official answers
    requested_by: int      # the official whose broadcast it is
    recipients: int        # fixed now, more than `limit`
    limit: int


def official_of(created_by: str) -> int | None:
    """The Telegram official who made a broadcast ("tg:<id>"), if one did."""
    prefix, _, number = created_by.partition(":")
    return int(number) if prefix == "tg" and number.isascii() and number.isdigit() else None


async def hold_if_over(conn: Connection, broadcast_id: int, created_by: str,
                       recipients: int, limit: int | None, now: datetime) -> Held | None:
    """In the transaction that fixed a broadcast's recipients: an official's broadcast over
    `limit` is held, with a request for a second official; else its real count is audited
    (an official's or the CLI's; the calendar's are not admin actions)."""
    official = official_of(created_by)
    if official is None or limit is None or recipients <= limit:
        if official is not None or created_by == "cli":
            await add_audit(conn, now, "bot", "broadcast.start",
                            f"#{broadcast_id}: penerima ditetapkan", count=recipients)
        return None
    # The caller's snapshot update made sure it is still 'sending' (and, on PostgreSQL, holds
    # the row): this compare-and-set cannot bring back a cancelled or paused broadcast.
    cur = await conn.execute("UPDATE broadcasts SET state = 'held' WHERE id = ?"
                             " AND state = 'sending'", (broadcast_id,))
    if cur.rowcount == 0:
        return None
    approval = await add_approval(conn, official, {"held": True, "limit": limit}, recipients,
                                  now, broadcast_id=broadcast_id)
    await add_audit(conn, now, "bot", "broadcast.hold",
                    f"#{broadcast_id}: {recipients} penerima, melebihi {limit}; menunggu "
                    f"persetujuan (permintaan {approval})", count=recipients)
    return Held(broadcast_id, approval, official, recipients, limit)


async def release_held(db: Database, broadcast_id: int, approved_by: str, approved: int
                       ) -> int | None:
    """A second official approved a held broadcast: it goes out to the recipients fixed when it
    was held, less any who have left its audience since (never more). Their number, or None
    when it was no longer held."""
    async with db.transaction() as conn:
        return await release(conn, broadcast_id, approved_by, approved)


async def release(conn: Connection, broadcast_id: int, approved_by: str, approved: int
                  ) -> int | None:
    """release_held's statements, in the caller's transaction (storage/approvals.py: with the
    request's decision)."""
    cur = await conn.execute(
        "UPDATE broadcasts SET state = 'scheduled', approved_by = ?, approved_count = ?"
        " WHERE id = ? AND state = 'held'", (approved_by, approved, broadcast_id))
    if cur.rowcount == 0:
        return None
    await changed(conn, "broadcasts", broadcast_id)    # the leader's engine hears of it
    async with conn.execute(
            "SELECT topic, region, language, campaign FROM broadcasts WHERE id = ?",
            (broadcast_id,)) as rows:
        row = await rows.fetchone()
    assert row is not None
    where, params = audience_sql(row[0], row[1], row[2], row[3])
    await conn.execute(
        "DELETE FROM deliveries WHERE broadcast_id = ? AND outcome IS NULL AND user_id NOT IN"
        f" (SELECT s.user_id FROM subscriptions s JOIN users u ON u.user_id = s.user_id"
        f" WHERE {where})", (broadcast_id, *params))
    async with conn.execute("SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?",
                            (broadcast_id,)) as rows:
        count = await rows.fetchone()
    return int(count[0]) if count else 0
