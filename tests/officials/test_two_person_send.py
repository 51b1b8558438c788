"""Issue 16, defect 1, through the real Application with its delivery engine: with
APPROVAL_THRESHOLD=1 and one subscriber, an announcer schedules an announcement; ten citizens
subscribe before it goes. At send time it is held (nobody gets it), the other officials are
asked, and only after a second official approves do the eleven receive it; the audit log
has 11, not the 1 the announcer confirmed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

import bot.storage.targeting as targeting
from bot.content.registry import Content
from bot.shell.botapi import Call
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import Broadcast, get_broadcast, outcome_counts
from bot.storage.officials import get_approval, recent_audit
from tests.broadcasts.conftest import ScriptedSender, eventually
from tests.fakes.harness import Harness, buttons, offline_bot, texts
from tests.fakes.officials import approve
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock

TEXT = "Rapat warga di balai desa"
CITIZENS = list(range(7001, 7012))      # the first subscribes before, the other ten after


def sent_to(h: Harness, chat: int) -> list[str]:
    return [m.get("text", "") for (cid, _), m in sorted(h.api.messages.items()) if cid == chat]


async def state_of(h: Harness, broadcast_id: int) -> str | None:
    b = await get_broadcast(h.app.services.db, broadcast_id)
    return b.state if b else None


async def test_an_audience_grown_after_confirming_waits_for_a_second_official(
        tmp_path: Path, content: Content) -> None:
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        summary = await previewed_for_one(h)
        announcer = h.user(ANNOUNCER)
        assert "Penerima:</b> 1" in summary[-1].params["text"]
        await h.press_label("Kirim", user=announcer)         # one recipient: no approval needed
        [b] = await list_broadcasts(h.app.services.db)
        assert b.state == "scheduled" and b.approved_by is None
        for citizen in CITIZENS[1:]:
            await h.text("/langganan", user=h.user(citizen))

        clock(h).advance(timedelta(minutes=3))               # send time
        assert h.app.services.engine is not None
        h.app.services.engine.poke()
        await eventually(lambda: _is(h, b.id, "held"), what="held")
        await eventually(lambda: _asked(h), what="the second official asked")
        assert not [p for p in sender.payloads if p["text"] == TEXT]
        request = sent_to(h, SUPER)[-1]
        assert f"#{b.id}" in request and "<b>11</b>" in request and "batas 1" in request
        assert "Setujui" in buttons(h.last_message_with_keyboard(SUPER))[0]
        told = sent_to(h, ANNOUNCER)
        assert any(f"Pengumuman #{b.id} ditahan" in t and "11" in t for t in told), told
        # /jadwal shows it held, with the approval button and cancel only (no resume).
        listing = await h.text("/jadwal", user=announcer)
        assert "ditahan" in listing[-1].params["text"]
        assert buttons(listing[-1]) == [f"✅ Setujui #{b.id}", f"✖ Batalkan #{b.id}"]
        # The announcer cannot approve their own.
        own = await h.press_label("Setujui", user=announcer)
        assert "sendiri" in str([c.params for c in own])
        assert await state_of(h, b.id) == "held"

        message = h.last_message_with_keyboard(SUPER)
        approve = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await h.press(approve, message=message, user=h.user(SUPER))
        await eventually(lambda: _is(h, b.id, "done"), what="sent")
        got = sorted(p["chat_id"] for p in sender.payloads if p["text"] == TEXT)
        assert got == CITIZENS
        assert (await outcome_counts(h.app.services.db, b.id)) == {"sent": 11}
        entries = {e.action: e for e in await recent_audit(h.app.services.db, 50)}
        assert entries["broadcast.create"].count == 1          # what the announcer confirmed
        assert entries["broadcast.hold"].count == 11           # what it would really reach
        assert entries["broadcast.approve"].count == 11
        assert entries["broadcast.approve"].actor == f"tg:{SUPER}"
        assert any(f"#{b.id}" in t and "disetujui" in t for t in sent_to(h, ANNOUNCER))


async def test_a_rejected_held_announcement_is_cancelled(tmp_path: Path,
                                                         content: Content) -> None:
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        b = await held_announcement(h)
        await h.press_label("Tolak", user=h.user(SUPER))
        assert await state_of(h, b.id) == "cancelled"
        assert any(f"#{b.id} ditolak" in t for t in sent_to(h, ANNOUNCER))
        await asyncio.sleep(0.3)
        assert not [p for p in sender.payloads if p["text"] == TEXT]


async def test_cancelled_from_jadwal_while_its_recipients_are_fixed_stays_cancelled(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its audience grew past the threshold, but the announcer cancelled it while the engine
    was still fixing the recipients: it is not brought back 'held' for a super-admin to
    approve, and nobody gets it."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="20", QUIET_HOURS="", DAILY_CAP="0") as h:
        db = h.app.services.db
        engine = h.app.services.engine
        assert engine is not None
        engine.chunk = 10
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        await subscribe_through(db, list(range(7001, 7016)), clock(h).now())
        original, said, steps = targeting.fix_chunk, [], []

        async def fix_then_cancel(db_, b, now, chunk=10, limit=None):  # type: ignore[no-untyped-def]
            step = await original(db_, b, now, chunk, limit)
            steps.append(step)
            if len(steps) == 1:     # the audience grows past 20; the announcer cancels
                await subscribe_through(db, list(range(7016, 7031)), clock(h).now())
                await h.text("/jadwal", user=h.user(ANNOUNCER))
                said.extend(texts(await h.press_label("Batalkan", user=h.user(ANNOUNCER))))
            return step

        monkeypatch.setattr(targeting, "fix_chunk", fix_then_cancel)
        announcer = h.user(ANNOUNCER)
        await h.text("/umumkan", user=announcer)
        await h.text(TEXT, user=announcer)
        await h.press_label("Pratinjau", user=announcer)
        await h.press_label("Kirim", user=announcer)         # 15: no approval needed
        [b] = await list_broadcasts(db)
        engine.poke()

        async def targeted() -> bool:
            return any(s.done or s.added < 10 for s in steps)
        await eventually(targeted, what="the targeting ended")
        await asyncio.sleep(0.5)
        assert said[0] == f"#{b.id}: dibatalkan"
        assert await state_of(h, b.id) == "cancelled"
        assert not any("Perlu persetujuan" in t for t in sent_to(h, SUPER))
        assert not [p for p in sender.payloads if p["text"] == TEXT]
        assert "broadcast.hold" not in {e.action for e in await recent_audit(db, 50)}


async def test_a_revoked_officials_request_is_refused_not_sent(tmp_path: Path,
                                                                content: Content) -> None:
    """Revoked after asking where the revocation did not close the request (/petugas closes
    them: test_revoked_requester.py; here the roles change as in a process that was not the
    one told): the approval is refused, says why, and is recorded."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text=TEXT)
        await h.app.services.roles.revoke(db, ANNOUNCER, None, SUPER, clock(h).now())
        out = texts(await approve(h, request_id, SUPER))
        assert any(f"Permintaan {request_id} tidak bisa disetujui" in t
                   and "tidak lagi berwenang" in t for t in out), out
        request = await get_approval(db, request_id)
        assert request is not None and (request.state, request.broadcast_id) == ("rejected", None)
        assert await list_broadcasts(db) == []
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.reject"]
        assert entry.actor == f"tg:{SUPER}" and "tidak lagi berwenang" in entry.detail
        await asyncio.sleep(0.3)
        assert sender.payloads == []


