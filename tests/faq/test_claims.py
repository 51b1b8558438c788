"""Forwarded messages and "is this true?" questions are claims to check (issue 18)."""

from __future__ import annotations

import pytest

from bot.content.registry import Content
from bot.content.schema import Claim, Entry
from bot.faq.claims import (
    asks_if_true,
    contradicted,
    kinds_of_numbers,
    numbers,
    read_message,
    readings,
    settled,
)
from bot.faq.matcher import Match, Matcher
from bot.faq.normalize import Normalizer
from tests.fakes.harness import Harness, texts

ORIGIN = {"type": "user", "sender_user": {"id": 555, "is_bot": False, "first_name": "Tetangga"},
          "date": 1700000000}


def test_asking_whether_something_is_true_is_recognised() -> None:
    for text in ("tps tutup jam 12, bener gak?", "itu hoaks ya?", "Is this true?", "benarkah itu"):
        assert asks_if_true(text), text
    for text in ("kapan tps buka", "siapa yang benar-benar boleh memilih", "where do I vote"):
        assert not asks_if_true(text), text


def test_a_listed_claim_is_found_only_when_the_message_says_it(content: Content) -> None:
    entry = content.entries["jam_tps"].entry
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "Info penting: TPS di Lembah Contoh tutup jam 12 siang!", normalizer) is False
    # Another hour is another claim: no verdict on it.
    assert settled(entry, "TPS di Lembah Contoh tutup jam 1 siang!", normalizer) is None
    assert settled(entry, "TPS buka jam berapa?", normalizer) is None
    english = settled(entry, "Heads up: polling stations in Lembah Contoh close at noon", normalizer)
    assert english is not None


async def test_a_forwarded_false_claim_is_answered_not_true_then_the_facts(harness: Harness) -> None:
    calls = await harness.text("TPS di Lembah Contoh tutup jam 12 siang, sebarkan!",
                               forward_origin=ORIGIN)
    reply = texts(calls)[0]
    assert reply.startswith("🔎 <b>Tidak benar</b> bahwa “TPS di Lembah Contoh tutup jam 12 siang.”")
    assert "<b>Faktanya:</b>" in reply and "<b>Jam buka TPS</b>" in reply


async def test_a_long_forward_is_read_whole_while_a_long_typed_message_is_too_long(
        harness: Harness) -> None:
    # Chains to check run long; a question typed to the bot is asked to be short.
    forward = ("Assalamualaikum bapak ibu warga sekalian, mohon dibaca sampai habis karena ini penting "
               "untuk kita semua menjelang hari pencoblosan yang tinggal beberapa hari lagi. Tadi pagi "
               "ada pengumuman di balai desa yang disampaikan oleh pak kadus kepada warga yang hadir, "
               "dan banyak yang belum sempat datang ke sana karena sedang bekerja di kebun. Katanya "
               "tahun ini aturannya berubah dan berbeda dengan pemilihan yang sebelumnya, jadi jangan "
               "sampai kita terlambat datang lalu kehilangan hak suara kita. TPS di Lembah Contoh "
               "tutup jam 12 siang! Jadi usahakan datang pagi-pagi sekali bersama keluarga, jangan "
               "menunggu siang. Sebarkan ke grup keluarga dan tetangga ya!")
    assert len(forward) > 600
    reply = texts(await harness.text(forward, forward_origin=ORIGIN))[0]
    assert reply.startswith("🔎 <b>Tidak benar</b>") and "<b>Jam buka TPS</b>" in reply
    # Pasted without the chain's own markers, it reads as typed to the bot.
    typed = texts(await harness.text(forward.rsplit(" Sebarkan", 1)[0]))[0]
    assert "terlalu panjang" in typed or "too long" in typed


async def test_a_question_asking_if_true_gets_the_facts_without_a_verdict(harness: Harness) -> None:
    reply = texts(await harness.text("katanya tps buka jam 7 pagi, bener gak?"))[0]
    assert reply.startswith("🔎 <b>Faktanya:</b>") and "Tidak benar" not in reply
    assert "<b>Jam buka TPS</b>" in reply


