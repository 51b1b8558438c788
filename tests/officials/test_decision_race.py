"""Two decisions on one approval request at the same moment, through the real Application:
approved and refused, approved twice, approved while its requester cancels (a held broadcast)
or withdraws it (a request from a draft). Whichever lands first wins, in one compare-and-set
with its action (the broadcast launched, released or cancelled); the other is told who decided
first and changes nothing. Each pair is tried at every point where the first handler touches
storage (tests/fakes/officials.interleaved), on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import Callback
from bot.content.registry import Content
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.officials import get_approval, pending_for_broadcast, recent_audit
from tests.broadcasts.conftest import ScriptedSender
from tests.fakes.harness import Harness, offline_bot, texts
from tests.fakes.officials import interleaved
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock
from tests.officials.test_two_person_send import held_announcement, sent_to, state_of
from tests.postgres import create_database, drop_database

SECOND, THIRD = 902, 903        # two more announcers, not super-admins
DECISIONS = ("broadcast.approve", "broadcast.reject", "broadcast.withdraw")
Press = Callable[[Harness, int], Awaitable[Any]]


@asynccontextmanager
async def fresh(database: str, request: pytest.FixtureRequest) -> AsyncIterator[dict[str, str]]:
    """A fresh database for each bot of a test: on PostgreSQL a new one on the server."""
    if not database.startswith("postgresql://"):
        yield {}
        return
    admin = request.getfixturevalue("pg_admin_url")
    url = await create_database(admin)
    try:
        yield {"DATABASE_URL": url}
    finally:
        await drop_database(admin, url)


def settings() -> dict[str, str]:
    return {"ADMIN_IDS": str(SUPER), "APPROVAL_THRESHOLD": "1", "QUIET_HOURS": "",
            "DAILY_CAP": "0"}


def decision(who: int, verdict: str) -> tuple[int, Press]:
    """`who` presses approve ("y") or refuse ("n") on the request as they received it (its
    buttons, as their client still shows them even once another decision closed it)."""
    async def press(h: Harness, request_id: int) -> Any:
        data = Callback("P", f"{request_id}:{verdict}").encode()
        message = next(m for (cid, mid), m in sorted(h.api.messages.items())
                       if cid == who and (data in str(m.get("reply_markup", ""))
                                          or (cid, mid) in SENT.get(request_id, ())))
        return await h.press(data, message=message, user=h.user(who))
    return who, press


def cancel_held(h: Harness, request_id: int) -> Any:
    """The requester cancels their held broadcast from /jadwal."""
    async def press() -> Any:
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        return await h.press_label("Batalkan", user=h.user(ANNOUNCER))
    return press()


def withdraw(h: Harness, request_id: int) -> Any:
    """The requester withdraws their request from /jadwal."""
    async def press() -> Any:
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        return await h.press(Callback("P", f"{request_id}:w").encode(),
                             message=h.last_message_with_keyboard(ANNOUNCER),
                             user=h.user(ANNOUNCER))
    return press()


def revoked_then(press: tuple[int, Press]) -> tuple[int, Press]:
    """The super-admin takes the requester's role away, then `press` (an approval, which now
    finds a reason to refuse)."""
    async def both(h: Harness, request_id: int) -> Any:
        await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER))
        return await press[1](h, request_id)
    return press[0], both


def stale_approval(h: Harness, request_id: int) -> Any:
    """SECOND approves in a process not yet told of the revocation (on PostgreSQL another
    process reloads the roles only when it hears of the change): its roles still hold the
    requester's."""
    async def press() -> Any:
        roles = h.app.services.roles
        saved = roles._roles.get(ANNOUNCER)
        roles._roles[ANNOUNCER] = {"announcer": None}
        try:
            return await decision(SECOND, "y")[1](h, request_id)
        finally:
            if saved is None:
                roles._roles.pop(ANNOUNCER, None)
            else:
                roles._roles[ANNOUNCER] = saved
    return press()


SENT: dict[int, set[tuple[int, int]]] = {}     # request id -> its request messages


def request_messages(h: Harness, request_id: int) -> dict[int, tuple[int, int]]:
    """Each approver's request message (chat, message id), to read its final text (and for
    `decision` to press once the message lost its buttons)."""
    data = Callback("P", f"{request_id}:y").encode()
    found = {cid: (cid, mid) for (cid, mid), m in h.api.messages.items()
             if data in str(m.get("reply_markup", ""))}
    SENT[request_id] = set(found.values())
    return found


