"""The region picker at national size (a copy of tests/fixtures/nation with 30 provinces and a
province of 62 kabupaten/kota, invented), through the real Application in-process: every
keyboard the bot sends has at most a page of region buttons; the province, then its
kabupaten/kota page by page, then the waiting question answered; /langganan and /wilayah the
same way; forged pages, provinces and entries get the stale-button reply."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import decode
from bot.content.registry import Content, load_content
from bot.keyboards import REGION_PAGE
from bot.storage.subscriptions import get_subscription
from bot.storage.users import get_user
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import Harness, offline_bot, texts

NATION = FIXTURE_CONTENT.parent / "nation"
EXTRA_PROVINCES = [str(c) for c in range(60, 88)]         # 28 more: 30 provinces, two pages
EXTRA_KABUPATEN = 60                                      # 97 gets 62: three pages
GOVERNOR, GOV_SELATAN, GOV_UTARA = "siapa saja calon gubernur?", "Kiki Selatan", "Gatot Utara"
NEXT = "Berikutnya"
MOST = 24            # region buttons on a keyboard: Telegram refuses ~100; a page stays well under


def big_nation(target: Path) -> Path:
    """Invented rows sorting before the fixture's own names, so these are on later pages."""
    shutil.copytree(NATION, target)
    rows = []
    for code in EXTRA_PROVINCES:
        rows += [f"{code},Aceh Uji {code},provinsi,", f"{code}.01,Kabupaten Alas {code},"
                 f"kabupaten_kota,{code}", f"{code}.01.01,Lembang {code},kecamatan,{code}.01"]
    for n in range(1, EXTRA_KABUPATEN + 1):
        code = f"97.{10 + n:02d}"
        rows += [f"{code},Kabupaten Air Uji {n:02d},kabupaten_kota,97",
                 f"{code}.01,Hulu Uji {n:02d},kecamatan,{code}"]
    csv = target / "regions" / "wilayah_nusantara.csv"
    csv.write_text(csv.read_text() + "\n".join(rows) + "\n")
    election = target / "election.yaml"
    listed = ", ".join(f'"{c}"' for c in ["96", "97", *EXTRA_PROVINCES])
    election.write_text(election.read_text().replace('provinces: ["96", "97"]',
                                                     f"provinces: [{listed}]"))
    return target


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load_content(big_nation(tmp_path_factory.mktemp("big") / "nation"))


@pytest.fixture
async def bot(tmp_path: Path, nation: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, nation) as harness:
        yield harness


def keyboard(call: Any) -> list[tuple[str, str]]:
    """(label, callback data) of a call's or a message's inline keyboard."""
    markup = (call if isinstance(call, dict) else call.params).get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def region_buttons(call: Any) -> list[str]:
    """The buttons that pick a province or a kabupaten/kota (not the page and back buttons)."""
    picks = []
    for label, data in keyboard(call):
        cb = decode(data)
        if cb is not None and (cb.kind in ("r", "R", "g") or (cb.kind == "B" and cb.number == 0
                                                              and "◀" not in label)):
            picks.append(label)
    return picks


def checked(calls: list[Any]) -> list[Any]:
    """No keyboard sent or edited has more than a page of region buttons."""
    for call in calls:
        assert len(region_buttons(call)) <= MOST, (call.method, keyboard(call))
        assert len(keyboard(call)) <= MOST + 4
    return calls


async def pick(bot: Harness, user: dict[str, Any], label: str, pages: int = 5) -> list[Any]:
    """Press `label`, turning pages forward until it is shown."""
    for _ in range(pages):
        message = bot.last_message_with_keyboard(user["id"])
        if any(label == t for t, _ in keyboard(message)):
            return checked(await bot.press_label(label, user=user))
        checked(await bot.press_label(NEXT, user=user))
    raise AssertionError(f"{label!r} not on any page")


