from __future__ import annotations

import pytest

from bot.content.registry import Content
from bot.faq.language import detect_language
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer


@pytest.fixture(scope="module")
def normalizer(content: Content) -> Normalizer:
    return Matcher(content).normalizer


@pytest.mark.parametrize(("typed", "expected"), [
    ("gmn cara nyoblos", ["bagaimana", "cara", "coblo"]),
    ("mencoblos dicoblos coblosan", ["coblo", "coblo", "coblo"]),
    ("tps ku dmn", ["tps", "mana"]),
    ("undanganku", ["undang"]),
    ("ktpnya", ["ktp"]),
    ("dimanatps", ["mana", "tps"]),
    ("ga gak nggak tdk", ["tidak"] * 4),
    ("kpn pilkadaaaa", ["kapan", "pilkada"]),
    ("undangan ilang", ["undang", "hilang"]),
    ("langkah2", ["langkah"]),
])
def test_how_people_type(normalizer: Normalizer, typed: str, expected: list[str]) -> None:
    assert normalizer.terms(typed) == expected


@pytest.mark.parametrize(("text", "lang"), [
    ("where do i vote", "en"),
    ("dimana saya nyoblos", "id"),
    ("tps", None),
    ("what time tps buka", "en"),
    ("jam buka what time", None),
    # English's articles mark it too: a request with no other marker word
    ("compose a short speech endorsing pak budi", "en"),
    # ... but only where no Indonesian word says otherwise: "a" is a letter in Indonesian (a form,
    # a clause, a class), "please" a loanword
    ("pasal 5 ayat a itu apa isinya", "id"),
    ("kelas a di tps 3", "id"),
    ("nilai rapor a, bisa daftar kpps?", "id"),
    ("please min, kapan pilkada?", "id"),
    ("is it a holiday?", "en"),
])
def test_language_detection(normalizer: Normalizer, text: str, lang: str | None) -> None:
    assert detect_language(normalizer, text) == lang


def test_work_is_bounded_for_long_input(normalizer: Normalizer) -> None:
    from bot.faq.normalize import MAX_WORD, MAX_WORDS

    long_word = ("abcdefghijklmnopqrstuvwxyz" * 2)[: MAX_WORD + 1]
    assert normalizer.terms(long_word) == [long_word]          # taken as it is, not repaired
    many = " ".join(f"kata{i}" for i in range(MAX_WORDS * 3))
    assert len(normalizer.terms(many, repair=False)) == MAX_WORDS


def test_local_words_from_content_are_read_as_indonesian(content: Content) -> None:
    normalizer = Matcher(content).normalizer
    normalizer.add_words({"pacak": "bisa", "cak mano": "bagaimana"})
    assert normalizer.terms("cak mano aku pacak nyoblos") == normalizer.terms("bagaimana aku bisa nyoblos")


def test_a_misspelt_word_is_repaired_against_the_content_as_written(normalizer: Normalizer) -> None:
    # Vowels dropped or letters swapped: the stemmer cannot read these; the typed words can.
    assert normalizer.terms("undangan sy hlang") == normalizer.terms("undangan saya hilang")
    assert normalizer.terms("hlangnya") == normalizer.terms("hilang")


def test_a_regular_local_ending_is_read_when_it_gives_a_content_word(content: Content) -> None:
    normalizer = Matcher(content).normalizer
    normalizer.add_words({}, [("o", "a")])
    # "bawo", "suaro", "dimano" for bawa, suara, dimana.
    assert normalizer.terms("bawo suaro") == normalizer.terms("bawa suara")
    assert normalizer.terms("dimano") == normalizer.terms("dimana")
    # A word the content knows, or one whose changed form is no word, is left alone.
    assert normalizer.terms("foto") == ["foto"]           # not "fota"
    assert normalizer.terms("zorro") == ["zorro"]


def test_a_typo_keeps_its_first_letter_or_a_sound_spelt_alike() -> None:
    normalizer = Normalizer()
    normalizer.set_vocabulary({"close", "hilang", "photocopy"})
    assert normalizer.terms("lose") == ["lose"]              # not a typo of "close"
    assert normalizer.terms("ilang") == ["hilang"]           # a dropped h
    assert normalizer.terms("fotocopy") == ["photocopy"]     # f and p, spelt either way


def test_a_real_word_the_content_does_not_use_is_not_taken_for_a_typo() -> None:
    normalizer = Normalizer()
    normalizer.set_vocabulary({"tema", "bupati"})
    assert normalizer.terms("teman") == ["teman"]            # a friend, not a debate's theme
    assert normalizer.terms("bupti") == ["bupati"]           # no word: a typo after all
    # Everyday chat words read as the standard word.
    assert normalizer.terms("duit") == ["uang"]
    assert normalizer.terms("malem sebelum") == normalizer.terms("malam sebelum")


def test_a_single_digit_is_a_slot_value_not_the_topic() -> None:
    normalizer = Normalizer()
    # "nomor 1" and "nomor 3" ask the same thing (which pair has a number): the office's
    # example with one number must not outweigh the entry the other words point to.
    assert normalizer.terms("nomor 1") == normalizer.terms("nomor 3") == ["nomor", "#n"]
    assert normalizer.terms("umur 17") == ["umur", "17"]     # an age is no slot value


@pytest.mark.parametrize(("typed", "expected"), [
    ("nyari", ["cari"]),            # ny- for c-
    ("ngeliat", ["lihat"]),         # nge- before a chat spelling
    ("ngisi", ["isi"]),             # ng- before a vowel
    ("nunggu", ["tunggu"]),         # n- for t-
    ("dilayanin", ["layan"]),       # di-...-in
    ("asal", ["asal"]),             # a real word is not two words typed together ("as" "al")
])
def test_spoken_verb_forms_are_read_as_their_root(normalizer: Normalizer, typed: str,
                                                  expected: list[str]) -> None:
    assert normalizer.terms(typed) == expected


def test_a_two_letter_abbreviation_is_not_half_of_a_joined_word(normalizer: Normalizer) -> None:
    # "no" is chat spelling for "nomor"; "nolong" (menolong) is not "nomor" + "long".
    assert "nomor" not in normalizer.terms("nolong")


def test_an_english_un_word_is_its_negation(normalizer: Normalizer) -> None:
    assert normalizer.terms("unvalid") == ["not", "valid"]    # "valid" is a content word
    assert normalizer.terms("under") == ["under"]              # "der" is not


def test_thanks_is_a_stop_phrase_but_its_words_are_words() -> None:
    # "penerima" (receiver), "menerima", "dikasih" (given) carry meaning; only "terima kasih"
    # and its chat forms say nothing about the question.
    n = Normalizer()
    assert n.terms("penerima amplop") == ["terima", "amplop"]
    assert n.terms("dikasih uang") == ["kasih", "uang"]
    assert n.terms("terima kasih banyak") == n.terms("makasih banyak") == n.terms("banyak")
