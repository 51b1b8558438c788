"""A pair named by its candidates' names or its nickname (bot/faq/pairs.py), on the fixtures'
invented pairs: read as "paslon" by the triggers and sides.py; an everyday word or a first name
that is a part of a name is a name only with the rest of it, or after "pak", "bu", "cabup"...;
and a request to take sides naming a pair names a side of this race."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.language import Scope
from bot.content.registry import Content, load_content
from bot.content.schema import Candidates, Pair
from bot.faq.matcher import Matcher
from bot.faq.pairs import PairNames
from bot.faq.sides import Sides
from bot.faq.trainer import Trainer
from tests.conftest import FIXTURE_CONTENT
from tests.content.editing import edit


@pytest.fixture(scope="module")
def pairs(trained: tuple[Content, Matcher, Trainer]) -> PairNames:
    return trained[1].pairs


@pytest.mark.parametrize(("text", "read"), [
    # a whole name; a later part of it, safe alone; a nickname
    ("Darmawan Sulistyo nomor urut berapa?", "paslon nomor urut berapa?"),
    # a word of a name alone is someone else's as often as not: only after a cue
    ("sulistyo menang gak?", "sulistyo menang gak?"),
    ("cabup sulistyo menang gak?", "cabup paslon menang gak?"),
    ("hasil pilkada bandung menurut Sulistyo?", "hasil pilkada bandung menurut Sulistyo?"),
    ("bagusan jokma apa BINTANG?", "bagusan paslon apa paslon?"),
    # a pair's two names together are one; one candidate of each pair, two
    ("Joko Purnomo dan Cik Mayang nomor berapa?", "paslon nomor berapa?"),
    ("Darmawan Sulistyo–Intan Permata", "paslon"),
    ("mending joko purnomo atau intan permata?", "mending paslon atau paslon?"),
    # everyday words that are part of a name ("intan", "cik", "bintang"): not alone
    ("cincin intan dilarang dibawa ke TPS?", "cincin intan dilarang dibawa ke TPS?"),
    ("cik, tps buka jam berapa?", "cik, tps buka jam berapa?"),
    ("bintang film boleh kampanye?", "bintang film boleh kampanye?"),
    ("MENDING BINTANG ATAU JOKMA", "MENDING BINTANG ATAU paslon"),
    # ... but after a word for a person or a candidate
    ("bu intan orangnya gimana?", "bu paslon orangnya gimana?"),
    # a first name is a common given name: alone, only after such a word
    ("saya darmawan, mau tanya tps", "saya darmawan, mau tanya tps"),
    ("pak darmawan nomor berapa?", "pak paslon nomor berapa?"),
])
def test_a_pairs_names_read_as_paslon(pairs: PairNames, text: str, read: str) -> None:
    assert pairs.mask(text) == read


def test_every_layers_pairs_are_read_in_a_province(province: Content) -> None:
    pairs = Matcher(province).pairs
    # Kabupaten Bukit Contoh's and Kota Contoh Raya's pairs; "bukit" and "kota" are everyday
    # words (and place names'): alone, no name
    assert pairs.mask("Andi Bukit atau Eka Kota?") == "paslon atau paslon?"
    assert pairs.mask("cici bukit dan dodi bukit") == "paslon"
    assert pairs.mask("tps di bukit kota raya") == "tps di bukit kota raya"


def test_a_province_layers_governor_pairs_are_read_in_a_nation() -> None:
    nation = load_content(FIXTURE_CONTENT.parent / "nation")
    assert Matcher(nation).pairs.mask("Gatot Utara atau Iwan Utara?") == "paslon atau paslon?"


def test_a_deployment_without_pairs_reads_messages_as_typed() -> None:
    none = PairNames([])
    assert none.mask("Herman Deru nomor urut berapa?") == "Herman Deru nomor urut berapa?"


def test_the_triggers_read_a_pair_named_by_its_names_as_paslon(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    edit(root / "faq" / "1_contoh.yaml", 'triggers: ["siapa (yang )?(menang|unggul)"]',
         'triggers: ["siapa (yang )?(menang|unggul)", "paslon \\\\w+ (menang|unggul)"]')
    matcher = Matcher(load_content(root))
    assert matcher.triggered("kira2 Joko Purnomo bakal menang?") == "hasil"
    assert matcher.triggered("kira2 BINTANG bakal unggul?") == "hasil"
    # an everyday word of a name is not the pair
    assert matcher.triggered("kira2 bintang bakal menang?") is None


def test_a_request_to_take_sides_naming_a_pair_names_a_side_of_this_race(
        trained: tuple[Content, Matcher, Trainer]) -> None:
    _, matcher, _ = trained
    # Medan is another province's city, Jepang another country, school another thing; "paslon"
    # is read "pasangan calon" (slang), as scope.yaml writes it.
    scope = Scope(elsewhere=["medan"], countries=["jepang"], race=["pasangan calon"],
                  other_things=["sekolah"], sides=["pasangan calon"])
    pairs = PairNames([Candidates(entry="paslon", pairs=[
        Pair(number=1, names=["Budi Medan", "Sari Jepang"], nicknames=["BUMI"])])])
    sides = Sides(scope, matcher.normalizer.raw_words, (), pairs.mask)
    assert not sides.off_topic("mending budi medan atau nomor 2?")
    assert not sides.off_topic("sari jepang lulusan jepang, bagus gak?")
    assert not sides.off_topic("BUMI paling bagus buat anak sekolah?")
    # without the pair: another place, another thing
    assert sides.off_topic("calon walikota medan paling bagus siapa?")
    assert sides.off_topic("sekolah mana yang paling bagus?")
    assert not sides.elsewhere(*sides.read("apakah Budi Medan menang?"))


def test_a_question_naming_a_pair_and_another_place_is_about_this_election(
        trained: tuple[Content, Matcher, Trainer]) -> None:
    _, matcher, _ = trained
    # the fixture's scope: "bandung" is elsewhere, "calon" a topic of another place's race
    assert matcher.out_of_scope("calon bupati bandung siapa?")
    assert not matcher.out_of_scope("calon Darmawan Sulistyo lahir di bandung?")
    # a word of a pair's name alone (a surname many share, someone signing off) is not the pair:
    # another place's race stays another's (review: "hasil pilkada Medan Alex" was in scope)
    assert matcher.out_of_scope("hasil pilkada bandung siapa? salam, Sulistyo")