async def test_a_waiting_question_is_answered_after_the_province_and_a_later_page(
        bot: Harness) -> None:
    user = bot.user(801)
    asked = checked(await bot.text(GOVERNOR, user=user))
    assert "Kamu memilih di mana" in texts(asked)[0]
    first = region_buttons(asked[-1])
    assert len(first) == REGION_PAGE and "Contoh Selatan" not in first      # on page 2
    shown = await pick(bot, user, "Contoh Selatan")
    kabupaten = region_buttons(shown[-1])
    assert len(kabupaten) == REGION_PAGE and all(k.startswith("Kabupaten Air Uji") for k in kabupaten)
    seen = set(kabupaten)
    for _ in range(2):
        seen |= set(region_buttons(checked(await bot.press_label(NEXT, user=user))[-1]))
    assert len(seen) == EXTRA_KABUPATEN + 2         # every kabupaten/kota of 97, once
    answered = "\n".join(texts(await bot.press_label("Kabupaten Danau Selatan", user=user)))
    assert GOV_SELATAN in answered and GOV_UTARA not in answered
    saved = await get_user(bot.app.services.db, 801)
    assert saved is not None and saved.region_code == "97.02"


async def test_subscribing_asks_the_province_then_the_region(bot: Harness) -> None:
    user = bot.user(802)
    checked(await bot.text("/langganan", user=user))
    await pick(bot, user, "Contoh Utara")
    done = await pick(bot, user, "Kota Pantai Utara")
    assert any("berlangganan" in t for t in texts(done))
    saved = await get_user(bot.app.services.db, 802)
    assert saved is not None and saved.region_code == "96.71"
    assert await get_subscription(bot.app.services.db, 802) is not None


async def test_wilayah_pages_a_provinces_regions_and_goes_back_to_its_page(bot: Harness) -> None:
    user = bot.user(803)
    start = checked(await bot.text("/wilayah", user=user))
    assert "provinsi" in texts(start)[0].lower()
    await pick(bot, user, "Contoh Selatan")
    kecamatan = await pick(bot, user, "Kabupaten Lembah Selatan", pages=8)
    assert "Sawah Hulu" in [t for t, _ in keyboard(kecamatan[-1])]
    # picked, so saved: its list button is "change" now, back to the page that shows it
    back = checked(await bot.press_label("Ganti kabupaten/kota", user=user))
    assert "Kabupaten Lembah Selatan" in region_buttons(back[-1])
    provinces = checked(await bot.press_label("Daftar provinsi", user=user))
    assert "Aceh Uji 60" in region_buttons(provinces[-1])


@pytest.mark.parametrize("forged", [
    "1:B:95:0:-",                      # not a province of the deployment
    "1:B:98:0:paslon_gubernur",
    "1:B:97:3:paslon_gubernur",        # a page after the last (62 regions: pages 0-2)
    "1:B:97:9999:+",
    "1:I:2:-",                         # 30 provinces: pages 0-1
    "1:I:0:no_such_entry",             # an entry the content does not have
    "1:B:97:0:no_such_entry",
])
async def test_forged_pages_provinces_and_entries_get_the_stale_reply(bot: Harness,
                                                                      forged: str) -> None:
    user = bot.user(804)
    await bot.text("/wilayah", user=user)
    replied = await bot.press(forged, user=user)
    stale = bot.app.services.content.message("stale_button", "id")
    assert stale in texts(replied), texts(replied)
    assert "answerCallbackQuery" in [c.method for c in replied]


async def test_the_same_buttons_are_acted_on_when_in_range(bot: Harness) -> None:
    user = bot.user(805)
    await bot.text("/wilayah", user=user)
    stale = bot.app.services.content.message("stale_button", "id")
    for data in ("1:B:97:2:paslon_gubernur", "1:B:97:6:-", "1:I:1:-", "1:I:1:+"):
        assert stale not in texts(checked(await bot.press(data, user=user))), data
