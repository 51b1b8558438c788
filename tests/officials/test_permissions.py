"""Every admin command against every role, in private and in groups: allowed, or exactly the
answer an unknown command gets (nothing reveals that admin commands exist)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.content.registry import Content
from bot.officials.roles import ADMIN_COMMANDS, COMMAND_ROLES
from bot.shell.botapi import Call
from bot.storage.officials import recent_audit
from tests.fakes.harness import Harness, offline_bot, texts

SUPER, ANNOUNCER, MANAGER, VIEWER, CITIZEN = 900, 901, 902, 903, 904
ROLE_OF = {ANNOUNCER: "announcer", MANAGER: "campaign_manager", VIEWER: "viewer"}


def seen(calls: list[Call]) -> list[tuple[str, Any, Any]]:
    """What the user is shown: methods, texts and keyboards (message ids aside)."""
    return [(c.method, c.params.get("text"), c.params.get("reply_markup")) for c in calls
            if c.method not in ("getMe",)]


async def grant_roles(h: Harness) -> None:
    admin = h.user(SUPER)
    for uid, role in ROLE_OF.items():
        calls = await h.text(f"/petugas tambah {uid} {role}", user=admin)
        assert any("sekarang" in (c.params.get("text") or "") for c in calls), seen(calls)


def allowed(uid: int, command: str) -> bool:
    return uid == SUPER or ROLE_OF.get(uid) in COMMAND_ROLES[command]


@pytest.mark.parametrize("uid", [SUPER, ANNOUNCER, MANAGER, VIEWER, CITIZEN])
async def test_each_role_against_each_command_in_private(tmp_path: Path, content: Content,
                                                         uid: int) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await grant_roles(h)
        user = h.user(uid)
        unknown = seen(await h.text("/perintahngawur", user=user))
        for command, names in ADMIN_COMMANDS.items():
            for name in names:
                got = seen(await h.text(f"/{name}", user=user))
                if allowed(uid, command):
                    assert got and got != unknown, (uid, name, got)
                else:
                    assert got == unknown, (uid, name, got)


async def test_in_a_group_admin_commands_are_unknown_even_to_a_super_admin(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        group = {"id": -100123, "type": "supergroup", "title": "Relawan"}
        admin = h.user(SUPER)
        unknown = seen(await h.text("/perintahngawur@suara_test_bot", user=admin, chat=group))
        for names in ADMIN_COMMANDS.values():
            got = seen(await h.text(f"/{names[0]}@suara_test_bot", user=admin, chat=group))
            assert got == unknown


async def test_a_role_just_removed_stops_working_at_once(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await grant_roles(h)
        announcer = h.user(ANNOUNCER)
        unknown = seen(await h.text("/perintahngawur", user=announcer))
        started = await h.text("/umumkan", user=announcer)
        assert "Pengumuman baru" in started[-1].params["text"]
        draft = h.last_message_with_keyboard(ANNOUNCER)
        await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER))
        assert seen(await h.text("/umumkan", user=announcer)) == unknown
        # The draft's buttons, pressed after the role went, get the stale-button answer.
        cancel = draft["reply_markup"]["inline_keyboard"][-1][-1]["callback_data"]
        pressed = await h.press(cancel, message=draft, user=announcer)
        assert not any("dibatalkan" in (c.params.get("text") or "") for c in pressed)
        assert any(c.method == "answerCallbackQuery" for c in pressed)
        # Typing text no longer feeds a draft: it is a citizen's question again.
        answered = await h.text("kapan hari pencoblosan?", user=announcer)
        assert not any("Belum bisa dipakai" in (c.params.get("text") or "") for c in answered)


async def test_officials_get_their_own_command_menu_and_citizens_never_see_it(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        menus = [c for c in h.request.calls if c.method == "setMyCommands"]
        default = [c for c in menus if "chat_id" not in str(c.params.get("scope"))]
        assert default and all("umumkan" not in str(c.params["commands"]) for c in default)
        mine = [c for c in menus if str(SUPER) in str(c.params.get("scope"))]
        assert mine and "umumkan" in str(mine[-1].params["commands"])
        await h.text(f"/petugas tambah {VIEWER} pemantau", user=h.user(SUPER))
        viewer_menu = [c for c in h.request.calls if c.method == "setMyCommands"
                       and str(VIEWER) in str(c.params.get("scope"))][-1]
        assert "statistik" in str(viewer_menu.params["commands"])
        assert "umumkan" not in str(viewer_menu.params["commands"])
        await h.text(f"/petugas hapus {VIEWER}", user=h.user(SUPER))
        assert any(c.method == "deleteMyCommands" and str(VIEWER) in str(c.params.get("scope"))
                   for c in h.request.calls)


async def test_role_changes_are_audited_and_the_audit_exports_as_csv(
        tmp_path: Path, content: Content) -> None:
    import csv
    import io

    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await grant_roles(h)
        await h.text(f"/petugas hapus {VIEWER} pemantau", user=h.user(SUPER))
        shown = await h.text("/audit", user=h.user(SUPER))
        assert "role.revoke" in shown[-1].params["text"]
        exported = await h.text("/audit csv", user=h.user(SUPER))
        [doc] = [c for c in exported if c.method == "sendDocument"]
        name, data = doc.params["_files"]["document"]
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        assert name == "audit.csv"
        assert [r["action"] for r in rows] == ["role.grant"] * 3 + ["role.revoke"]
        assert all(r["actor"] == f"tg:{SUPER}" for r in rows)


async def test_a_super_admin_adds_an_official_by_forwarding_their_message(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        person = {"id": 777, "is_bot": False, "first_name": "Dewi"}
        origin = {"type": "user", "sender_user": person, "date": 1700000000}
        # Outside the /petugas flow a forward is a claim to check, from a super-admin too.
        outside = await h.text("jam berapa tps buka?", user=h.user(SUPER), forward_origin=origin)
        assert "Beri peran" not in str([c.params for c in outside])
        await h.text("/petugas", user=h.user(SUPER))
        offered = await h.text("halo, ini pesan saya", user=h.user(SUPER), forward_origin=origin)
        assert "Dewi" in offered[-1].params["text"]
        await h.press_label("pengumum", user=h.user(SUPER))
        assert h.app.services.roles.of(777) == {"announcer"}
        started = await h.text("/umumkan", user=h.user(777, first_name="Dewi"))
        assert "Pengumuman baru" in started[-1].params["text"]
        # A citizen forwarding a message gets no such offer: it is just a question.
        citizen = await h.text("halo, ini pesan saya", user=h.user(CITIZEN), forward_origin=origin)
        assert "Beri peran" not in str([c.params for c in citizen])
        hidden = {"type": "hidden_user", "sender_user_name": "Anon", "date": 1700000000}
        refused = await h.text("x", user=h.user(SUPER), forward_origin=hidden)
        assert "menyembunyikan" in refused[-1].params["text"]
        # Five minutes after /petugas the flow is over.
        clock = h.app.services.clock
        clock.set(clock.now() + timedelta(minutes=6))  # type: ignore[attr-defined]
        later = await h.text("halo, ini pesan saya", user=h.user(SUPER), forward_origin=origin)
        assert "Beri peran" not in str([c.params for c in later])


async def test_a_double_tap_on_a_role_button_does_not_undo_it(tmp_path: Path,
                                                               content: Content) -> None:
    """The role picker's button pressed twice (a double tap, the second before the message
    lost its buttons) gives the role once; a holder's button takes it away, once."""
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        person = {"id": 777, "is_bot": False, "first_name": "Dewi"}
        origin = {"type": "user", "sender_user": person, "date": 1700000000}
        boss = h.user(SUPER)
        for held in (frozenset(), frozenset({"announcer"})):
            await h.text("/petugas", user=boss)
            await h.text("halo", user=boss, forward_origin=origin)
            offer = h.last_message_with_keyboard(SUPER)
            [data] = [b["callback_data"] for row in offer["reply_markup"]["inline_keyboard"]
                      for b in row if "pengumum" in b["text"]]
            first = await h.press(data, message=offer, user=boss)
            again = await h.press(data, message=offer, user=boss)
            now = frozenset({"announcer"}) - held
            assert h.app.services.roles.of(777) == now, (texts(first), texts(again))
            assert any("Sudah" in t for t in texts(again)), texts(again)
        rows = [e.action for e in await recent_audit(h.app.services.db, 20)
                if e.action.startswith("role.")]
        assert rows == ["role.revoke", "role.grant"], rows
