"""What a stored question may not keep: NIK, KK, phone and account numbers and e-mail addresses,
however they are written; and what it keeps: dates, times, years, sums, TPS numbers."""

from __future__ import annotations

import pytest

from bot.redaction import looks_like_nik, redact
from bot.storage.questions import list_unanswered
from tests.fakes.harness import Harness, texts

MASKED = [
    ("nik 1603/0123/4567/8901 hp 0812_3456_7890", "nik [angka] hp [angka]"),
    ("budi.santoso @ gmail.com", "[email]"),
    ("tulis ke budi.santoso@gmail.com ya", "tulis ke [email] ya"),
    ("kk 1603 0123 4567 8901", "kk [angka]"),
    ("nik 1603.0123.4567.8901", "nik [angka]"),
    ("nik 160301-234567-8901", "nik [angka]"),
    ("nik1603012345678901", "nik[angka]"),
    ("hp 0812-3456-7890", "hp [angka]"),
    ("hp 0812 3456 7890", "hp [angka]"),
    ("hp +62 812-3456-7890", "hp [angka]"),
    ("wa 62812.3456.7890", "wa [angka]"),
    ("kantor (0711) 123456", "kantor [angka]"),
    ("hp 0812 / 3456 / 789", "hp [angka]"),
    ("rekening 123-456-7890", "rekening [angka]"),
    ("nomor 123456789", "nomor [angka]"),
    # Separators people (and phones' keyboards) really use: runs of spaces, Unicode spaces,
    # any dash, commas; and a dotted number that is no round sum.
    ("nik 1603  0112  3456  0001", "nik [angka]"),
    ("hp 0812\u00a03456\u00a07890", "hp [angka]"),
    ("hp 0812\u202f3456\u20097890", "hp [angka]"),
    ("hp 0812 3456  7890", "hp [angka]"),
    ("hp 0812\u20143456\u20147890", "hp [angka]"),
    ("hp 0812\u2013 3456 \u2013 7890", "hp [angka]"),
    ("hp 0812,3456,7890", "hp [angka]"),
    ("nomor 123.456.789.012", "nomor [angka]"),
    ("nik 1603\t0112 / 3456_0001.", "nik [angka]."),
]

KEPT = [
    "tanggal 27/11/2024 jam 07.00-13.00",
    "dari 27/11/2024 - 28/11/2024",
    "coblos 2024-11-27 07.00 sampai 13.00",
    "TPS 003 desa sukamaju RT 003/RW 005",
    "pemilu 2019 2024 2029",
    "honor kpps Rp 1.500.000 dan anggaran 25.000.000.000",
    "pukul 07:00 wib",
    "kirim ke @suara_bot. makasih",
    "uang Rp 50.000 atau 50 ribu, Rp 50.000, 75.000 dan 100.000",
    "honor Rp 1.500.000,00 tanggal 27-11-2024 jam 07.00, 08.00",
    "nomor urut 1,\n2024 lalu",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_identifying_numbers_and_addresses_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_dates_times_years_sums_and_short_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_a_nik_is_recognised_however_it_is_separated() -> None:
    assert looks_like_nik("nik 1603/0123/4567/8901") and looks_like_nik("1603012345678901")
    assert not looks_like_nik("hp 0812_3456_7890") and not looks_like_nik("27/11/2024 - 28/11/2024")
    for nik in ("1603  0112  3456  0001", "1603\u00a00112\u00a03456\u00a00001", "1603—0112—3456—0001",
                "1603,0112,3456,0001", "nik 1603 0112 3456 0001 / 0812 3456 7890"):
        assert looks_like_nik(nik), nik


async def test_a_question_with_separated_numbers_is_stored_masked(harness: Harness) -> None:
    from bot.faq.cascade import AnswerCascade

    services = harness.app.services
    services.answers = AnswerCascade(services.matcher)   # keywords: the sky goes unanswered
    calls = await harness.text("kenapa langit biru? nik 1603/0123/4567/8901 hp 0812_3456_7890 "
                               "email budi.santoso @ gmail.com")
    assert "Jangan bagikan NIK" in texts(calls)[0]
    [stored] = await list_unanswered(harness.app.services.db)
    for secret in ("1603", "4567", "8901", "0812", "7890", "santoso", "gmail"):
        assert secret not in stored.text
    assert stored.text.count("[angka]") == 2 and "[email]" in stored.text


async def test_numbers_in_spaced_or_dashed_forms_are_stored_masked(harness: Harness) -> None:
    """What officials read in /pertanyaan and the export: no NIK or phone however written."""
    from bot.faq.cascade import AnswerCascade

    services = harness.app.services
    services.answers = AnswerCascade(services.matcher)
    calls = await harness.text("kenapa langit biru? nik 1603  0112  3456  0001 hp 0812\u00a03456\u00a07890 "
                               "wa 0812—3456—7890 atau 0812,3456,7890 no 123.456.789.012")
    assert "Jangan bagikan NIK" in texts(calls)[0]
    [stored] = await list_unanswered(services.db)
    assert stored.text == "kenapa langit biru? nik [angka] hp [angka] wa [angka] atau [angka] no [angka]"
