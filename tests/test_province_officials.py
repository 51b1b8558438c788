"""A role scoped to one province of a national deployment (tests/fixtures/nation): a KPU
Provinsi official announces to, counts and reads the questions of their province only, and
approves only audiences within it; forged out-of-scope buttons change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.callbacks import Callback
from bot.content.registry import Content, load_content
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import get_broadcast
from tests.broadcasts.conftest import eventually
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import buttons, offline_bot, texts
from tests.fakes.officials import SUPER, approve, asked, draft_id, regional_bot, request

NATION = FIXTURE_CONTENT.parent / "nation"
UTARA, UTARA_SECOND, SELATAN, GUNUNG, UTARA_VIEWER = 931, 932, 933, 934, 935
CITIZENS = {851: "96.01", 852: "96.71.01.1001", 853: "97.01", 854: "97.02.01.2001", 855: None,
            856: "96.01.01.2001"}
IN_UTARA = {851, 852, 856}
TEXT = "Rapat KPU Provinsi Contoh Utara besok"


@pytest.fixture(scope="module")
def nation() -> Content:
    return load_content(NATION)


async def test_a_provincial_official_reaches_counts_and_reads_only_their_province(
        tmp_path: Path, nation: Content) -> None:
    async with regional_bot(tmp_path, nation, CITIZENS) as (h, sender):
        db = h.app.services.db
        boss = h.user(SUPER)
        said = await h.text(f"/petugas tambah {UTARA} pengumum contoh utara", user=boss)
        assert "pengumum (announcer) untuk Provinsi Contoh Utara" in texts(said)[-1]
        said = await h.text(f"/petugas tambah {SELATAN} pengumum 97", user=boss)
        assert "untuk Provinsi Contoh Selatan" in texts(said)[-1]
        assert h.app.services.roles.scope(UTARA, "umumkan") == "96"

        user = h.user(UTARA)
        await h.text("/umumkan", user=user)
        options = await h.text(TEXT, user=user)
        assert "wilayah Provinsi Contoh Utara (96)" in options[-1].params["text"]
        places = buttons((await h.press_label("Wilayah", user=user))[-1])
        assert places[0] == "Seluruh Provinsi Contoh Utara"
        assert {"Kabupaten Gunung Utara", "Kota Pantai Utara"} <= set(places)
        assert not any("Selatan" in p for p in places)
        # A forged button naming the other province's regency changes nothing.
        lembah = next(i for i, k in enumerate(h.app.services.regions.kabupaten)
                      if k.code == "97.01")
        forged = Callback("A", f"{draft_id(h, UTARA)}:B{lembah}")
        first_screen = min((m for (cid, _), m in h.api.messages.items()
                            if cid == UTARA and m.get("reply_markup")),
                           key=lambda m: m["message_id"])
        refused = await h.press(forged.encode(), message=first_screen, user=user)
        assert "kedaluwarsa" in texts(refused)[-1]
        assert h.app.bot_data["drafts"].last_seen(UTARA).region == "96"
        await h.press_label("Seluruh Provinsi Contoh Utara", user=user)
        summary = await h.press_label("Pratinjau", user=user)
        assert "Penerima:</b> 3" in summary[-1].params["text"]
        await h.press_label("Kirim", user=user)
        [b] = await list_broadcasts(db)
        assert b.region == "96"
        assert h.app.services.engine is not None
        h.app.services.engine.poke()

        async def done() -> bool:
            found = await get_broadcast(db, b.id)
            return found is not None and found.state == "done"
        await eventually(done, what="sent")
        assert {p["chat_id"] for p in sender.payloads if p["text"] == TEXT} == IN_UTARA

        # A viewer of the province: its statistics and questions, by its regions.
        await h.text(f"/petugas tambah {UTARA_VIEWER} pemantau 96", user=boss)
        for uid, question in ((851, "qwerty zxcvb asdfgh"), (853, "lorem ipsum dolor sitamet")):
            await h.text("kapan hari pencoblosan?", user=h.user(uid))
            await h.text(question, user=h.user(uid))
        await h.app.services.stats.flush()
        viewer = h.user(UTARA_VIEWER)
        listed = (await h.text("/pertanyaan", user=viewer))[-1].params["text"]
        assert "di Provinsi Contoh Utara (1 pertanyaan" in listed and "qwerty" in listed
        assert "lorem" not in listed
        [photo] = [c for c in await h.text("/statistik", user=viewer) if c.method == "sendPhoto"]
        caption = photo.params["caption"]
        assert "Statistik Provinsi Contoh Utara" in caption
        assert "Pelanggan aktif: <b>3</b>" in caption and "Pertanyaan: 2 " in caption
        assert "Kabupaten Gunung Utara 2/2" in caption and "Kota Pantai Utara 1/0" in caption
        assert "Lembah" not in caption


async def test_a_province_is_given_by_its_button_and_forged_ones_are_refused(
        tmp_path: Path, nation: Content) -> None:
    async with offline_bot(tmp_path, nation, ADMIN_IDS=str(SUPER)) as h:
        boss = h.user(SUPER)
        person = {"id": UTARA, "is_bot": False, "first_name": "KPU Provinsi"}
        await h.text("/petugas", user=boss)
        await h.text("halo", user=boss,
                     forward_origin={"type": "user", "sender_user": person, "date": 1700000000})
        offered = await h.press_label("pengumum", user=boss)
        # The provinces first; each opens its kabupaten/kota, under one for all of it.
        assert {"Provinsi Contoh Utara", "Provinsi Contoh Selatan"} <= set(buttons(offered[-1]))
        assert "Kota Pantai Utara" not in buttons(offered[-1])
        opened = await h.press_label("Provinsi Contoh Utara", user=boss)
        assert {"✅ Seluruh Provinsi Contoh Utara", "Kota Pantai Utara"} <= set(buttons(opened[-1]))
        assert not any("Selatan" in b for b in buttons(opened[-1]))
        message = h.last_message_with_keyboard(SUPER)
        for forged in ("98", "96.0"):       # not a province of the deployment; not a code
            refused = await h.press(f"1:W:{UTARA}:a:{forged}", message=message, user=boss)
            assert h.app.services.roles.of(UTARA) == frozenset()
            assert refused
        given = await h.press(Callback("W", f"{UTARA}:a:96").encode(), message=message,
                              user=boss)
        assert "pengumum (announcer) — Provinsi Contoh Utara" in texts(given)[-1]
        refused = (await h.text(f"/petugas tambah {SELATAN} pengumum 98", user=boss))
        assert "Wilayah tidak dikenal" in texts(refused)[-1]


async def test_a_provincial_approver_covers_only_their_province(tmp_path: Path,
                                                               nation: Content) -> None:
    async with regional_bot(tmp_path, nation, CITIZENS, APPROVAL_THRESHOLD="1") as (h, _):
        boss = h.user(SUPER)
        for who, where in ((UTARA, "96"), (UTARA_SECOND, "96"), (SELATAN, "97"),
                           (GUNUNG, "96.01")):
            await h.text(f"/petugas tambah {who} pengumum {where}", user=boss)
        first = await request(h, UTARA)
        assert asked(h, first) == {SUPER, UTARA_SECOND}
        for outsider in (SELATAN, GUNUNG):      # another province; a regency within it
            await approve(h, first, outsider)
            assert asked(h, first) == {SUPER, UTARA_SECOND}
        regional = await request(h, GUNUNG)     # Gunung Utara: its province's approve it
        assert asked(h, regional) == {SUPER, UTARA, UTARA_SECOND}