async def test_a_request_approved_long_after_its_time_is_refused(tmp_path: Path,
                                                                 content: Content) -> None:
    """Scheduled for an hour later, approved three days on: not sent at once with stale
    content, but refused (past SCHEDULE_GRACE_HOURS, 6 h), recorded, and both told."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        at = clock(h).now().astimezone(h.app.services.settings.tz) + timedelta(hours=1)
        request_id = await ask_approval(h, ANNOUNCER, text="Besok jam 8 rapat", at=at)
        clock(h).advance(timedelta(days=3))
        out = texts(await approve(h, request_id, SUPER))
        assert any(f"Permintaan {request_id} tidak bisa disetujui" in t and "sudah lewat" in t
                   for t in out), out
        assert any(f"Permintaan {request_id} tidak disetujui" in t
                   for t in sent_to(h, ANNOUNCER))
        request = await get_approval(db, request_id)
        assert request is not None and request.state == "rejected"
        assert await list_broadcasts(db) == []
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.reject"]
        assert entry.actor == f"tg:{SUPER}" and "sudah lewat" in entry.detail
        await asyncio.sleep(0.3)
        assert sender.payloads == []


async def test_a_revoked_officials_held_announcement_is_refused_and_cancelled(
        tmp_path: Path, content: Content) -> None:
    """Revoked after confirming, before its time: held at its time for a requester without
    the role, whom nobody may approve: nobody is asked, it is cancelled, recorded, and its
    official told (approvers used to be asked a request they could only refuse)."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        await previewed_for_one(h)
        await h.press_label("Kirim", user=h.user(ANNOUNCER))
        [b] = await list_broadcasts(h.app.services.db)
        said = texts(await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER)))
        assert not any("ditarik" in t for t in said), said    # nothing waited yet
        await h.text("/langganan", user=h.user(CITIZENS[1]))
        clock(h).advance(timedelta(minutes=3))
        assert h.app.services.engine is not None
        h.app.services.engine.poke()
        await eventually(lambda: _is(h, b.id, "cancelled"), what="cancelled")
        await eventually(lambda: _told(h, "tidak lagi berwenang"), what="its official told")
        assert not any("Perlu persetujuan" in t for t in sent_to(h, SUPER))
        request_id = (await get_approval(h.app.services.db, 1))
        assert request_id is not None and (request_id.state, request_id.decided_by) == (
            "rejected", None)
        [entry] = [e for e in await recent_audit(h.app.services.db, 50)
                   if e.action == "broadcast.reject"]
        assert entry.actor == "bot" and "tidak lagi berwenang" in entry.detail, entry
        await asyncio.sleep(0.3)
        assert not [p for p in sender.payloads if p["text"] == TEXT]


