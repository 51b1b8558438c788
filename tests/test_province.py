"""One bot for a province (tests/fixtures/province): answers for the asker's region, through
the real Application in-process."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content.registry import Content
from bot.storage.subscriptions import get_subscription
from bot.storage.users import get_user
from tests.conftest import FIXTURE_PROVINCE, database_env
from tests.fakes.harness import Harness, buttons, first, offline_bot, texts

PROVINCE = FIXTURE_PROVINCE
CANDIDATES = "siapa saja calon bupati?"
BUKIT, KOTA = "Andi Bukit", "Eka Kota"


@pytest.fixture
async def bot(tmp_path: Path, province: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, province) as harness:
        yield harness


async def settle(bot: Harness, user_id: int, region: str) -> None:
    """A citizen who picked their kabupaten/kota in /wilayah."""
    user = bot.user(user_id)
    await bot.text("/wilayah", user=user)
    await bot.press_label(region, user=user)


async def test_two_citizens_of_different_regions_get_their_own_pairs(bot: Harness) -> None:
    await settle(bot, 601, "Bukit Contoh")
    await settle(bot, 602, "Kota Contoh Raya")
    first = "\n".join(texts(await bot.text(CANDIDATES, user=bot.user(601))))
    second = "\n".join(texts(await bot.text(CANDIDATES, user=bot.user(602))))
    assert BUKIT in first and KOTA not in first
    assert KOTA in second and BUKIT not in second
    saved = await get_user(bot.app.services.db, 601)
    assert saved is not None and saved.region_code == "98.01"


async def test_unknown_region_is_asked_then_answered_from_the_list(bot: Harness) -> None:
    user = bot.user(603)
    asked = await bot.text(CANDIDATES, user=user)
    assert "Kamu memilih di mana" in texts(asked)[0]
    assert BUKIT not in "\n".join(texts(asked))
    assert {"Kabupaten Bukit Contoh", "Kota Contoh Raya", "Kabupaten Rawa Contoh"} <= \
        set(buttons(asked[-1]))
    picked = await bot.press_label("Kota Contoh Raya", user=user)
    assert KOTA in "\n".join(texts(picked))
    saved = await get_user(bot.app.services.db, 603)
    assert saved is not None and saved.region_code == "98.71"
    # Remembered: the next question is answered at once.
    again = await bot.text("calon wali kota siapa saja?", user=user)
    assert KOTA in "\n".join(texts(again))


async def test_region_typed_however_it_is_spelt_answers_the_waiting_question(bot: Harness) -> None:
    user = bot.user(604)
    await bot.text(CANDIDATES, user=user)
    typed = await bot.text("kab bukit cintoh", user=user)
    said = "\n".join(texts(typed))
    assert "disimpan sebagai daerahmu" in said and BUKIT in said
    user2 = bot.user(605)
    await bot.text(CANDIDATES, user=user2)
    assert KOTA in "\n".join(texts(await bot.text("kcr", user=user2)))   # another name, as data


async def test_a_named_covered_region_is_answered_for_it(bot: Harness) -> None:
    await settle(bot, 606, "Bukit Contoh")
    named = "\n".join(texts(await bot.text("siapa calon wali kota kota contoh raya?",
                                           user=bot.user(606))))
    assert KOTA in named and BUKIT not in named
    saved = await get_user(bot.app.services.db, 606)
    assert saved is not None and saved.region_code == "98.01"     # asking is not moving


async def test_a_region_without_a_layer_gets_the_honest_not_loaded_reply(bot: Harness) -> None:
    said = "\n".join(texts(await bot.text("siapa calon bupati rawa contoh?", user=bot.user(607))))
    assert "belum dimuat" in said and "KPU Kabupaten Rawa Contoh" in said
    assert BUKIT not in said and KOTA not in said


async def test_an_uncovered_place_is_declined(bot: Harness) -> None:
    said = "\n".join(texts(await bot.text("siapa calon bupati di jakarta?", user=bot.user(608))))
    assert "di luar yang saya tangani" in said


async def test_shared_answers_need_no_region_and_layers_override_them(bot: Harness) -> None:
    shared = "\n".join(texts(await bot.text("dimana lokasi tps saya?", user=bot.user(609))))
    assert "surat pemberitahuan" in shared and "Kamu memilih di mana" not in shared
    await settle(bot, 610, "Kota Contoh Raya")
    city = "\n".join(texts(await bot.text("dimana lokasi tps saya?", user=bot.user(610))))
    assert "kantor lurah" in city


async def test_wilayah_goes_kabupaten_then_kecamatan_then_desa(bot: Harness) -> None:
    user = bot.user(611)
    listed = await bot.text("/wilayah", user=user)
    assert "Kabupaten Rawa Contoh" in buttons(listed[-1])
    kecamatan = await bot.press_label("Rawa Contoh", user=user)
    assert "Rawa Hilir" in buttons(kecamatan[-1])
    desa = await bot.press_label("Rawa Hilir", user=user)
    assert "Pulau Kecil" in buttons(desa[-1])
    await bot.press_label("Pulau Kecil", user=user)
    saved = await get_user(bot.app.services.db, 611)
    assert saved is not None and saved.region_code == "98.02.01.2001"


async def test_deleting_my_data_forgets_my_region(bot: Harness) -> None:
    await settle(bot, 612, "Bukit Contoh")
    await bot.text("/hapusdata", user=bot.user(612))
    await bot.press_label("Ya", user=bot.user(612))
    assert await get_user(bot.app.services.db, 612) is None


async def test_subscribing_asks_the_region_first_then_subscribes(bot: Harness) -> None:
    user = bot.user(613)
    asked = await bot.text("/langganan", user=user)
    assert "Kamu memilih di mana" in texts(asked)[-1]
    assert {"Kabupaten Bukit Contoh", "Kota Contoh Raya"} <= set(buttons(asked[-1]))
    assert await get_subscription(bot.app.services.db, 613) is None     # not before the region
    done = await bot.press_label("Kota Contoh Raya", user=user)
    assert any("berlangganan" in t.lower() for t in texts(done)), texts(done)
    saved = await get_user(bot.app.services.db, 613)
    assert saved is not None and saved.region_code == "98.71"
    sub = await get_subscription(bot.app.services.db, 613)
    assert sub is not None and sub.active
    # A citizen whose region is known is subscribed at once, as before.
    await settle(bot, 614, "Bukit Contoh")
    at_once = await bot.text("/langganan", user=bot.user(614))
    assert "Kamu memilih di mana" not in "\n".join(texts(at_once))
    assert await get_subscription(bot.app.services.db, 614) is not None


@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
async def test_the_waiting_question_is_answered_by_another_process(
        tmp_path: Path, province: Content, database: str) -> None:
    """Asked on one process; the typed region reaches another (or the bot restarted)."""
    env = database_env(database)
    async with offline_bot(tmp_path / "a", province, **env) as first:
        asked = await first.text(CANDIDATES, user=first.user(620))
        assert "Kamu memilih di mana" in texts(asked)[0]
    async with offline_bot(tmp_path / "b", province, **env) as second:
        second.api._update_ids = itertools.count(1000)   # Telegram's ids go on across processes
        said = "\n".join(texts(await second.text("bukit contoh", user=second.user(620))))
        assert "disimpan sebagai daerahmu" in said and BUKIT in said
        # Answered once: the same words again are a question of their own, not the reply.
        again = "\n".join(texts(await second.text("bukit contoh", user=second.user(620))))
        assert "disimpan sebagai daerahmu" not in again


@pytest.mark.parametrize(("typed", "kabupaten", "kecamatan"), [
    ("rawa contoh", "98.02", "Rawa Hilir"),          # not the kelurahan Rawa Contoh in the city
    ("kota contoh raya", "98.71", "Ilir Kota"),
    ("kcr", "98.71", "Ulu Kota"),                     # its other name
    ("saya di bukit contoh", "98.01", "Sungai Jernih"),
])
async def test_a_typed_regency_name_picks_the_regency_before_its_namesakes(
        bot: Harness, typed: str, kabupaten: str, kecamatan: str) -> None:
    user = bot.user(620)
    await bot.text("/wilayah", user=user)
    calls = await bot.text(typed, user=user)
    said = "\n".join(texts(calls))
    assert "disimpan sebagai daerahmu" in said and "pilih kecamatanmu" in said
    assert kecamatan in buttons(calls[-1]) and "TPS di" not in said
    saved = await get_user(bot.app.services.db, 620)
    assert saved is not None and saved.region_code == kabupaten


async def test_same_named_places_all_reachable_the_citizens_region_first(bot: Harness) -> None:
    user = bot.user(621)
    await settle(bot, 621, "Kota Contoh Raya")
    calls = await bot.text("tps di tanjung sama", user=user)
    first_page = first(calls, "sendMessage")
    assert "Ada 7 tempat" in first_page.params["text"] and "halaman 1/2" in first_page.params["text"]
    shown = [b for b in buttons(first_page) if b.startswith("Desa")]
    assert len(shown) == 6 and all("Kota Contoh Raya" in b for b in shown[:2])
    assert not any("Kota Contoh Raya" in b for b in shown[2:])
    calls = await bot.press_label("Berikutnya", user=user)
    rest = [b for b in buttons(first(calls, "editMessageText")) if b.startswith("Desa")]
    assert len(rest) == 1 and len(set(shown + rest)) == 7
    assert "Kec. Rawa" in rest[0]           # each label names its kecamatan and kabupaten/kota


async def test_a_place_named_while_a_question_waits_saves_it_and_answers(bot: Harness) -> None:
    user = bot.user(630)
    await bot.text(CANDIDATES, user=user)
    calls = await bot.text("talang satu", user=user)           # one desa, in Bukit Contoh
    said = "\n".join(texts(calls))
    assert "disimpan sebagai daerahmu" in said and BUKIT in said and "TPS di" not in said
    saved = await get_user(bot.app.services.db, 630)
    assert saved is not None and saved.region_code == "98.01.01.2001" and saved.waiting_entry is None

    user = bot.user(631)
    await bot.text(CANDIDATES, user=user)
    calls = await bot.text("tanjung sama", user=user)           # in all three regions: which?
    assert "Ada 7 tempat" in texts(calls)[0]
    rows = calls[0].params["reply_markup"]["inline_keyboard"]
    assert all(row[0]["callback_data"].startswith("1:r:") for row in rows[:6])   # with the question
    await bot.press_label("Berikutnya", user=user)              # ... through the pages too
    picked = await bot.press_label("Ulu Kota", user=user)
    assert KOTA in "\n".join(texts(picked)) and BUKIT not in "\n".join(texts(picked))
    saved = await get_user(bot.app.services.db, 631)
    assert saved is not None and saved.region_code == "98.71.02.1002" and saved.waiting_entry is None


async def test_region_commands_read_their_argument_as_a_typed_name(bot: Harness) -> None:
    user = bot.user(640)
    calls = await bot.text("/wilayah kcr", user=user)
    assert "Ilir Kota" in buttons(calls[-1]) and "Kabupaten Bukit Contoh" not in buttons(calls[-1])
    calls = await bot.text("/tps talang satu", user=user)
    assert "Talang Satu, Kec. Sungai Jernih" in texts(calls)[0]
    calls = await bot.text("/tps sukamakmurjaya", user=user)
    assert "tidak menemukan" in texts(calls)[0] and "sukamakmurjaya" in texts(calls)[0]


async def test_the_list_button_says_which_list_it_opens(bot: Harness) -> None:
    user = bot.user(650)                                      # no region saved yet
    calls = await bot.text("tps di desa sukamakmurjaya", user=user)
    assert "🗺 Daftar kabupaten/kota" in buttons(calls[-1]) and "⬅️ Daftar kecamatan" not in buttons(calls[-1])
    calls = await bot.text("tanjung sama", user=user)
    assert "🗺 Daftar kabupaten/kota" in buttons(calls[-1])
    opened = await bot.press_label("Daftar kabupaten/kota", user=user)
    assert "Kabupaten Bukit Contoh" in buttons(first(opened, "editMessageText"))
    await settle(bot, 650, "Bukit Contoh")
    calls = await bot.text("tps di desa sukamakmurjaya", user=user)
    assert "⬅️ Daftar kecamatan" in buttons(calls[-1])
    opened = await bot.press_label("Daftar kecamatan", user=user)
    assert "Sungai Jernih" in buttons(first(opened, "editMessageText"))
