"""Finding a polling station through the real Application, in-process."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.regions.tps_import import parse_tps_csv
from bot.storage.tps import replace_all
from bot.storage.users import get_user
from tests.conftest import FIXTURE_TPS
from tests.fakes.harness import Harness, buttons, first, texts

SAMPLE = FIXTURE_TPS


async def load_tps(harness: Harness, *, sample: bool, text: str | None = None) -> None:
    services = harness.app.services
    data = text.encode() if text is not None else SAMPLE.read_bytes()
    result = parse_tps_csv(data, services.regions, services.content.election.region.bounds)
    assert result.ok, result.errors
    await replace_all(services.db, result.rows, "test.csv", sample, datetime.now(UTC))


async def test_before_import_no_tps_is_invented(harness: Harness) -> None:
    text = texts(await harness.text("tps di sungai rotan kelurahan sungai rotan"))[0]
    assert "belum tersedia" in text and "cekdpt.contoh.example" in text
    assert "TPS 1" not in text
    text = texts(await harness.location(-1.0, 110.5))[0]
    assert "belum tersedia" in text


async def test_picker_pages_and_saves_the_region(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    calls = await harness.text("/wilayah")
    sent = first(calls, "sendMessage")
    assert "halaman 1/2" in sent.params["text"] and "Air Hitam" in buttons(sent)
    assert "Sungai Rotan" not in buttons(sent)
    calls = await harness.press_label("Berikutnya")
    page2 = first(calls, "editMessageText")
    assert "halaman 2/2" in page2.params["text"] and "Sungai Rotan" in buttons(page2)
    calls = await harness.press_label("Sebelumnya")
    assert "halaman 1/2" in first(calls, "editMessageText").params["text"]
    calls = await harness.press_label("Bukit Sejuk Ilir")        # 13 desa: two pages
    desa = first(calls, "editMessageText")
    assert "Kecamatan <b>Bukit Sejuk Ilir</b>" in desa.params["text"] and "1/2" in desa.params["text"]
    calls = await harness.press_label("Berikutnya")
    assert "2/2" in first(calls, "editMessageText").params["text"]
    await harness.press_label("Daftar kecamatan")
    await harness.press_label("Berikutnya")
    calls = await harness.press_label("Sungai Rotan")
    desa = first(calls, "editMessageText")
    assert "Kecamatan <b>Sungai Rotan</b>" in desa.params["text"] and "Sungai Rotan" in buttons(desa)
    calls = await harness.press("1:v:99.01.01.1001")    # the desa, not "Pasar II Sungai Rotan"
    tps = first(calls, "editMessageText").params["text"]
    assert "DATA CONTOH" in tps and "TPS 1</b> — Balai Kelurahan Sungai Rotan" in tps
    assert "(desamu)" in tps and "C Pemberitahuan" in tps and "cekdpt.contoh.example" in tps
    user = await get_user(harness.app.services.db, 501)
    assert user is not None and user.region_code == "99.01.01.1001"
    # /wilayah now opens on the saved village, which can be changed.
    calls = await harness.text("/wilayah")
    assert "TPS di Sungai Rotan" in texts(calls)[0]
    assert "🔁 Ganti desa" in buttons(first(calls, "sendMessage"))


async def test_typed_place_one_many_none(harness: Harness) -> None:
    await load_tps(harness, sample=False)
    one = texts(await harness.text("tps di desa pagar batu kec bukit sejuk ulu"))[0]
    assert "TPS di Pagar Batu, Kec. Bukit Sejuk Ulu" in one and "DATA CONTOH" not in one
    calls = await harness.text("desa pagar batu")
    many = first(calls, "sendMessage")
    assert "Ada 3 tempat bernama <b>Pagar Batu</b>" in many.params["text"]
    assert {"Desa Pagar Batu (Kec. Sungai Rotan)", "Desa Pagar Batu (Kec. Tanjung Harapan)",
            "Desa Pagar Batu (Kec. Bukit Sejuk Ulu)"} <= set(buttons(many))
    calls = await harness.press_label("Kec. Tanjung Harapan")
    assert "tidak memuat TPS untuk Pagar Batu, Kec. Tanjung Harapan" in \
        first(calls, "editMessageText").params["text"]
    none = texts(await harness.text("tps di desa sukamakmurjaya"))[0]
    assert "tidak menemukan" in none and "sukamakmurjaya" in none
    kecamatan = texts(await harness.text("kecamatan bukit sejok ilir"))[0]
    assert "Kecamatan <b>Bukit Sejuk Ilir</b>" in kecamatan


async def test_save_button_from_a_search_result(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    calls = await harness.text("tps di desa pagar batu kec bukit sejuk ulu")
    assert "📌 Simpan sebagai desaku" in buttons(first(calls, "sendMessage"))
    calls = await harness.press_label("Simpan sebagai desaku")
    toast = first(calls, "answerCallbackQuery").params["text"]
    assert toast.startswith("📌 Pagar Batu, Kec. Bukit Sejuk Ulu disimpan")
    assert "(desamu)" in first(calls, "editMessageText").params["text"]
    user = await get_user(harness.app.services.db, 501)
    assert user is not None and user.region_code == "99.01.03.2001"
    await harness.text("/hapusdata")
    await harness.press_label("Ya, hapus")
    assert await get_user(harness.app.services.db, 501) is None


async def test_venue_is_sent_for_a_tps_with_coordinates(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    await harness.text("sungai rotan kelurahan sungai rotan")
    calls = await harness.press_label("Lokasi TPS 2")
    venue = first(calls, "sendVenue").params
    assert (venue["latitude"], venue["longitude"]) == (-1.004, 110.504)
    assert venue["title"] == "TPS 2 Sungai Rotan — DATA CONTOH, bukan TPS resmi"


async def test_nearest_venues_are_told_apart_and_say_they_are_sample(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    english = harness.user(503, lang="en")
    calls = await harness.location(-1.0005, 110.5005, user=english)
    labels = [b for b in buttons(first(calls, "sendMessage")) if "TPS" in b]
    assert labels == ["🗺 Location of TPS 1 Sungai Rotan", "🗺 Location of TPS 2 Sungai Rotan",
                      "🗺 Location of TPS 1 Pasar II Sungai Rotan"]
    calls = await harness.press_label("TPS 1 Pasar II", user=english)
    assert first(calls, "sendVenue").params["title"] == \
        "TPS 1 Pasar II Sungai Rotan — SAMPLE DATA, not an official TPS"
    await load_tps(harness, sample=False)
    await harness.location(-1.0005, 110.5005, user=english)
    calls = await harness.press_label("TPS 2", user=english)
    assert first(calls, "sendVenue").params["title"] == "TPS 2 Sungai Rotan"


@pytest.mark.parametrize(("lat", "lon", "expect"), [
    (-1.0005, 110.5005, "TPS terdekat dari lokasimu"),            # inside, next to TPS 1
    (-1.09, 110.50, "TPS terdekat dari lokasimu"),                 # ~9 km away, within 15 km
    # Inside the bounds but 31 km from every listed TPS: not "outside", the list is short.
    (-1.30, 110.80, "belum memuat TPS di dekat lokasimu"),
    (-6.2, 106.8, "di luar Kabupaten Lembah Contoh"),              # Jakarta
])
async def test_location_inside_border_and_far(harness: Harness, lat: float, lon: float,
                                              expect: str) -> None:
    await load_tps(harness, sample=True)
    text = texts(await harness.location(lat, lon))[0]
    assert expect in text and "DATA CONTOH" in text
    assert "cekdpt.contoh.example" in text


async def test_far_from_every_tps_inside_the_bounds_is_not_called_outside(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    text = texts(await harness.location(-0.5, 111.0))[0]       # in the box, ~70 km off the list
    assert "di luar" not in text and "DATA CONTOH" in text
    assert "baru mencakup sebagian wilayah Kabupaten Lembah Contoh" in text
    assert "cekdpt.contoh.example" in text and "tanyakan ke KPU" in text
    english = texts(await harness.location(-0.5, 111.0, user=harness.user(502, lang="en")))[0]
    assert "SAMPLE DATA" in english and "outside" not in english and "no polling station near" in english


async def test_nearest_answer_lists_distances_in_order(harness: Harness) -> None:
    await load_tps(harness, sample=False)
    text = texts(await harness.location(-1.0005, 110.5005))[0]
    positions = [text.index(f) for f in ("TPS 1 Sungai Rotan</b> (Kec. Sungai Rotan) — 0,1 km",
                                         "TPS 2 Sungai Rotan</b> (Kec. Sungai Rotan) — 0,6 km",
                                         "TPS 1 Pasar II Sungai Rotan</b> (Kec. Sungai Rotan) — 1,5 km")]
    assert positions == sorted(positions)
    assert "DATA CONTOH" not in text


async def test_share_location_button_asks_with_a_reply_keyboard(harness: Harness) -> None:
    await harness.text("/wilayah")
    calls = await harness.press_label("Kirim lokasi saya")
    sent = first(calls, "sendMessage").params
    assert sent["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert "tidak disimpan" in sent["text"]


async def test_import_while_running_is_picked_up(harness: Harness) -> None:
    await load_tps(harness, sample=True)
    assert "DATA CONTOH" in texts(await harness.text("sungai rotan kelurahan sungai rotan"))[0]
    await load_tps(harness, sample=False, text="kode_wilayah,tps,alamat\n99.01.01.1001,9,Baru\n")
    text = texts(await harness.text("sungai rotan kelurahan sungai rotan"))[0]
    assert "TPS 9</b> — Baru" in text and "DATA CONTOH" not in text


async def test_stale_region_buttons_refresh(harness: Harness) -> None:
    await harness.text("/wilayah")
    for data in ("1:c:99.99.99:0", "1:v:99.01.01", "1:p:99:1", "1:k:abc"):
        calls = await harness.press(data)
        assert "Menu ini sudah diperbarui" in first(calls, "editMessageText").params["text"], data


async def test_main_menu_offers_the_tps_finder(harness: Harness) -> None:
    calls = await harness.text("/menu")
    assert buttons(first(calls, "sendMessage"))[0] == "📍 Cari TPS & desaku"


async def test_a_long_name_not_found_is_said_back_shortened(harness: Harness) -> None:
    calls = await harness.text("/wilayah " + "a" * 4000)
    said = texts(calls)
    assert said and all(len(t) <= 4096 for t in said) and "…" in said[-1]


@pytest.mark.parametrize(("typed", "expected"), [
    ("kecamatan sungai rotan", "Kecamatan <b>Sungai Rotan</b>"),   # its desa, to pick one
    ("kec. sungai rotan", "Kecamatan <b>Sungai Rotan</b>"),
    ("kecamatan tanjung harapan", "Kecamatan <b>Tanjung Harapan</b>"),
    ("kelurahan sungai rotan", "TPS")])                            # the one desa's TPS
async def test_the_kind_said_picks_the_kecamatan_or_the_desa_of_one_name(
        harness: Harness, typed: str, expected: str) -> None:
    """A kecamatan and a desa of one name: "kecamatan X" is the kecamatan (its desa listed),
    "kelurahan X" the desa, not both offered."""
    sent = first(await harness.text(typed), "sendMessage")
    assert expected in sent.params["text"] and "Ada 2 tempat" not in sent.params["text"], \
        sent.params["text"]