async def test_a_claim_nothing_answers_is_not_confirmed_and_points_to_checks(harness: Harness) -> None:
    reply = texts(await harness.text("Besok ada bagi-bagi sembako gratis di lapangan bola!",
                                     forward_origin=ORIGIN))[0]
    assert "belum bisa memastikan" in reply and "cekfakta.com" in reply.lower()


async def test_among_choices_the_entry_listing_the_stated_claim_settles_it(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    async def unsure(text: str) -> Match:   # the model torn between two entries
        return Match("suggest", ("hari_pemungutan", "jam_tps", "hasil"), 0.4)

    monkeypatch.setattr(harness.app.services.answers, "match", unsure)
    reply = texts(await harness.text("TPS di Lembah Contoh tutup jam 12 siang, sebarkan!",
                                     forward_origin=ORIGIN))[0]
    assert reply.startswith("🔎 <b>Tidak benar</b>") and "<b>Jam buka TPS</b>" in reply
    # No entry among the choices lists what the message states: not confirmed.
    reply = texts(await harness.text("Besok TPS dijaga tentara bersenjata lengkap!",
                                     forward_origin=ORIGIN))[0]
    assert "belum bisa memastikan" in reply


async def test_a_header_marks_a_forward_too(harness: Harness) -> None:
    reply = texts(await harness.text("[Diteruskan]\nTPS di Lembah Contoh tutup jam 12 siang!!"))[0]
    assert reply.startswith("🔎 <b>Tidak benar</b>")


def verdict(entry: Entry, text: str, normalizer: Normalizer) -> bool | None:
    """The verdict of the claim `text` settles, or None when it settles none."""
    found = settled(entry, text, normalizer)
    return None if found is None else found.verdict


def _with_claims(content: Content, *claims: tuple[str, str, bool]) -> Entry:
    """The fixture's jam_tps entry listing these claims (id wording, en wording, verdict)."""
    listed = [Claim.model_validate({"claim": {"id": cid, "en": en}, "verdict": verdict})
              for cid, en, verdict in claims]
    return content.entries["jam_tps"].entry.model_copy(update={"claims": listed})


def test_an_entrys_claims_are_read_once_per_version_never_for_another(content: Content) -> None:
    normalizer = Matcher(content).normalizer
    noon = _with_claims(content, ("TPS di Lembah Contoh tutup jam 12 siang.",
                                  "Polling stations in Lembah Contoh close at noon.", False))
    eleven = _with_claims(content, ("TPS di Lembah Contoh tutup jam 11 siang.",
                                    "Polling stations in Lembah Contoh close at 11 am.", False))
    assert noon.model_dump()["claims"] != eleven.model_dump()["claims"]
    message = read_message("Awas, TPS di Lembah Contoh tutup jam 12 siang!", normalizer)
    assert settled(noon, message, normalizer) is not None
    assert readings(noon, normalizer) is readings(noon, normalizer)      # read once, then kept
    # The same entry (same id, same normalizer) as another content version has it: read anew.
    assert settled(eleven, message, normalizer) is None
    assert contradicted(eleven, message, normalizer) is None
    assert settled(eleven, "Awas, TPS di Lembah Contoh tutup jam 11 siang!", normalizer) is not None
    assert readings(eleven, normalizer).wordings[0].figures == {"11"}
    # A new content version's matcher has its own normalizer, its own readings.
    assert readings(noon, Matcher(content).normalizer) is not readings(noon, normalizer)


def test_numbers_are_compared_by_value_however_written() -> None:
    assert numbers("TPS buka 07.00-13.00 WIB") == {"7", "13"}
    assert numbers("tutup jam 13") == numbers("tutup pukul 13:00") == numbers("tutup 13.00") == {"13"}
    assert numbers("jam 13.30") == {"13.30"}                 # another time: not 13
    assert numbers("dicetak 474.812 lembar") == numbers("474,812 ballots") == {"474812"}
    assert numbers("dua surat suara") == numbers("2 surat suara") == {"2"}
    assert numbers("tanggal dua puluh tujuh") == {"27"} and numbers("dua belas") == {"12"}
    assert numbers("denda Rp200 juta") == {"200"}
    # A digit inside a code or an address is part of a word.
    assert numbers("tanpa undangan C6") == set() and numbers("pilkada2024.kpu.go.id") == set()


def test_a_claim_is_said_whichever_way_its_numbers_are_written(content: Content) -> None:
    entry = _with_claims(content, ("TPS buka pukul 07.00 dan tutup pukul 13.00.",
                                   "Polling stations open at 07.00 and close at 13.00.", True),
                         ("Pemilih mendapat dua surat suara di TPS.",
                          "Voters get two ballots at the TPS.", True))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "TPS buka jam 7 pagi dan tutup jam 13 siang", normalizer) is True
    assert settled(entry, "pemilih dapat 2 surat suara di TPS", normalizer) is not None
    # Numbers that differ are another claim, whatever the words.
    assert settled(entry, "TPS buka jam 7 pagi dan tutup jam 12 siang", normalizer) is None
    assert settled(entry, "TPS buka pukul 07.00 dan tutup pukul 13.30", normalizer) is None
    assert settled(entry, "pemilih dapat 3 surat suara di TPS", normalizer) is None
    assert settled(entry, "pemilih dapat tiga surat suara di TPS", normalizer) is None


