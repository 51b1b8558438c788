"""An official who loses the announcer role (or the region a request needs) can no longer
withdraw their waiting requests, and nobody could approve them: taking the role away closes
them, through the real Application. Each is withdrawn by the super-admin who took it
('cancelled', decided by them), audited, a held broadcast cancelled with it, the approvers'
messages closed, and the official told. Requests the official may still make stay."""

from __future__ import annotations

from pathlib import Path

from bot.content.registry import Content
from bot.storage.broadcasts import get_broadcast
from bot.storage.officials import get_approval, pending_for_broadcast, recent_audit
from tests.broadcasts.conftest import ScriptedSender
from tests.fakes.harness import Harness, offline_bot, texts
from tests.fakes.officials import SUPER, asked, regional_bot
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, clock
from tests.officials.test_two_person_send import held_announcement, previewed_for_one

SECOND = 902


def settings() -> dict[str, str]:
    return {"ADMIN_IDS": str(SUPER), "APPROVAL_THRESHOLD": "1", "QUIET_HOURS": "",
            "DAILY_CAP": "0"}


async def test_removing_the_role_withdraws_the_officials_waiting_requests(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        for uid in (ANNOUNCER, SECOND):
            await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))
        mine = await ask_approval(h, ANNOUNCER, text="Rapat warga")
        theirs = await ask_approval(h, SECOND, text="Rapat lain")
        assert asked(h, mine) == {SUPER, SECOND}

        said = texts(await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER)))
        assert any(f"Permintaannya yang menunggu ditarik: {mine}." in t for t in said), said
        request = await get_approval(db, mine)
        assert request is not None and (request.state, request.decided_by) == ("cancelled", SUPER)
        [entry] = [e for e in await recent_audit(db, 50) if e.action == "broadcast.withdraw"]
        assert entry.actor == f"tg:{SUPER}" and f"permintaan {mine} dari tg:{ANNOUNCER}" in \
            entry.detail, entry
        assert asked(h, mine) == set()        # nobody is left with live buttons
        told = [str(m.get("text")) for (cid, _), m in h.api.messages.items() if cid == ANNOUNCER]
        assert any(f"Permintaan {mine} Anda ditarik" in t for t in told), told
        # Another official's request is not theirs to lose.
        other = await get_approval(db, theirs)
        assert other is not None and other.state == "pending"
        # Nor may they decide another's any more: their copy of it loses its buttons.
        assert asked(h, theirs) == {SUPER}
        assert any(f"Permintaan {theirs}: peran atau wilayah Anda dicabut" in t for t in told)


async def test_a_held_broadcast_goes_with_the_role(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        db = h.app.services.db
        b = await held_announcement(h)
        request_id = await pending_for_broadcast(db, b.id)
        assert request_id is not None
        # By the role's own button (a forwarded message's role picker), pressed again.
        await h.press(f"1:O:{ANNOUNCER}:A", user=h.user(SUPER),
                      message={"message_id": 1, "chat": {"id": SUPER, "type": "private"},
                               "date": 0, "text": "x"})
        assert not h.app.services.roles.may(ANNOUNCER, "umumkan")
        held = await get_broadcast(db, b.id)
        assert held is not None and held.state == "cancelled"
        request = await get_approval(db, request_id)
        assert request is not None and request.state == "cancelled"
        assert asked(h, request_id) == set()


async def whole_kabupaten(h: Harness, name: str) -> int:
    """ANNOUNCER asks approval for an announcement to the whole of one kabupaten/kota."""
    user = h.user(ANNOUNCER)
    await h.text("/umumkan", user=user)
    await h.text(f"Rapat warga {name}", user=user)
    await h.press_label("Wilayah", user=user)
    await h.press_label(name, user=user)
    await h.press_label(f"Seluruh {name}", user=user)
    await h.press_label("Pratinjau", user=user)
    said = texts(await h.press_label("Minta persetujuan", user=user))[-1]
    return int(said.split("Permintaan ")[1].split()[0])


async def test_a_narrower_region_closes_only_the_requests_outside_it(
        tmp_path: Path, province: Content) -> None:
    citizens = {801: "98.01", 802: "98.01.01.2001", 803: "98.71", 804: "98.71.02.1001"}
    async with regional_bot(tmp_path, province, citizens, APPROVAL_THRESHOLD="1") as (h, _):
        db = h.app.services.db
        for uid in (ANNOUNCER, SECOND):
            await h.text(f"/petugas tambah {uid} pengumum", user=h.user(SUPER))
        bukit = await whole_kabupaten(h, "Kabupaten Bukit Contoh")
        kota = await whole_kabupaten(h, "Kota Contoh Raya")
        said = texts(await h.text(f"/petugas tambah {ANNOUNCER} pengumum 98.01",
                                  user=h.user(SUPER)))
        assert any(f"ditarik: {kota}." in t for t in said), said
        states = [(await get_approval(db, i)).state for i in (bukit, kota)]  # type: ignore[union-attr]
        assert states == ["pending", "cancelled"]


async def test_the_super_admin_is_told_of_their_announcements_still_to_go(
        tmp_path: Path, content: Content) -> None:
    """An announcement already confirmed (under the threshold, scheduled) stays the office's
    to cancel: removing the role names it, so the super-admin can (/jadwal)."""
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), **settings()) as h:
        await previewed_for_one(h)
        await h.press_label("Kirim", user=h.user(ANNOUNCER))
        said = texts(await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER)))
        assert any("masih terjadwal atau berjalan: #1 (batalkan di /jadwal" in t
                   for t in said), said
