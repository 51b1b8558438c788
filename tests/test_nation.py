"""One bot for several provinces (tests/fixtures/nation): each citizen reads the shared layer,
their province's layer and their region's layer (region > province > shared), through the real
Application in-process; `check` refuses a broken layer or combination with file, line and field."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content.registry import Content, load_content
from bot.regions.loader import load_regions
from bot.storage.users import get_user
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import Harness, buttons, offline_bot, texts
from tests.test_layers import problems

NATION = FIXTURE_CONTENT.parent / "nation"
GOVERNOR, REGENT = "siapa saja calon gubernur?", "siapa saja calon bupati?"
GOV_UTARA, GOV_SELATAN = "Gatot Utara", "Kiki Selatan"
GUNUNG, PANTAI, LEMBAH = "Andi Gunung", "Eka Pantai", "Gita Lembah"


@pytest.fixture(scope="module")
def nation() -> Content:
    return load_content(NATION)


@pytest.fixture
async def bot(tmp_path: Path, nation: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, nation) as harness:
        yield harness


async def ask(bot: Harness, user_id: int, text: str) -> str:
    return "\n".join(texts(await bot.text(text, user=bot.user(user_id))))


PROVINCE = {"Gunung Utara": "Contoh Utara", "Kota Pantai Utara": "Contoh Utara",
            "Lembah Selatan": "Contoh Selatan", "Danau Selatan": "Contoh Selatan"}


async def settle(bot: Harness, user_id: int, region: str) -> None:
    """/wilayah: the province, then the kabupaten/kota."""
    user = bot.user(user_id)
    await bot.text("/wilayah", user=user)
    await bot.press_label(PROVINCE[region], user=user)
    await bot.press_label(region, user=user)


async def test_each_province_gets_its_own_governor_race_and_each_region_its_own(
        bot: Harness) -> None:
    await settle(bot, 701, "Gunung Utara")
    await settle(bot, 702, "Lembah Selatan")
    utara, selatan = await ask(bot, 701, GOVERNOR), await ask(bot, 702, GOVERNOR)
    assert GOV_UTARA in utara and GOV_SELATAN not in utara
    assert GOV_SELATAN in selatan and GOV_UTARA not in selatan
    assert "KPU Provinsi Contoh Selatan" in selatan
    gunung, lembah = await ask(bot, 701, REGENT), await ask(bot, 702, REGENT)
    assert GUNUNG in gunung and LEMBAH not in gunung and PANTAI not in gunung
    assert LEMBAH in lembah and GUNUNG not in lembah
    saved = await get_user(bot.app.services.db, 702)
    assert saved is not None and saved.region_code == "97.01"


async def test_a_city_of_one_province_reads_its_province_race_and_its_mayor_race(
        bot: Harness) -> None:
    await settle(bot, 703, "Kota Pantai Utara")
    assert GOV_UTARA in await ask(bot, 703, GOVERNOR)
    mayor = await ask(bot, 703, "calon wali kota siapa saja?")
    assert PANTAI in mayor and GUNUNG not in mayor


async def test_a_region_without_a_layer_reads_its_province_layer(bot: Harness) -> None:
    await settle(bot, 704, "Danau Selatan")
    assert GOV_SELATAN in await ask(bot, 704, GOVERNOR)
    regent = await ask(bot, 704, REGENT)
    assert "belum dimuat" in regent and "KPU Kabupaten Danau Selatan" in regent
    assert LEMBAH not in regent
    # The province layer's answer over the shared one, the region layer's over both.
    assert "kantor camat" in await ask(bot, 704, "dimana lokasi tps saya?")
    await settle(bot, 705, "Lembah Selatan")
    own = await ask(bot, 705, "dimana lokasi tps saya?")
    assert "balai desa" in own and "kantor camat" not in own
    await settle(bot, 706, "Gunung Utara")
    shared = await ask(bot, 706, "dimana lokasi tps saya?")
    assert "surat pemberitahuan" in shared and "kantor camat" not in shared


async def test_the_region_is_asked_from_every_province_and_a_named_one_answered(
        bot: Harness) -> None:
    user = bot.user(707)
    asked = await bot.text(GOVERNOR, user=user)
    assert "Kamu memilih di mana" in texts(asked)[0]
    assert {"Contoh Utara", "Contoh Selatan"} <= set(buttons(asked[-1]))     # provinces first
    shown = await bot.press_label("Contoh Selatan", user=user)
    assert "Kamu memilih di mana" in texts(shown)[0]
    assert {"Kabupaten Lembah Selatan", "Kabupaten Danau Selatan"} <= set(buttons(shown[-1]))
    assert "Kabupaten Gunung Utara" not in buttons(shown[-1])
    picked = "\n".join(texts(await bot.press_label("Kabupaten Danau Selatan", user=user)))
    assert GOV_SELATAN in picked and GOV_UTARA not in picked
    named = await ask(bot, 707, "siapa calon bupati gunung utara?")
    assert GUNUNG in named and LEMBAH not in named


# ---- check ------------------------------------------------------------------------------


@pytest.fixture
def nation_copy(tmp_path: Path) -> Path:
    target = tmp_path / "nation"
    shutil.copytree(NATION, target)
    return target


def test_the_nation_loads_its_provinces_and_layers(nation_copy: Path) -> None:
    content = load_content(nation_copy)
    tree = load_regions(content)
    assert content.is_national and content.is_province
    assert sorted(content.province_layers) == ["96", "97"]
    assert sorted(tree.provinces) == ["96", "97"] and len(tree.kabupaten) == 4
    assert content.for_region("97.02").election.region.province == "Contoh Selatan"
    assert content.for_region("96.71").election.region.race == "walikota"
    assert "rekap_gubernur" in content.for_region("96.01").election.milestones
    assert "rekap_gubernur" not in content.for_region("97.01").election.milestones


def test_a_province_layer_that_breaks_a_regions_combination_is_refused(nation_copy: Path) -> None:
    faq = nation_copy / "layers" / "97" / "faq" / "gubernur.yaml"
    faq.write_text(faq.read_text().replace("ke {{ contacts.kpu_provinsi.name }}.",
                                           "ke {{ contacts.kpu_nowhere.name }}."))
    found = problems(nation_copy)
    assert any("layers/97/faq/gubernur.yaml" in p and "paslon_gubernur.id.answer" in p
               for p in found), found


def test_a_region_layer_citing_another_provinces_source_is_refused(nation_copy: Path) -> None:
    faq = nation_copy / "layers" / "97.01" / "faq" / "kandidat.yaml"
    faq.write_text(faq.read_text().replace("sources: [contoh_jadwal]", "sources: [utara_jadwal]",
                                           1))
    found = problems(nation_copy)
    assert any("97.01/faq/kandidat.yaml:4: paslon_bupati.sources" in p and "utara_jadwal" in p
               for p in found), found


def test_a_province_layer_outside_the_deployment_or_misnamed_is_refused(nation_copy: Path) -> None:
    region = nation_copy / "layers" / "96" / "region.yaml"
    region.write_text(region.read_text().replace("name: Contoh Utara", "name: Contoh Timur"))
    found = problems(nation_copy)
    assert any("layers/96/region.yaml" in p and "name" in p and "Contoh Utara" in p
               for p in found), found
    election = nation_copy / "election.yaml"
    election.write_text(election.read_text().replace('provinces: ["96", "97"]',
                                                     'provinces: ["97"]'))
    found = problems(nation_copy)
    assert any("layers/96/region.yaml" in p and "region.provinces" in p for p in found), found
    assert any("layers/96.01/region.yaml" in p and "region.provinces" in p for p in found), found


def test_province_layers_need_a_national_deployment(nation_copy: Path) -> None:
    province = FIXTURE_CONTENT.parent / "province"
    target = nation_copy.parent / "province"
    shutil.copytree(province, target)
    shutil.copytree(nation_copy / "layers" / "97", target / "layers" / "98")
    (target / "layers" / "98" / "region.yaml").write_text('code: "98"\nname: Contoh Raya\n')
    found = problems(target)
    assert any("election.yaml" in p and "region.level" in p and "nasional" in p
               for p in found), found
