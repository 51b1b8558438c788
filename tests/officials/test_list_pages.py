"""/umumkan's lists and /jadwal come in pages, as the region pickers and the campaign list do:
a national deployment's 30 provinces and 92 kabupaten/kota (the province first), a kecamatan
of 60 desa (on the big nation of tests/test_region_picker.py) and a long /jadwal never make a
keyboard Telegram refuses (about 100 buttons); every item is on one page, one picked from a
later page is the draft's audience, and a page past the end or a forged list button is
answered gracefully."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, decode
from bot.content.registry import Content, load_content
from bot.storage.broadcasts import create_broadcast
from tests.fakes.harness import Harness, buttons, offline_bot, texts
from tests.test_region_picker import big_nation

SUPER = 900
DESAS = 60                      # in Hulu Uji 01 (97.11.01), of Kabupaten Air Uji 01
NEXT, PREV = "Berikutnya", "Sebelumnya"
MOST = 30                       # buttons on one keyboard: a page of 24 and a few more


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Content:
    folder = big_nation(tmp_path_factory.mktemp("pages") / "nation")
    csv = folder / "regions" / "wilayah_nusantara.csv"
    csv.write_text(csv.read_text() + "".join(
        f"97.11.01.{2000 + n},Desa Uji {n:02d},desa_kelurahan,97.11.01\n"
        for n in range(1, DESAS + 1)))
    return load_content(folder)


@pytest.fixture
async def bot(tmp_path: Path, nation: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, nation, ADMIN_IDS=str(SUPER)) as harness:
        yield harness


def screen(calls: list[Any]) -> Any:
    """The one screen edited in place, its keyboard within the limits."""
    [edit] = [c for c in calls if c.method == "editMessageText"]
    markup = edit.params["reply_markup"]["inline_keyboard"]
    assert sum(len(row) for row in markup) <= MOST, buttons(edit)
    for row in markup:
        for button in row:
            data = button["callback_data"]
            assert len(data.encode()) <= MAX_CALLBACK_BYTES and decode(data), data
    return edit


async def every_page(h: Harness, first: Any, prefix: str | tuple[str, ...]) -> list[str]:
    """The labels starting with `prefix` on `first` and each following page, in order."""
    seen, page = [], first
    while True:
        seen += [label for label in buttons(page) if label.startswith(prefix)]
        if not any(NEXT in label for label in buttons(page)):
            return seen
        page = screen(await h.press_label(NEXT, user=h.user(SUPER)))


async def test_the_audience_lists_come_in_pages(bot: Harness) -> None:
    u = bot.user(SUPER)
    await bot.text("/umumkan", user=u)
    await bot.text("Rapat <b>warga</b>", user=u)
    first = screen(await bot.press_label("Wilayah", user=u))
    assert "Pilih provinsi" in first.params["text"] and "halaman 1/2" in first.params["text"]
    provinces = await every_page(bot, first, "Provinsi ")
    assert len(provinces) == len(set(provinces)) == 30
    draft = decode(first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert draft is not None
    # Every kabupaten/kota on one page of its province's list.
    kabupaten: list[str] = []
    for name in provinces:
        page = screen(await bot.press(f"1:A:{draft.text}:k0", user=u))
        while name not in buttons(page):
            page = screen(await bot.press_label(NEXT, user=u))
        opened = screen(await bot.press_label(name, user=u))
        kabupaten += await every_page(bot, opened, ("Kabupaten ", "Kota "))
    assert len(kabupaten) == len(set(kabupaten)) == len(bot.app.services.regions.kabupaten)
    # Kabupaten Air Uji 01 (on some page), then its kecamatan, then a desa on the third page.
    page = screen(await bot.press(f"1:A:{draft.text}:V97", user=u))
    assert "halaman 1/3" in page.params["text"]
    page = screen(await bot.press_label(NEXT, user=u))
    back = screen(await bot.press_label(PREV, user=u))
    assert "halaman 1/3" in back.params["text"]
    page = back
    while "Kabupaten Air Uji 01" not in buttons(page):
        page = screen(await bot.press_label(NEXT, user=u))
    screen(await bot.press_label("Kabupaten Air Uji 01", user=u))
    desas = screen(await bot.press_label("Hulu Uji 01", user=u))
    assert "halaman 1/3" in desas.params["text"]
    named = await every_page(bot, desas, "Desa Uji")
    assert named == [f"Desa Uji {n:02d}" for n in range(1, DESAS + 1)]
    options = screen(await bot.press_label("Desa Uji 55", user=u))
    assert "(97.11.01.2055)" in options.params["text"]


async def test_pages_past_the_end_and_forged_list_buttons(bot: Harness) -> None:
    u = bot.user(SUPER)
    await bot.text("/umumkan", user=u)
    await bot.text("Rapat warga", user=u)
    first = screen(await bot.press_label("Wilayah", user=u))
    draft = decode(first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    assert draft is not None
    last = screen(await bot.press(f"1:A:{draft.text}:k9999", user=u))      # the last page
    assert "halaman 2/2" in last.params["text"], last.params["text"]
    last = screen(await bot.press(f"1:A:{draft.text}:V97.9999", user=u))   # of a province
    assert "halaman 3/3" in last.params["text"], last.params["text"]
    said = texts(await bot.press(f"1:A:{draft.text}:B9999.1", user=u))  # no such kabupaten
    assert any("kedaluwarsa" in t for t in said), said


async def test_jadwal_comes_in_pages(bot: Harness) -> None:
    db, now = bot.app.services.db, bot.app.services.clock.now()
    for n in range(45):
        await create_broadcast(db, created_by="cli", topic="announcements", text=f"Pesan {n}",
                               not_before=now + timedelta(days=1), now=now)
    shown = [c for c in await bot.text("/jadwal", user=bot.user(SUPER))
             if c.method == "sendMessage"][-1]
    assert len(buttons(shown)) <= MOST and "halaman 1/" in shown.params["text"]
    seen = [t.split(" · ")[0] for t in shown.params["text"].splitlines() if t.startswith("#")]
    while NEXT in str(buttons(shown)):
        shown = screen(await bot.press_label(NEXT, user=bot.user(SUPER)))
        seen += [t.split(" · ")[0] for t in shown.params["text"].splitlines() if t.startswith("#")]
    assert sorted(seen) == sorted(f"#{n}" for n in range(1, 46)), seen
    # An action on a later page shows that page again.
    paused = screen(await bot.press_label("Jeda #41", user=bot.user(SUPER)))
    assert "halaman 5/5" in paused.params["text"] and "#41 · dijeda" in paused.params["text"]
    # A page past the end (an old or forged button) shows the last one.
    last = screen(await bot.press("1:j:9999", user=bot.user(SUPER)))
    assert "halaman 5/5" in last.params["text"]