async def check(h: Harness, request_id: int, held: int | None, before: int,
                told_before: int, messages: dict[int, tuple[int, int]]) -> str:
    """The invariants whichever decision won; the request's state."""
    db = h.app.services.db
    r = await get_approval(db, request_id)
    assert r is not None and r.state != "pending", r
    if held is not None:
        b = await state_of(h, held)
        # Approved, then cancelled as a later action of its own (after the approval's last
        # step): a cancel of a released broadcast, audited.
        later = b == "cancelled" and r.state == "approved" and any(
            e.action == "broadcast.cancel" and e.detail == f"#{held}"
            for e in await recent_audit(db, 200))
        assert later or (r.state == "approved") == (b in ("scheduled", "sending", "done")), (r, b)
        assert r.state == "approved" or b == "cancelled", (r, b)
    else:
        made = len(await list_broadcasts(db)) - before
        assert made == (1 if r.state == "approved" else 0), (r, made)
        assert (r.broadcast_id is not None) == (r.state == "approved"), r
    decided = [e for e in await recent_audit(db, 200) if e.action in DECISIONS
               and f"permintaan {request_id}" in e.detail]
    if r.state != "cancelled" or held is None:      # a held one's cancel is broadcast.cancel
        assert len(decided) == 1, decided
    # Each approver's message says what happened to the request, not what they asked for:
    # the decider's, what their press did; the others', who decided (closing.py).
    for who, key in messages.items():
        said = h.api.messages[key].get("text", "")
        assert "reply_markup" not in h.api.messages[key], (who, said)
        if said.endswith("tidak perlu diputuskan lagi."):
            verb = {"approved": "disetujui", "rejected": "ditolak"}.get(r.state, "d")
            assert f"sudah {verb}" in said or ((r.state == "cancelled" and "ditarik" in said)
                                               or "dibatalkan" in said), (said, r)
            assert r.decided_by != who or r.state == "cancelled", (said, r)
            continue
        if said.startswith(f"✅ Permintaan {request_id} disetujui"):
            assert (r.state, r.decided_by) == ("approved", who), (said, r)
        if "ditolak" in said and "lebih dulu" not in said:
            assert (r.state, r.decided_by) == ("rejected", who), (said, r)
    told = sent_to(h, ANNOUNCER)[told_before:]
    if r.state == "approved":
        assert not any("ditolak" in t or "tidak disetujui" in t for t in told), told
    return r.state


async def run_pairs(h: Harness, make: Callable[[], Awaitable[tuple[int, int | None]]],
                    first: tuple[int, Press], second: Callable[[Harness, int], Any]) -> set[str]:
    """The first press, with the second coming in at each storage call it makes in turn."""
    outcomes, at = set(), 0
    while True:
        request_id, held = await make()
        before = len(await list_broadcasts(h.app.services.db))
        told_before = len(sent_to(h, ANNOUNCER))
        messages = request_messages(h, request_id)
        ran: list[Any] = []

        async def then(ran: list[Any] = ran, request_id: int = request_id) -> None:
            ran.append(await second(h, request_id))
        async with interleaved(at, then) as made:
            await first[1](h, request_id)
        if not ran:             # past the first press's last call: every point was tried
            assert made[0] <= at
            return outcomes
        answers = [h.api.messages[k].get("text", "") for k in messages.values()]
        answers += texts(ran[0]) if isinstance(ran[0], list) else []
        loser = [m for m in answers if "lebih dulu" in m or "ditarik" in m or "dibatalkan" in m]
        outcomes.add(await check(h, request_id, held, before, told_before, messages))
        mine = h.api.messages[messages[first[0]]].get("text", "") if first[0] in messages else ""
        assert loser or not mine.startswith("✅"), (at, mine)
        at += 1


async def drafts(tmp_path: Path, content: Content, first: tuple[int, Press],
                 second: Callable[[Harness, int], Any]) -> set[str]:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await subscribe_through(h.app.services.db, [7001, 7002], clock(h).now())
        for uid in (ANNOUNCER, SECOND, THIRD):
            await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))

        async def make() -> tuple[int, int | None]:
            await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
            return await ask_approval(h, ANNOUNCER, text="Rapat warga"), None
        return await run_pairs(h, make, first, second)


def pair(first: tuple[int, Press]) -> Callable[[Harness, int], Any]:
    return lambda h, request_id: first[1](h, request_id)


@pytest.mark.parametrize("first, second", [
    (decision(SUPER, "y"), pair(decision(SECOND, "n"))),
    (decision(SECOND, "n"), pair(decision(SUPER, "y"))),
    (decision(SUPER, "y"), pair(decision(SECOND, "y"))),
    (decision(SUPER, "y"), withdraw),
    (revoked_then(decision(THIRD, "y")), stale_approval),
], ids=["approve-reject", "reject-approve", "approve-approve", "approve-withdraw",
        "approve-refused"])
async def test_two_decisions_on_a_draft_request(tmp_path: Path, content: Content,
                                               first: tuple[int, Press],
                                               second: Callable[[Harness, int], Any]) -> None:
    assert await drafts(tmp_path, content, first, second)


@pytest.mark.parametrize("first, second", [
    (decision(SUPER, "y"), pair(decision(SECOND, "n"))),
    (decision(SECOND, "n"), pair(decision(SUPER, "y"))),
    (decision(SUPER, "y"), cancel_held),
    (revoked_then(decision(THIRD, "y")), stale_approval),
], ids=["approve-reject", "reject-approve", "approve-cancel", "approve-refused"])
async def test_two_decisions_on_a_held_broadcast(tmp_path: Path, content: Content,
                                                first: tuple[int, Press],
                                                second: Callable[[Harness, int], Any],
                                                database: str,
                                                request: pytest.FixtureRequest) -> None:
    at = 0
    while True:
        async with fresh(database, request) as where, offline_bot(
                tmp_path / str(at), content, sender=ScriptedSender(), **where, **settings()) as h:
            for uid in (SECOND, THIRD):
                await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))
            b = await held_announcement(h)
            request_id = await pending_for_broadcast(h.app.services.db, b.id)
            assert request_id is not None
            messages = request_messages(h, request_id)
            told_before = len(sent_to(h, ANNOUNCER))
            ran: list[Any] = []

            async def then(ran: list[Any] = ran, request_id: int = request_id) -> None:
                ran.append(await second(h, request_id))
            async with interleaved(at, then):
                await first[1](h, request_id)
            if not ran:
                return
            await check(h, request_id, b.id, 0, told_before, messages)
        at += 1
