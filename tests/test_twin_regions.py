"""A kabupaten and a kota of one name (Bogor, Malang, Kediri, ... nationally), on the fixture
tests/fixtures/twin: the kind said picks one ("kota", "wali kota", "kab", "bupati"); a bare
name asks which, unless the asker's own region is one of them; a broadcast to one region's
subscribers renders with that region's view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.broadcasts.compose import Composer
from bot.callbacks import Callback
from bot.content.registry import Content, load_content
from bot.regions.directory import TpsDirectory
from bot.regions.loader import load_regions
from bot.regions.tree import RegionTree
from bot.storage.broadcasts import Broadcast, Recipient
from bot.storage.users import get_user
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import Harness, buttons, offline_bot, texts

TWIN = FIXTURE_CONTENT.parent / "twin"
KAB, KOTA = "95.01", "95.71"
REGENT, MAYOR = "Hadi Tanjung", "Joko Kota"


@pytest.fixture(scope="module")
def twin() -> Content:
    return load_content(TWIN)


@pytest.fixture(scope="module")
def tree(twin: Content) -> RegionTree:
    return load_regions(twin)


@pytest.mark.parametrize(("text", "codes"), [
    ("calon walikota tanjung kembar", (KOTA,)), ("kota tanjung kembar", (KOTA,)),
    ("kodya tanjung kembar kapan debat", (KOTA,)), ("cawalkot Tanjung Kembar", (KOTA,)),
    ("siapa wali kota di tanjung kembar", (KOTA,)), ("pilkada tanjung kembar kota", (KOTA,)),
    ("bupati tanjung kembar", (KAB,)), ("kab. tanjung kembar", (KAB,)),
    ("Kabupaten Tanjung Kembar", (KAB,)), ("tanjungkembar kab", (KAB,)),
    ("tanjung kembar", (KAB, KOTA)), ("pilkada di tanjung kembar kapan", (KAB, KOTA)),
    ("rawa kembar", ("95.02",)), ("kota rawa kembar", ("95.02",)),
])
def test_the_kind_said_picks_the_kabupaten_or_the_kota(tree: RegionTree, text: str,
                                                       codes: tuple[str, ...]) -> None:
    found = tree.regions_named(text)
    assert found is not None and found.codes == codes
    # One code is a decision; both are not one (callers that need one get none).
    assert tree.named_region(text) == (codes[0] if len(codes) == 1 else None)


@pytest.fixture
async def bot(tmp_path: Path, twin: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, twin) as harness:
        yield harness


async def settle(bot: Harness, user_id: int, region: str) -> None:
    """/wilayah, then the kabupaten/kota: saved as the citizen's."""
    await bot.text("/wilayah", user=bot.user(user_id))
    await bot.press_label(region, user=bot.user(user_id))


async def ask(bot: Harness, user_id: int, text: str) -> list[str]:
    return texts(await bot.text(text, user=bot.user(user_id)))


async def test_a_question_that_says_the_kind_is_answered_for_that_region(bot: Harness) -> None:
    mayor = "\n".join(await ask(bot, 501, "siapa calon walikota tanjung kembar?"))
    assert MAYOR in mayor and REGENT not in mayor
    regent = "\n".join(await ask(bot, 501, "siapa calon bupati kab tanjung kembar?"))
    assert REGENT in regent and MAYOR not in regent


async def test_a_bare_name_asks_which_and_keeps_the_askers_region(bot: Harness) -> None:
    await settle(bot, 502, "Rawa Kembar")     # a citizen of another region
    said = await bot.text("siapa pasangan calon di tanjung kembar?", user=bot.user(502))
    assert "Kabupaten Tanjung Kembar atau Kota Tanjung Kembar" in texts(said)[-1]
    assert REGENT not in texts(said)[-1] and MAYOR not in texts(said)[-1]
    assert buttons(said[-1]) == ["Kabupaten Tanjung Kembar", "Kota Tanjung Kembar"]
    answered = await bot.press_label("Kota Tanjung Kembar", user=bot.user(502))
    assert MAYOR in texts(answered)[-1] and REGENT not in texts(answered)[-1]
    saved = await get_user(bot.app.services.db, 502)
    assert saved is not None and saved.region_code == "95.02"


async def test_a_bare_name_is_the_askers_own_when_it_is_one_of_the_two(bot: Harness) -> None:
    await settle(bot, 503, "Kota Tanjung Kembar")
    said = "\n".join(await ask(bot, 503, "siapa pasangan calon di tanjung kembar?"))
    assert MAYOR in said and REGENT not in said


async def test_a_bare_name_typed_for_a_waiting_question_asks_which_then_saves(
        bot: Harness) -> None:
    asked = await ask(bot, 504, "siapa saja calon bupati?")
    assert "Kamu memilih di mana" in asked[-1]
    said = await bot.text("tanjung kembar", user=bot.user(504))
    assert buttons(said[-1]) == ["Kabupaten Tanjung Kembar", "Kota Tanjung Kembar"]
    answered = await bot.press_label("Kabupaten Tanjung Kembar", user=bot.user(504))
    assert REGENT in "\n".join(texts(answered))
    saved = await get_user(bot.app.services.db, 504)
    assert saved is not None and saved.region_code == KAB


async def test_a_forged_which_button_is_stale(bot: Harness) -> None:
    await bot.text("siapa pasangan calon di tanjung kembar?", user=bot.user(505))
    message = bot.last_message_with_keyboard(505)
    for forged in (Callback("w", "96.71:paslon_bupati"), Callback("w", f"{KOTA}:bukan_entri")):
        refused = await bot.press(forged.encode(), message=message, user=bot.user(505))
        assert "diperbarui" in texts(refused)[-1] and MAYOR not in "".join(texts(refused))


def _broadcast(region: str | None) -> Broadcast:
    return Broadcast(0, "", "", None, "hasil_daerah", "countdown", region, None, False, "",
                     "scheduled", None, False, None, None)


@pytest.mark.parametrize("region", [KOTA, "95.71.01", "95.71.01.1001"])
def test_a_broadcast_to_one_region_renders_with_its_view(twin: Content, tree: RegionTree,
                                                         region: str) -> None:
    composer = Composer(twin, tree, TpsDirectory())
    day = date(2029, 3, 25)     # the shared results day has come; the city's (27 March) not
    text = composer.text(_broadcast(region), Recipient(1, "id", "95.71.01.1001", 0, 0), day)
    assert "Pilwalkot Contoh 2029 Kota Tanjung Kembar" in text and "(walikota)" in text
    assert "belum diumumkan" in text and "KPU Kota Tanjung Kembar" in text
    regent = composer.text(_broadcast(KAB), Recipient(1, "en", None, 0, 0), day)
    assert "Kabupaten Tanjung Kembar (bupati)" in regent and "Results announced" in regent


def test_a_province_wide_broadcast_reads_the_shared_layer(twin: Content,
                                                          tree: RegionTree) -> None:
    composer = Composer(twin, tree, TpsDirectory())
    for region in (None, "95"):
        text = composer.text(_broadcast(region), Recipient(1, "id", "95.71", 0, 0),
                             date(2029, 3, 25))
        assert "Provinsi Contoh Kembar (gubernur)" in text and "sudah diumumkan" in text
        assert "Kota Tanjung Kembar" not in text
