"""A requester withdraws their own request from a draft, through the real Application: /jadwal
lists it with a button ("1:P:<id>:w:<page>"); withdrawn, it is closed ('cancelled', decided by
the requester), audited, gone from the list, and the approvers' buttons say it was withdrawn.
Nobody else can withdraw it; a stale or forged press changes nothing."""

from __future__ import annotations

from pathlib import Path

from bot.callbacks import Callback
from bot.content.registry import Content
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.officials import get_approval, pending_for_broadcast, recent_audit
from tests.broadcasts.conftest import ScriptedSender
from tests.fakes.harness import buttons, offline_bot, texts
from tests.fakes.officials import approve
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock
from tests.officials.test_two_person_send import held_announcement

SECOND = 902


def settings() -> dict[str, str]:
    return {"ADMIN_IDS": str(SUPER), "APPROVAL_THRESHOLD": "1", "QUIET_HOURS": "",
            "DAILY_CAP": "0"}


async def test_a_requester_withdraws_a_pending_request(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        for uid in (ANNOUNCER, SECOND):
            await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text="Rapat warga <b>besok</b>")
        approver = h.last_message_with_keyboard(SUPER)
        listing = (await h.text("/jadwal", user=h.user(ANNOUNCER)))[-1]
        said = listing.params["text"]
        assert f"Permintaan {request_id}" in said and "menunggu persetujuan" in said, said
        assert "&lt;b&gt;besok" in said, said          # the official's words, escaped
        assert f"↩ Tarik permintaan {request_id}" in buttons(listing)
        # Only the requester's own: another announcer's /jadwal does not list it.
        other = (await h.text("/jadwal", user=h.user(SECOND)))[-1]
        assert f"Permintaan {request_id}" not in other.params["text"]
        # Another official's forged press changes nothing.
        data = Callback("P", f"{request_id}:w:0").encode()
        forged = await h.press(data, message=h.last_message_with_keyboard(SECOND),
                               user=h.user(SECOND))
        assert any("Hanya pemohon" in t for t in texts(forged)), texts(forged)
        assert (await get_approval(db, request_id)).state == "pending"  # type: ignore[union-attr]

        out = await h.press_label("Tarik permintaan", user=h.user(ANNOUNCER))
        assert any(f"Permintaan {request_id} ditarik" in t for t in texts(out)), texts(out)
        assert not any(f"Permintaan {request_id}" in c.params["text"] for c in out
                       if c.method == "editMessageText" and c.params["chat_id"] == ANNOUNCER)
        request = await get_approval(db, request_id)
        assert request is not None and (request.state, request.decided_by) == ("cancelled",
                                                                              ANNOUNCER)
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.withdraw"]
        assert entry.actor == f"tg:{ANNOUNCER}" and f"permintaan {request_id}" in entry.detail
        # The approver's message says so, without its buttons; pressed as a client still
        # showing them: withdrawn, nothing sent.
        assert "reply_markup" not in approver and "ditarik oleh pemohonnya" in approver["text"]
        told = texts(await h.press(Callback("P", f"{request_id}:y").encode(), message=approver,
                                   user=h.user(SUPER)))
        assert any(f"Permintaan {request_id} sudah ditarik pemohonnya" in t for t in told), told
        assert await list_broadcasts(db) == []
        # A second press of the old withdraw button: told, nothing changes.
        again = await h.press(data, message=h.last_message_with_keyboard(ANNOUNCER),
                              user=h.user(ANNOUNCER))
        assert any("sudah ditarik" in t for t in texts(again)), texts(again)
        assert [e.action for e in await recent_audit(db, 50)].count("broadcast.withdraw") == 1


async def test_an_approved_request_cannot_be_withdrawn(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text="Rapat warga")
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        listing = h.last_message_with_keyboard(ANNOUNCER)
        await approve(h, request_id, SUPER)
        data = Callback("P", f"{request_id}:w:0").encode()
        out = texts(await h.press(data, message=listing, user=h.user(ANNOUNCER)))
        assert any("sudah disetujui lebih dulu oleh super-admin" in t for t in out), out
        request = await get_approval(db, request_id)
        assert request is not None and request.state == "approved"
        assert len(await list_broadcasts(db)) == 1


async def test_a_held_broadcasts_request_is_cancelled_not_withdrawn(tmp_path: Path,
                                                                   content: Content) -> None:
    """A held broadcast's request closes by cancelling the broadcast (/jadwal's own button)."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        b = await held_announcement(h)
        request_id = await pending_for_broadcast(h.app.services.db, b.id)
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        out = texts(await h.press(Callback("P", f"{request_id}:w").encode(),
                                  message=h.last_message_with_keyboard(ANNOUNCER),
                                  user=h.user(ANNOUNCER)))
        assert any("Batalkan" in t for t in out), out
        assert await pending_for_broadcast(h.app.services.db, b.id) == request_id
