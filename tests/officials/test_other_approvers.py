"""Once a request for a second official is settled, the OTHER approvers' request messages stop
showing live buttons, through the real Application: approved, rejected, withdrawn by its
requester, its held broadcast cancelled in /jadwal, or closed by the CLI (the leader's sweep).
Each says who decided (a Telegram id only to super-admins) and when. An edit Telegram refuses
(message gone, bot blocked) changes nothing else and logs no one's id."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.content.registry import Content
from bot.officials.closing import SWEEP_AFTER
from bot.officials.progress import keeper_of
from bot.shell.botapi import ApiError
from bot.storage.approvals import messages_of
from bot.storage.officials import control_broadcast, get_approval, pending_for_broadcast
from tests.broadcasts.conftest import ScriptedSender
from tests.fakes.harness import Harness, offline_bot, texts
from tests.fakes.officials import asked
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock
from tests.officials.test_two_person_send import held_announcement

SECOND, THIRD = 902, 903


def settings() -> dict[str, str]:
    return {"ADMIN_IDS": str(SUPER), "APPROVAL_THRESHOLD": "1", "QUIET_HOURS": "",
            "DAILY_CAP": "0"}


def request_messages(h: Harness, request_id: int) -> dict[int, int]:
    """Each approver's request message for `request_id` (sent with its buttons): its id."""
    data = f"1:P:{request_id}:y"
    return {cid: mid for (cid, mid), m in h.api.messages.items()
            if data in str(m.get("reply_markup", ""))}


def now_reads(h: Harness, sent: dict[int, int], chat: int) -> dict[str, object]:
    """`chat`'s request message as it is now."""
    return h.api.messages[(chat, sent[chat])]


async def three_approvers(h: Harness) -> int:
    """ANNOUNCER asks; SUPER, SECOND and THIRD are asked. The request's id."""
    await subscribe_through(h.app.services.db, [7001, 7002], clock(h).now())
    for uid in (ANNOUNCER, SECOND, THIRD):
        await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))
    request_id = await ask_approval(h, ANNOUNCER, text="Rapat warga")
    assert asked(h, request_id) == {SUPER, SECOND, THIRD}
    assert len(await messages_of(h.app.services.db, request_id)) == 3
    return request_id


