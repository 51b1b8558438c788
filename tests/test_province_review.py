"""A province deployment's region handling under a hostile review: typed words taken for a
region, a region name swallowing a question (tests/fixtures/province)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content.registry import Content, load_content
from bot.storage.users import get_user
from tests.fakes.harness import Harness, offline_bot, texts
from tests.test_layers_review import add_layer_entry
from tests.test_province import BUKIT, CANDIDATES, KOTA, PROVINCE


@pytest.fixture
async def bot(tmp_path: Path, province: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, province) as harness:
        yield harness


async def test_a_question_naming_a_region_is_not_taken_for_the_awaited_reply(bot: Harness) -> None:
    user = bot.user(801)
    await bot.text(CANDIDATES, user=user)
    said = "\n".join(texts(await bot.text("jam buka tps bukit contoh?", user=user)))
    assert BUKIT not in said and "disimpan sebagai daerahmu" not in said, said
    assert "07.00" in said or "Jam buka" in said, said
    # The question still waits: the region alone, with a few words around it, answers it.
    said = "\n".join(texts(await bot.text("saya di bukit contoh kak", user=user)))
    assert "disimpan sebagai daerahmu" in said and BUKIT in said
    saved = await get_user(bot.app.services.db, 801)
    assert saved is not None and saved.region_code == "98.01"


async def test_an_everyday_abbreviation_names_its_region_only_as_a_place(bot: Harness) -> None:
    # "krn" is Kota Contoh Raya's other name in the fixture, and "karena" in chat (as "plg"
    # is Palembang and "paling" or "pulang"): said in passing it is not the region.
    user = bot.user(802)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    said = "\n".join(texts(await bot.text("siapa calon bupati krn aku lupa", user=user)))
    assert BUKIT in said and KOTA not in said, said
    said = "\n".join(texts(await bot.text("siapa calon wali kota di krn?", user=user)))
    assert KOTA in said and BUKIT not in said, said
    # Waited for, it still answers "where do you vote?"; in a question it does not.
    other = bot.user(803)
    await bot.text(CANDIDATES, user=other)
    assert "disimpan" not in "\n".join(texts(await bot.text("yg krn lupa", user=other)))
    assert KOTA in "\n".join(texts(await bot.text("krn", user=other)))


async def test_sources_list_the_askers_region_and_only_it(bot: Harness) -> None:
    user = bot.user(804)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    assert "Penetapan paslon Bukit Contoh" in "\n".join(texts(await bot.text("/sumber", user=user)))
    other = bot.user(805)
    await bot.text("/wilayah", user=other)
    await bot.press_label("Kota Contoh Raya", user=other)
    assert "Bukit Contoh" not in "\n".join(texts(await bot.text("/sumber", user=other)))


async def test_a_claim_is_not_settled_by_another_regions_layer(tmp_path: Path) -> None:
    root = tmp_path / "province"
    shutil.copytree(PROVINCE, root)
    add_layer_entry(root)
    faq = root / "layers" / "98.01" / "faq" / "kandidat.yaml"
    faq.write_text(faq.read_text().replace(
        "    sources: [bukit_paslon]\n    id:\n      title: Debat calon Bukit Contoh",
        "    sources: [bukit_paslon]\n    claims:\n      - claim:\n"
        "          id: Debat calon bupati digelar di stadion.\n"
        "          en: The regent debate is held in the stadium.\n        verdict: false\n"
        "    id:\n      title: Debat calon Bukit Contoh"))
    async with offline_bot(tmp_path, load_content(root)) as bot:
        claim = "benarkah debat calon bupati digelar di stadion?"
        bukit, kota = bot.user(806), bot.user(807)
        for user, label in ((bukit, "Bukit Contoh"), (kota, "Kota Contoh Raya")):
            await bot.text("/wilayah", user=user)
            await bot.press_label(label, user=user)
        assert "Tidak benar" in "\n".join(texts(await bot.text(claim, user=bukit)))
        said = "\n".join(texts(await bot.text(claim, user=kota)))
        assert "belum dimuat" in said and "Tidak benar" not in said, said


async def test_in_a_group_one_members_waiting_question_is_not_anothers(bot: Harness) -> None:
    group = {"id": -100808, "type": "supergroup", "title": "Warga Contoh"}
    asker, other = bot.user(808), bot.user(809)
    await bot.text("@suara_test_bot siapa calon bupati?", chat=group, user=asker)
    said = "\n".join(texts(await bot.text("@suara_test_bot kcr", chat=group, user=other)))
    assert "disimpan sebagai daerahmu" not in said, said
    saved = await get_user(bot.app.services.db, 809)
    assert saved is None or saved.region_code is None
    said = "\n".join(texts(await bot.text("@suara_test_bot kcr", chat=group, user=asker)))
    assert KOTA in said