async def previewed_for_one(h: Harness) -> list[Call]:
    """The announcer's message scheduled two minutes ahead for one subscriber, up to its
    preview (/umumkan → text → schedule → preview): the preview's calls."""
    await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
    await h.text("/langganan", user=h.user(CITIZENS[0]))
    announcer = h.user(ANNOUNCER)
    await h.text("/umumkan", user=announcer)
    await h.text(TEXT, user=announcer)
    await h.press_label("Jadwalkan", user=announcer)
    at = clock(h).now().astimezone(h.app.services.settings.tz) + timedelta(minutes=2)
    await h.text(at.strftime("%Y-%m-%d %H:%M"), user=announcer)
    return await h.press_label("Pratinjau", user=announcer)


async def held_announcement(h: Harness) -> Broadcast:
    """An announcer's message scheduled two minutes ahead for one subscriber; a second
    subscribes, and at its time the two-person rule holds it and asks the super-admin."""
    await previewed_for_one(h)
    await h.press_label("Kirim", user=h.user(ANNOUNCER))
    [b] = await list_broadcasts(h.app.services.db)
    await h.text("/langganan", user=h.user(CITIZENS[1]))
    clock(h).advance(timedelta(minutes=3))
    assert h.app.services.engine is not None
    h.app.services.engine.poke()
    await eventually(lambda: _asked(h), what="the second official asked")
    return b


async def _is(h: Harness, broadcast_id: int, state: str) -> bool:
    return await state_of(h, broadcast_id) == state


async def _told(h: Harness, words: str) -> bool:
    return any(words in t for t in sent_to(h, ANNOUNCER))


async def _asked(h: Harness) -> bool:
    return any("Perlu persetujuan" in t for t in sent_to(h, SUPER)) and \
        any("ditahan" in t for t in sent_to(h, ANNOUNCER))
