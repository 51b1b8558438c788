"""The two-person rule's edges through the real Application: a request to send "now" approved
long after it was made, a held broadcast cancelled while its approval waits, and what an
official who is not a super-admin reads about another (never a Telegram id)."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

from bot.content.registry import Content, load_content
from bot.reload import reload_content
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.officials import get_approval, pending_for_broadcast, recent_audit
from tests.broadcasts.conftest import ScriptedSender
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import offline_bot, texts
from tests.fakes.officials import approve, asked
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock
from tests.officials.test_two_person_send import TEXT, held_announcement, sent_to, state_of

SECOND = 902        # another announcer, not a super-admin


def settings() -> dict[str, str]:
    return {"ADMIN_IDS": str(SUPER), "APPROVAL_THRESHOLD": "1", "QUIET_HOURS": "",
            "DAILY_CAP": "0"}


async def test_a_request_to_send_now_approved_days_later_is_refused(
        tmp_path: Path, content: Content) -> None:
    """Asked to go now, approved three days on (past SCHEDULE_GRACE_HOURS, 6 h): its content
    may be stale, so it is refused as a scheduled one would be, recorded, and both told."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text=TEXT)
        clock(h).advance(timedelta(days=3))
        out = texts(await approve(h, request_id, SUPER))
        assert any(f"Permintaan {request_id} tidak bisa disetujui" in t and "6 jam" in t
                   for t in out), out
        assert any(f"Permintaan {request_id} tidak disetujui" in t
                   for t in sent_to(h, ANNOUNCER))
        request = await get_approval(db, request_id)
        assert request is not None and (request.state, request.broadcast_id) == ("rejected", None)
        assert await list_broadcasts(db) == []
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.reject"]
        assert entry.actor == f"tg:{SUPER}" and "6 jam" in entry.detail
        await asyncio.sleep(0.3)
        assert sender.payloads == []


async def test_a_request_to_send_now_approved_within_the_grace_goes(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text=TEXT)
        clock(h).advance(timedelta(hours=5))
        out = texts(await approve(h, request_id, SUPER))
        assert any(f"Permintaan {request_id} disetujui" in t for t in out), out
        [b] = await list_broadcasts(db)
        assert b.approved_by == f"tg:{SUPER}"


async def test_a_held_broadcast_approved_days_later_is_refused_and_cancelled(
        tmp_path: Path, content: Content) -> None:
    """Held as it started, approved three days on: stale in the same way, so refused."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, **settings()) as h:
        b = await held_announcement(h)
        clock(h).advance(timedelta(days=3))
        out = texts(await h.press_label("Setujui", user=h.user(SUPER)))
        assert any("tidak bisa disetujui" in t and "6 jam" in t for t in out), out
        assert await state_of(h, b.id) == "cancelled"
        await asyncio.sleep(0.3)
        assert not [p for p in sender.payloads if p["text"] == TEXT]


async def test_officials_who_are_not_super_admins_see_no_telegram_ids(
        tmp_path: Path, content: Content) -> None:
    """/jadwal and the approval requests name another official by role for everyone but the
    super-admins (as /statistik does); super-admins still see whose Telegram id it is."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await h.text(f"/petugas tambah {SECOND} pengumum", user=h.user(SUPER))
        b = await held_announcement(h)        # the announcer's, held: SECOND is asked too
        assert SECOND in asked(h, (await pending_for_broadcast(h.app.services.db, b.id)) or 0)
        own = texts(await h.text("/jadwal", user=h.user(ANNOUNCER)))[-1]
        other = texts(await h.text("/jadwal", user=h.user(SECOND)))[-1]
        mine = texts(await h.text("/jadwal", user=h.user(SUPER)))[-1]
        for listing in (own, other):
            assert f"#{b.id}" in listing and str(ANNOUNCER) not in listing, listing
            assert "petugas" in listing, listing
        assert f"tg:{ANNOUNCER}" in mine
        told = sent_to(h, SECOND)
        assert any("Perlu persetujuan" in t for t in told), told
        assert not any(str(ANNOUNCER) in t for t in told), told
        assert any(f"tg:{ANNOUNCER}" in t for t in sent_to(h, SUPER) if "Perlu persetujuan" in t)
        # A request from a draft, too: its requester's name, not their id.
        await subscribe_through(h.app.services.db, [7101, 7102], clock(h).now())
        request_id = await ask_approval(h, ANNOUNCER, text="Rapat lagi")
        told = [t for t in sent_to(h, SECOND) if f"permintaan {request_id})" in t]
        assert told and not any(str(ANNOUNCER) in t for t in told), told
        assert any(str(ANNOUNCER) in t for t in sent_to(h, SUPER)
                   if f"permintaan {request_id})" in t)