def test_a_code_is_not_a_number_the_message_must_repeat(content: Content) -> None:
    entry = _with_claims(content, ("Tanpa undangan C6 kamu tidak bisa mencoblos.",
                                   "Without the C6 letter you cannot vote.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "Tanpa surat undangan kamu tidak bisa nyoblos", normalizer) is False


def test_the_question_tag_is_not_part_of_the_claim(content: Content) -> None:
    # "bener gak?" reads as "benar tidak": its "tidak" must not count as the claim's.
    entry = _with_claims(content, ("Warga tidak bisa mencoblos tanpa undangan.",
                                   "Residents cannot vote without the letter.", False))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "Warga bisa nyoblos, bener gak?", normalizer) is None
    assert settled(entry, "Warga gak bisa nyoblos tanpa undangan, bener gak?",
                   normalizer) is not None


def test_a_misspelt_or_spoken_word_of_the_claim_counts(content: Content) -> None:
    entry = _with_claims(content, ("Surat suara dicoblos pakai paku dari petugas.",
                                   "The ballot is punched with the officers' nail.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "srat suaranya dicoblosin pke paku dr petugas", normalizer) is not None


def test_a_claims_numbers_count_among_its_words(content: Content) -> None:
    entry = _with_claims(content, ("Masa tenang pilkada berlangsung 24 sampai 26 November.",
                                   "The quiet period runs from 24 to 26 November.", True))
    normalizer = Matcher(content).normalizer
    # Half the words and both numbers: said. The same words with other numbers: not.
    assert settled(entry, "masa tenang 24-26 November", normalizer) is not None
    assert settled(entry, "masa tenang 23-26 November", normalizer) is None
    assert settled(entry, "masa tenang pilkada", normalizer) is None


def test_words_that_say_the_same_in_a_claim_count(content: Content) -> None:
    entry = _with_claims(content, ("Umur minimal untuk bisa memilih di pilkada adalah 21 tahun.",
                                   "The minimum voting age is 21.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "yang boleh nyoblos cuma umur 21 tahun", normalizer) is False


def test_a_true_claim_is_not_confirmed_to_a_message_that_denies_it(content: Content) -> None:
    entry = _with_claims(content, ("Warga boleh menyaksikan penghitungan suara di TPS.",
                                   "Residents may watch the count at the TPS.", True),
                         ("Hasil pilgub tidak digugat ke MK.",
                          "Nobody took the governor result to the court.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "warga boleh menyaksikan penghitungan suara di tps", normalizer)
    assert settled(entry, "warga dilarang menyaksikan penghitungan suara di tps", normalizer) is None
    assert settled(entry, "warga tidak boleh menyaksikan penghitungan suara di tps",
                   normalizer) is None
    assert settled(entry, "hasil pilgub tidak digugat ke MK, bener gak?", normalizer)
    assert settled(entry, "hasil pilgub digugat ke MK, bener gak?", normalizer) is None


def test_a_false_claim_is_found_in_a_chain_message_that_also_denies_something(
        content: Content) -> None:
    entry = _with_claims(content, ("TPS hanya buka sampai jam 12 siang.",
                                   "Polling stations are open only until noon.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "PENTING!! TPS cuma buka sampai jam 12 siang, yang telat gak bisa "
                           "nyoblos. Sebarkan!", normalizer) is False


def test_a_claim_is_not_found_where_the_message_denies_what_it_says(content: Content) -> None:
    entry = _with_claims(content, ("Pemilih boleh membawa HP ke dalam bilik suara.",
                                   "Voters may take a phone into the booth.", False),
                         ("Tanpa surat undangan kamu tidak bisa mencoblos.",
                          "Without the letter you cannot vote.", False))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "Pemilih boleh bawa HP ke bilik suara, santai aja", normalizer)
    # The message says the opposite: true, so no "Tidak benar" on it.
    assert settled(entry, "Dilarang membawa HP ke bilik suara, bener gak?", normalizer) is None
    assert settled(entry, "Pemilih tidak boleh bawa HP ke bilik suara", normalizer) is None
    assert settled(entry, "Tanpa undangan gak bisa nyoblos!!", normalizer)


def test_a_denial_in_the_claim_reaches_the_words_after_it(content: Content) -> None:
    entry = _with_claims(content, ("Tinta pemilu tidak bersertifikat halal.",
                                   "The election ink has no halal certificate.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "Tinta pemilu tidak halal, jangan mau dicelup!", normalizer) is False


def test_a_claim_needs_what_sets_it_apart_from_the_entrys_others(content: Content) -> None:
    entry = _with_claims(content, ("Surat suara gubernur berwarna merah marun.",
                                   "The governor ballot is maroon.", True),
                         ("Pemilih menerima dua surat suara, untuk gubernur dan bupati.",
                          "Voters get two ballots, for governor and regent.", True),
                         ("Surat suara bupati berwarna hijau.", "The regent ballot is green.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "surat suara bupati warnanya hijau ya", normalizer) is False
    # The words both claims share are not enough: "biru muda" is not "hijau".
    assert settled(entry, "Surat suara bupati warnanya biru muda", normalizer) is None


def test_a_true_claim_is_not_confirmed_with_numbers_it_does_not_name(content: Content) -> None:
    entry = _with_claims(content, ("Warga boleh menyaksikan penghitungan suara di TPS.",
                                   "Residents may watch the count at the TPS.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "warga boleh menyaksikan penghitungan suara di TPS", normalizer)
    assert settled(entry, "warga boleh menyaksikan penghitungan suara di TPS sampai jam 24",
                   normalizer) is None


def test_the_hour_of_the_day_is_read_as_said() -> None:
    assert numbers("tutup jam 3 sore") == numbers("close at 3 pm") == numbers("tutup 15.00") == {"15"}
    assert numbers("jam 1 siang") == {"13"} and numbers("jam 12 siang") == {"12"}
    assert numbers("jam 8 malam") == {"20"} and numbers("jam 8 pagi") == {"8"}
    assert kinds_of_numbers("TPS 12 buka jam 7") == {("count", "12"), ("time", "7")}
    assert kinds_of_numbers("digelar 27 November, 545 daerah") == {("date", "27"), ("count", "545")}


def test_a_true_claim_restated_with_other_numbers_is_corrected(content: Content) -> None:
    entry = _with_claims(content, ("TPS buka pukul 07.00 dan tutup pukul 13.00.",
                                   "Polling stations open at 07.00 and close at 13.00.", True),
                         ("Pemilih mendapat dua surat suara di TPS.",
                          "Voters get two ballots at the TPS.", True))
    normalizer = Matcher(content).normalizer
    found = contradicted(entry, "INFO: TPS buka jam 8 pagi dan tutup jam 3 sore, sebarkan", normalizer)
    assert found is not None and found.claim.id.startswith("TPS buka pukul 07.00")
    assert contradicted(entry, "polling stations open at 8 am and close at 3 pm", normalizer)
    assert contradicted(entry, "pemilih dapat 3 surat suara di TPS", normalizer) is not None
    # The claim as it is, no numbers, or a number of another kind: nothing to correct.
    assert contradicted(entry, "TPS buka jam 7 pagi dan tutup jam 13.00", normalizer) is None
    assert contradicted(entry, "TPS buka jam berapa dan tutup jam berapa?", normalizer) is None
    assert contradicted(entry, "TPS 12 buka dan tutup jam 13.00 kan?", normalizer) is None
    # Other words with numbers, and a denial of the claim's words: not this claim.
    assert contradicted(entry, "kampanye akbar jam 8 pagi sampai jam 3 sore", normalizer) is None
    assert contradicted(entry, "TPS tidak buka jam 8 dan tidak tutup jam 15", normalizer) is None
    # A number the entry's answer states itself is not contradicted by another claim of it.
    answer = entry.id.model_copy(update={"answer": "TPS buka pukul 07.00-13.00; di TPS khusus sampai 14.00."})
    held = entry.model_copy(update={"id": answer})
    assert contradicted(held, "TPS buka pukul 07.00 dan tutup pukul 14.00", normalizer) is None
    assert contradicted(held, "TPS buka pukul 07.00 dan tutup pukul 15.00", normalizer) is not None


async def test_a_forward_restating_a_fact_with_other_numbers_is_told_what_is_true(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    async def sure(text: str) -> Match:
        return Match("answer", ("jam_tps",), 1.0)

    monkeypatch.setattr(harness.app.services.answers, "match", sure)
    reply = texts(await harness.text("TPS di Lembah Contoh buka jam 7 pagi, tutup jam 3 sore. Sebarkan!",
                                     forward_origin=ORIGIN))[0]
    assert reply.startswith("🔎 <b>Tidak benar</b>. Yang benar: “TPS di Lembah Contoh buka pukul 08.00")
    assert "<b>Jam buka TPS</b>" in reply
    # The fact as it is: confirmed, not corrected.
    reply = texts(await harness.text("TPS di Lembah Contoh buka jam 8 pagi, tutup jam 2 siang",
                                     forward_origin=ORIGIN))[0]
    assert reply.startswith("🔎 <b>Benar</b>")


def test_a_claim_that_denies_is_said_only_by_a_message_that_denies_it_too(content: Content) -> None:
    entry = _with_claims(content, ("Identitas pelapor ke Bawaslu tidak dirahasiakan.",
                                   "The identity of whoever reports is not kept secret.", False),
                         ("Laporan dibuat paling lama 7 hari sejak kejadian.",
                          "A report is made within 7 days.", True))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "identitas pelapor gak dirahasiakan, bener gak?", normalizer) is False
    # The message says what is true: "Tidak benar" on it would be misinformation.
    assert settled(entry, "Identitas pelapor ke Bawaslu dirahasiakan. bener gak?", normalizer) is None


def test_before_is_not_a_denial(content: Content) -> None:
    entry = _with_claims(content, ("Kotak suara dibawa ke kecamatan sebelum suaranya dihitung.",
                                   "Ballot boxes go to the district before the count.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "kotak suara dibawa ke kecamatan dulu, baru dihitung", normalizer) is False


def test_a_message_about_another_claim_is_not_given_this_ones_verdict(content: Content) -> None:
    entry = _with_claims(content, ("Di pilkada kita juga memilih anggota DPRD.",
                                   "In the Pilkada we also elect the council.", False),
                         ("Pilkada memilih kepala daerah: gubernur dan bupati.",
                          "The Pilkada elects regional heads: governor and regent.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "pilkada kita juga memilih anggota DPRD ya?", normalizer) is not None
    # Mostly about what the other claim sets apart (who elects the regional heads).
    assert settled(entry, "Pilkada 2026: kepala daerah, gubernur dan bupati, dipilih DPRD, "
                          "bukan kita. bener gak?", normalizer) is None


def test_benar_confirms_nothing_another_claim_sets_apart(content: Content) -> None:
    entry = _with_claims(content, ("Surat suara bupati dicetak 474.812 lembar.",
                                   "474,812 regent ballots were printed.", True),
                         ("Surat suara gubernur dicetak 472.812 lembar.",
                          "472,812 governor ballots were printed.", True))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "surat suara bupati dicetak 474.812 lembar, betul?", normalizer) is True
    assert settled(entry, "Surat suara GUBERNUR 474.812 lembar, sama dengan bupati. betul?",
                   normalizer) is None


def test_a_number_counts_where_it_stands_beside_the_claims_words(content: Content) -> None:
    entry = content.entries["jam_tps"].entry      # "tutup jam 12 siang" false; 08.00-14.00 true
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "Jam 12 siang TPS di Lembah Contoh sudah tutup lho", normalizer) is False
    # The 12 is when the office lets people go, not when the TPS closes.
    assert settled(entry, "Kantor: TPS di Lembah Contoh tutup tepat 14.00, izin keluar "
                          "maksimal jam 12.", normalizer) is None
    # Another hour for closing is corrected; a count of something else is no closing time.
    assert contradicted(entry, "TPS di Lembah Contoh buka pukul 08.00 dan tutup pukul 16.00",
                        normalizer)
    assert contradicted(entry, "TPS di Lembah Contoh buka pukul 08.00, tutup 14.00, "
                               "melayani 16 desa", normalizer) is None


def test_a_claim_with_two_denials_is_said_only_with_both(content: Content) -> None:
    entry = _with_claims(content, ("Pemilih yang belum terdaftar di DPT tidak bisa mencoblos.",
                                   "Voters not registered in the DPT cannot vote.", False))
    normalizer = Matcher(content).normalizer
    assert verdict(entry, "pemilih yang belum terdaftar di DPT tidak bisa nyoblos", normalizer) is False
    # Only one of the claim's denials kept: the message says the opposite, no "Tidak benar".
    assert settled(entry, "Pemilih yang belum terdaftar di DPT tetap bisa mencoblos pakai KTP",
                   normalizer) is None
    assert settled(entry, "pemilih yang belum terdaftar di DPT bisa mencoblos", normalizer) is None



def test_a_denial_in_spoken_or_palembang_words_is_not_confirmed(content: Content) -> None:
    entry = _with_claims(content, ("Pemilih boleh membawa HP ke bilik suara.",
                                   "Voters may bring a phone into the booth.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "pemilih boleh bawa HP ke bilik suara", normalizer) is not None
    for text in ("pemilih dak boleh bawa HP ke bilik suara", "pemilih idak boleh bawa HP ke bilik suara",
                 "pemilih jangan bawa HP ke bilik suara"):
        assert settled(entry, text, normalizer) is None, text



def test_numbers_swapped_between_the_claims_words_are_not_the_claim(content: Content) -> None:
    entry = _with_claims(content, ("TPS buka pukul 07.00 dan tutup pukul 13.00.",
                                   "Polling stations open at 07.00 and close at 13.00.", True))
    normalizer = Matcher(content).normalizer
    assert settled(entry, "TPS buka jam 7 dan tutup jam 13", normalizer) is not None
    assert settled(entry, "jam 7 TPS sudah buka, jam 13 tutup", normalizer) is not None
    for text in ("TPS buka jam 13 dan tutup jam 7", "TPS tutup jam 7 dan buka jam 13",
                 "polling stations open at 13.00 and close at 07.00"):
        assert settled(entry, text, normalizer) is None, text
