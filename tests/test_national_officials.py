"""The officials' region lists at national size (tests/test_region_picker.py's copy of the
fixture nation: 30 provinces, one of 62 kabupaten/kota), through the real Application: an
announcement's audience and a role's region are picked province first, then a page of its
kabupaten/kota (then kecamatan or desa); no keyboard carries more than a page of regions.
Forged and stale province buttons change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, Callback
from bot.content.registry import Content, load_content
from tests.fakes.harness import buttons, offline_bot, texts
from tests.fakes.officials import SUPER, draft_id
from tests.test_region_picker import big_nation

MOST = 24 + 4       # a page of regions, the whole-region button and the page row
PROVINCIAL, PERSON = 961, 962


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load_content(big_nation(tmp_path_factory.mktemp("big") / "nation"))


def keyboard_size(calls: list[Any]) -> int:
    markup = calls[-1].params.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    rows = markup.get("inline_keyboard", [])
    for row in rows:
        for b in row:
            assert len(b["callback_data"].encode()) <= MAX_CALLBACK_BYTES
    return sum(len(row) for row in rows)


async def test_an_announcement_picks_the_province_then_a_page_of_its_kabupaten(
        tmp_path: Path, nation: Content) -> None:
    async with offline_bot(tmp_path, nation, ADMIN_IDS=str(SUPER)) as h:
        user = h.user(SUPER)
        await h.text("/umumkan", user=user)
        await h.text("Rapat KPU besok", user=user)
        first = await h.press_label("Wilayah", user=user)
        shown = buttons(first[-1])
        assert "Pilih provinsi" in first[-1].params["text"]
        assert "Provinsi Aceh Uji 60" in shown and "Kabupaten Alas 60" not in shown
        assert keyboard_size(first) <= MOST
        second = await h.press_label("Berikutnya", user=user)
        assert "(halaman 2/2)" in second[-1].params["text"]
        assert "Provinsi Contoh Selatan" in buttons(second[-1])
        selatan = await h.press_label("Provinsi Contoh Selatan", user=user)
        assert "(halaman 1/3)" in selatan[-1].params["text"], selatan[-1].params["text"]
        assert "✅ Seluruh Provinsi Contoh Selatan" in buttons(selatan[-1])
        assert not any("Utara" in b for b in buttons(selatan[-1]))
        assert keyboard_size(selatan) <= MOST
        later = await h.press_label("Berikutnya", user=user)
        assert "(halaman 2/3)" in later[-1].params["text"]
        later = await h.press_label("Berikutnya", user=user)
        assert "Kabupaten Lembah Selatan" in buttons(later[-1])
        await h.press_label("Kabupaten Lembah Selatan", user=user)
        options = await h.press_label("Seluruh Kabupaten Lembah Selatan", user=user)
        assert "Kabupaten Lembah Selatan" in options[-1].params["text"]
        assert h.app.bot_data["drafts"].last_seen(SUPER).region == "97.01"
        # The whole province is an audience too.
        await h.press_label("Wilayah", user=user)
        await h.press_label("Berikutnya", user=user)
        await h.press_label("Provinsi Contoh Selatan", user=user)
        await h.press_label("Seluruh Provinsi Contoh Selatan", user=user)
        assert h.app.bot_data["drafts"].last_seen(SUPER).region == "97"


async def test_forged_province_buttons_change_nothing(tmp_path: Path, nation: Content) -> None:
    async with offline_bot(tmp_path, nation, ADMIN_IDS=str(SUPER)) as h:
        await h.text(f"/petugas tambah {PROVINCIAL} pengumum 96", user=h.user(SUPER))
        user = h.user(PROVINCIAL)
        await h.text("/umumkan", user=user)
        await h.text("Rapat KPU besok", user=user)
        screen = await h.press_label("Wilayah", user=user)
        # A provincial official's list is their province's kabupaten/kota, as before.
        assert "Provinsi" not in " ".join(buttons(screen[-1])[1:])
        draft = draft_id(h, PROVINCIAL)
        message = h.last_message_with_keyboard(PROVINCIAL)
        for op in ("V97", "V97.1", "V99", "V98.0"):   # another province; none of the nation's
            out = await h.press(Callback("A", f"{draft}:{op}").encode(), message=message,
                                user=user)
            assert "kedaluwarsa" in texts(out)[-1], (op, texts(out))
            assert h.app.bot_data["drafts"].last_seen(PROVINCIAL).region == "96"
        for data in (f"1:A:{draft}:V9", f"1:A:{draft}:V960", f"1:A:{draft}:V96.", "1:X:1:a:96"):
            out = await h.press(data, message=message, user=user)   # malformed, or not theirs
            assert h.app.bot_data["drafts"].last_seen(PROVINCIAL).region == "96"


async def test_a_roles_region_is_picked_province_first(tmp_path: Path,
                                                       nation: Content) -> None:
    async with offline_bot(tmp_path, nation, ADMIN_IDS=str(SUPER)) as h:
        boss = h.user(SUPER)
        person = {"id": PERSON, "is_bot": False, "first_name": "KPU"}
        await h.text("/petugas", user=boss)
        await h.text("halo", user=boss,
                     forward_origin={"type": "user", "sender_user": person, "date": 1700000000})
        offered = await h.press_label("pengumum", user=boss)
        assert keyboard_size(offered) <= MOST, keyboard_size(offered)
        assert "Provinsi Contoh Selatan" not in buttons(offered[-1])   # on the second page
        more = await h.press_label("Berikutnya", user=boss)
        assert "Provinsi Contoh Selatan" in buttons(more[-1])
        opened = await h.press_label("Provinsi Contoh Selatan", user=boss)
        assert keyboard_size(opened) <= MOST
        assert "✅ Seluruh Provinsi Contoh Selatan" in buttons(opened[-1])
        for _ in range(2):
            opened = await h.press_label("Berikutnya", user=boss)
        message = h.last_message_with_keyboard(SUPER)
        given = await h.press_label("Kabupaten Lembah Selatan", user=boss)
        assert "pengumum (announcer) — Kabupaten Lembah Selatan" in texts(given)[-1]
        assert h.app.services.roles.scope(PERSON, "umumkan") == "97.01"
        # A forged page of a province the deployment does not have: nothing shown.
        refused = await h.press(f"1:X:{PERSON}:a:98.0", message=message, user=boss)
        assert not texts(refused, "editMessageText")