async def test_cancelling_a_held_broadcast_closes_its_approval(tmp_path: Path,
                                                               content: Content) -> None:
    """Cancelled from /jadwal while it waits for a second official: the request is closed (not
    left pending), recorded, and the approver's button then says it was cancelled."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, **settings()) as h:
        db = h.app.services.db
        b = await held_announcement(h)
        request_id = await pending_for_broadcast(db, b.id)
        assert request_id is not None
        approver_message = h.last_message_with_keyboard(SUPER)
        data = approver_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        said = texts(await h.press_label("Batalkan", user=h.user(ANNOUNCER)))
        assert await state_of(h, b.id) == "cancelled"
        assert await pending_for_broadcast(db, b.id) is None
        request = await get_approval(db, request_id)
        assert request is not None and request.state == "cancelled", request
        assert request.decided_by == ANNOUNCER
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.cancel"]
        assert entry.actor == f"tg:{ANNOUNCER}" and f"permintaan {request_id}" in entry.detail, \
            entry
        assert any("Tidak ada pengumuman" in t for t in said), said
        # Their message lost its buttons; a press from a client that still shows them: told
        # it was cancelled, nothing else.
        assert "reply_markup" not in approver_message
        out = texts(await h.press(data, message=approver_message, user=h.user(SUPER)))
        assert any(f"Permintaan {request_id} dibatalkan" in t for t in out), out
        assert await state_of(h, b.id) == "cancelled"
        assert [e.action for e in await recent_audit(db, 50)].count("broadcast.approve") == 0
        await asyncio.sleep(0.3)
        assert not [p for p in sender.payloads if p["text"] == TEXT]


async def test_the_second_official_is_told_when_a_request_would_go(tmp_path: Path,
                                                                  content: Content) -> None:
    """A scheduled request says when it is to go out; one to go at once says so."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await subscribe_through(h.app.services.db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        at = clock(h).now().astimezone(h.app.services.settings.tz) + timedelta(days=1)
        later = await ask_approval(h, ANNOUNCER, text=TEXT, at=at)
        now = await ask_approval(h, ANNOUNCER, text=TEXT)
        told = {n: [t for t in sent_to(h, SUPER) if f"(permintaan {n})" in t]
                for n in (later, now)}
        assert f"<b>Waktu:</b> {at.strftime('%Y-%m-%d %H:%M')}" in told[later][0], told
        assert "<b>Waktu:</b> segera setelah disetujui" in told[now][0], told



async def test_a_template_gone_in_a_content_reload_is_not_approved_nor_sent(
        tmp_path: Path) -> None:
    """A request for a template, then `content reload` drops the template: the approval is
    refused and says why (it used to launch a broadcast that failed at its first recipient),
    and a draft of it is not confirmed."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    schedule = folder / "schedule.yaml"
    original = schedule.read_text()
    schedule.write_text(original.replace("templates:\n", "templates:\n  rapat:\n"
                                         "    topic: announcements\n"
                                         '    id: "Rapat warga besok."\n'
                                         '    en: "Residents\' meeting tomorrow."\n', 1))
    sender = ScriptedSender()
    async with offline_bot(tmp_path, load_content(folder), sender=sender,
                           CONTENT_DIR=str(folder), **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        user = h.user(ANNOUNCER)
        await h.text("/umumkan", user=user)
        await h.press_label("rapat", user=user)
        await h.press_label("Pratinjau", user=user)
        said = texts(await h.press_label("Minta persetujuan", user=user))[-1]
        request_id = int(said.split("Permintaan ")[1].split()[0])
        await h.text("/umumkan", user=user)             # a second draft of it, not yet sent
        await h.press_label("rapat", user=user)
        await h.press_label("Pratinjau", user=user)

        schedule.write_text(original)
        assert await reload_content(h.app)
        out = texts(await approve(h, request_id, SUPER))
        assert any("template rapat tidak ada lagi" in t for t in out), out
        request = await get_approval(db, request_id)
        assert request is not None and request.state == "rejected"
        assert await list_broadcasts(db) == []
        refused = texts(await h.press_label("Minta persetujuan", user=user))
        assert any("Template rapat tidak ada lagi" in t for t in refused), refused
        assert await list_broadcasts(db) == []