async def test_an_approval_closes_the_other_approvers_messages(tmp_path: Path,
                                                               content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        decided = texts(await h.press(
                f"1:P:{request_id}:y", message=now_reads(h, sent, SECOND), user=h.user(SECOND)))
        assert any("disetujui: pengumuman #" in t for t in decided), decided
        assert asked(h, request_id) == set()          # no live button anywhere
        third = now_reads(h, sent, THIRD)
        assert "reply_markup" not in third
        assert f"Permintaan {request_id} sudah disetujui oleh petugas pada " in str(third["text"])
        boss = now_reads(h, sent, SUPER)   # a super-admin reads whose id
        assert f"sudah disetujui oleh tg:{SECOND} pada " in str(boss["text"]), boss
        # The decider's own message says what its press did, not the others' notice.
        mine = now_reads(h, sent, SECOND)
        assert "paling banyak" in str(mine["text"]) and "reply_markup" not in mine
        assert await messages_of(h.app.services.db, request_id) == []


async def test_a_rejection_and_a_withdrawal_close_them_too(tmp_path: Path,
                                                          content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        data = f"1:P:{request_id}:n"
        await h.press(data, message=now_reads(h, sent, THIRD), user=h.user(THIRD))
        assert asked(h, request_id) == set()
        assert "sudah ditolak oleh petugas pada" in str(now_reads(h, sent, SECOND)["text"])

        withdrawn = await ask_approval(h, ANNOUNCER, text="Rapat kedua")
        assert asked(h, withdrawn) == {SUPER, SECOND, THIRD}
        sent = request_messages(h, withdrawn)
        await h.text("/jadwal", user=h.user(ANNOUNCER))
        await h.press_label("Tarik permintaan", user=h.user(ANNOUNCER))
        assert asked(h, withdrawn) == set()
        for chat in (SUPER, SECOND, THIRD):
            said = str(now_reads(h, sent, chat)["text"])
            assert f"Permintaan {withdrawn} sudah ditarik oleh pemohonnya pada " in said, said


async def test_a_failed_edit_is_harmless_and_logs_no_one(
        tmp_path: Path, content: Content, caplog: pytest.LogCaptureFixture) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        gone = now_reads(h, sent, THIRD)       # deleted by its reader
        h.api.messages.pop((THIRD, int(gone["message_id"])))   # type: ignore[call-overload]
        edit = h.api._m_editMessageText

        def blocked(params: dict[str, object]) -> object:
            if int(str(params.get("chat_id"))) == SUPER:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return edit(params)

        h.api._m_editMessageText = blocked     # type: ignore[method-assign]
        with caplog.at_level(logging.DEBUG):
            decided = texts(await h.press(
                f"1:P:{request_id}:y", message=now_reads(h, sent, SECOND), user=h.user(SECOND)))
        assert any("disetujui: pengumuman #" in t for t in decided), decided
        request = await get_approval(h.app.services.db, request_id)
        assert request is not None and request.state == "approved"
        assert await messages_of(h.app.services.db, request_id) == []
        notes = [r.getMessage() for r in caplog.records if "request message not edited" in
                 r.getMessage()]
        assert len(notes) == 2, notes
        assert not any(str(uid) in n for n in notes for uid in (SUPER, SECOND, THIRD)), notes


async def test_an_edit_telegram_failed_for_a_while_is_tried_again_by_the_sweep(
        tmp_path: Path, content: Content) -> None:
    """A 5xx or a 429 is Telegram's, not the message's: the message is kept, and the leader's
    sweep edits it once Telegram answers again; a 403 (blocked) is not tried again."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        edit = h.api._m_editMessageText
        down = {SUPER: ApiError(502, "Bad Gateway"), THIRD: ApiError(403, "Forbidden: bot was blocked")}

        def failing(params: dict[str, object]) -> object:
            failure = down.get(int(str(params.get("chat_id"))))
            if failure is not None:
                raise failure
            return edit(params)

        h.api._m_editMessageText = failing     # type: ignore[method-assign]
        await h.press(f"1:P:{request_id}:y", message=now_reads(h, sent, SECOND), user=h.user(SECOND))
        db = h.app.services.db
        assert await messages_of(db, request_id) == [(SUPER, sent[SUPER])]
        clock(h).advance(SWEEP_AFTER)
        await keeper_of(h.app).tick()          # still down: kept again
        assert await messages_of(db, request_id) == [(SUPER, sent[SUPER])]
        assert "sudah disetujui" not in str(now_reads(h, sent, SUPER)["text"])
        down.pop(SUPER)
        await keeper_of(h.app).tick()
        assert await messages_of(db, request_id) == []
        assert "sudah disetujui oleh" in str(now_reads(h, sent, SUPER)["text"])
        assert "sudah disetujui" not in str(now_reads(h, sent, THIRD)["text"])


async def test_a_held_broadcast_cancelled_in_jadwal_closes_them(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await h.text(f"/petugas tambah {SECOND} pengumum", user=h.user(SUPER))
        b = await held_announcement(h)
        db = h.app.services.db
        request_id = await pending_for_broadcast(db, b.id)
        assert request_id is not None and asked(h, request_id) == {SUPER, SECOND}
        sent = request_messages(h, request_id)
        await h.text("/jadwal", user=h.user(SUPER))
        await h.press_label(f"Batalkan #{b.id}", user=h.user(SUPER))
        assert asked(h, request_id) == set()
        said = str(now_reads(h, sent, SECOND)["text"])
        assert f"pengumuman #{b.id} dibatalkan oleh petugas pada" in said, said



async def test_a_request_the_cli_closed_is_swept_by_the_leader(tmp_path: Path,
                                                                 content: Content) -> None:
    """The CLI closes a request without a bot: the leader's progress loop edits them."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await h.text(f"/petugas tambah {SECOND} pengumum", user=h.user(SUPER))
        b = await held_announcement(h)
        db = h.app.services.db
        request_id = await pending_for_broadcast(db, b.id)
        assert request_id is not None
        sent = request_messages(h, request_id)
        assert await control_broadcast(db, b.id, "cancel", "cli", None, clock(h).now())
        assert asked(h, request_id) == {SUPER, SECOND}
        await keeper_of(h.app).tick()       # not yet: a decider may still be closing them
        assert asked(h, request_id) == {SUPER, SECOND}
        clock(h).advance(SWEEP_AFTER)
        await keeper_of(h.app).tick()
        assert asked(h, request_id) == set()
        said = str(now_reads(h, sent, SUPER)["text"])
        assert f"pengumuman #{b.id} dibatalkan oleh cli pada" in said, said


async def test_approved_from_jadwal_the_deciders_own_request_message_says_you(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await h.text(f"/petugas tambah {SECOND} pengumum", user=h.user(SUPER))
        b = await held_announcement(h)
        request_id = await pending_for_broadcast(h.app.services.db, b.id)
        assert request_id is not None
        sent = request_messages(h, request_id)
        await h.text("/jadwal", user=h.user(SUPER))
        await h.press_label(f"Setujui #{b.id}", user=h.user(SUPER))
        assert asked(h, request_id) == set()
        assert "sudah disetujui oleh Anda pada" in str(now_reads(h, sent, SUPER)["text"])
        assert "sudah disetujui oleh petugas pada" in str(now_reads(h, sent, SECOND)["text"])


async def test_a_double_tap_on_approve_keeps_what_the_first_press_said(
        tmp_path: Path, content: Content) -> None:
    """The second press of the decider's own button (a double tap) is answered with a notice
    and leaves the first's answer, which names the announcement it made, on the message."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        mine = dict(now_reads(h, sent, SECOND))          # as the client still has it
        data = f"1:P:{request_id}:y"
        await h.press(data, message=mine, user=h.user(SECOND))
        second = await h.press(data, message=mine, user=h.user(SECOND))
        assert not [c for c in second if c.method == "editMessageText"], second
        assert any("sudah disetujui" in str(c.params.get("text")) for c in second), second
        assert "paling banyak" in str(now_reads(h, sent, SECOND)["text"])


async def test_the_leaders_sweep_during_a_decision_edits_no_message_twice(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the leader's progress tick (every 5 s while a broadcast sends) swept a request
    its decider was still closing: both edited every other approver's message, and the sweep
    also the decider's own, whose answer ("pengumuman #…, paling banyak …", a refusal's
    reason) it could overwrite with the others' notice."""
    from bot.officials import closing, decisions

    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        request_id = await three_approvers(h)
        sent = request_messages(h, request_id)
        do_request = h.request.do_request

        async def slow(url: str, *args: object, **kwargs: object) -> tuple[int, bytes]:
            if url.endswith("/editMessageText"):       # Telegram answers in tens of ms
                await asyncio.sleep(0.02)
            return await do_request(url, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(h.request, "do_request", slow)
        close = decisions.close_messages

        async def while_swept(*args: object, **kwargs: object) -> int:
            tick = asyncio.create_task(closing.sweep(h.app.bot, h.app.services))  # the leader
            try:
                return await close(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                await tick

        monkeypatch.setattr(decisions, "close_messages", while_swept)
        before = len(h.request.calls)
        await h.press(f"1:P:{request_id}:y", message=now_reads(h, sent, SECOND),
                      user=h.user(SECOND))
        edits = [(c.params["chat_id"], c.params["message_id"]) for c in h.request.calls[before:]
                 if c.method == "editMessageText"]
        assert sorted(edits) == sorted(set(edits)), edits
        assert {int(str(chat)) for chat, _ in edits} == {SUPER, SECOND, THIRD}
        assert "paling banyak" in str(now_reads(h, sent, SECOND)["text"])
        assert await messages_of(h.app.services.db, request_id) == []
