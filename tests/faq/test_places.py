"""Place names as the answer model reads them (bot/faq/places.py): one word per level, in
training and when it answers; everyday words that are also villages' names stay words."""

from __future__ import annotations

import time

import pytest

from bot.content.registry import Content
from bot.faq.learned import AnswerModel, Stage
from bot.faq.matcher import Matcher
from bot.faq.places import PLACEHOLDERS, PlaceMask, deployment_mask
from bot.faq.trainer import Trainer, model_texts, normaliser, samples
from bot.regions.loader import load_regions
from bot.regions.names import RegionNamer
from bot.regions.tree import DESA, KECAMATAN, Region, RegionTree


@pytest.fixture(scope="module")
def mask(trained: tuple[Content, Matcher, Trainer]) -> PlaceMask:
    content, matcher, _ = trained
    return deployment_mask(content, matcher)


@pytest.mark.parametrize(("text", "read"), [
    # the regency by its name, its kind word kept; misspelt; twice
    ("Siapa calon Bupati Kabupaten Lembah Contoh?", "Siapa calon Bupati Kabupaten xkabkota?"),
    ("kapan coblosan bupati lembah cntoh", "kapan coblosan bupati xkabkota"),
    ("lembah contoh atau LEMBAH CONTOH", "xkabkota atau xkabkota"),
    # a kecamatan (several words), a village after "desa", the province
    ("tps di Bukit Sejuk Ulu dimana", "tps di xkecamatan dimana"),
    ("TPS desa Pagar Batu, kec. Air Hitam", "TPS desa xdesa, kec. xkecamatan"),
    ("Pasar II Sungai Rotan", "xdesa"),
    ("KPU Provinsi Contoh buka jam brp", "KPU Provinsi xprovinsi buka jam brp"),
    # no place: the text as typed
    ("Kapan hari pemungutan suara?", "Kapan hari pemungutan suara?"),
])
def test_place_names_are_one_word_per_level(mask: PlaceMask, text: str, read: str) -> None:
    assert mask(text) == read


def test_a_villages_everyday_name_is_a_place_only_after_desa(
        trained: tuple[Content, Matcher, Trainer]) -> None:
    content, _, _ = trained
    # "Suka Damai" is a desa of the fixture's regions: were its words everyday words of the
    # content, it would be a place only where "desa" says so
    everyday = PlaceMask(load_regions(content), {"suka", "damai"})
    assert everyday("desa Suka Damai") == "desa xdesa"
    assert everyday("apa itu suka damai") == "apa itu suka damai"
    assert PlaceMask(load_regions(content))("apa itu suka damai") == "apa itu xdesa"


def test_the_normaliser_keeps_the_placeholders(trained: tuple[Content, Matcher, Trainer]) -> None:
    _, matcher, _ = trained
    normalise = normaliser(matcher.normalizer)
    for word in sorted(PLACEHOLDERS):
        assert word in normalise(f"siapa calon bupati {word} ya").split()


def test_training_and_answering_read_alike(trained: tuple[Content, Matcher, Trainer],
                                           mask: PlaceMask) -> None:
    content, matcher, trainer = trained
    examples, _ = samples(content, matcher, mask)
    unmasked, _ = samples(content, matcher)
    named = [(s, u) for s, u in zip(examples, unmasked, strict=True) if s.text != u.text]
    assert named, "the fixture's examples name places"
    stage = Stage(None, None, {}, 0.0, 1.0, 1.0)
    model = AnswerModel(stage, normalise=normaliser(matcher.normalizer), mask=mask)
    for sample, typed in named:
        assert model.read(typed.text) == (sample.norm, sample.text)
    # the sentence model reads neither the names nor the placeholders
    for text in model_texts(content, [s for s, _ in named]):
        assert not PLACEHOLDERS.intersection(text.split())
    # the trainer masks its samples as the model it trains reads messages
    assert trainer.mask is not None
    assert [s.text for s in trainer.examples] == [s.text for s in examples]


def _tree(*names: tuple[str, str]) -> RegionTree:
    """A one-regency tree of these (level, name) kecamatan and desa, every desa in the first
    kecamatan."""
    regions = {}
    for n, (level, name) in enumerate(names):
        code = f"99.01.{n:02d}" if level == KECAMATAN else f"99.01.00.{n:04d}"
        regions[code] = Region(code, name, level, "99.01" if level == KECAMATAN else "99.01.00")
    return RegionTree("99.01", "Kabupaten Contoh", regions)


def test_a_kecamatan_named_by_an_everyday_word_is_a_place_only_after_a_place_word() -> None:
    # Kecamatan "Saling", "Peninjauan", "Selangit" are real, and words of everyday speech
    # (or of one: "peninjauan kembali" is a review of a court's ruling).
    mask = PlaceMask(_tree((KECAMATAN, "Plaju"), (KECAMATAN, "Saling"),
                           (KECAMATAN, "Peninjauan"), (KECAMATAN, "Selangit")))
    assert mask("boleh saling mengajak memilih?") == "boleh saling mengajak memilih?"
    assert mask("peninjauan kembali putusan MK") == "peninjauan kembali putusan MK"
    assert mask("harga sembako selangit") == "harga sembako selangit"
    assert mask("tps di saling") == "tps di xkecamatan"
    assert mask("kecamatan peninjauan") == "kecamatan xkecamatan"
    # a name that is no word of the language is a place wherever it stands
    assert mask("plaju kapan nyoblos") == "xkecamatan kapan nyoblos"


def test_a_long_message_costs_little_however_many_names_share_its_words() -> None:
    # A national tree has thousands of villages whose names start "Tanjung", "Sungai", ...
    names = [(KECAMATAN, "Kecamatan Satu")] + [(DESA, f"Tanjung Kata{n} Lain{n}")
                                              for n in range(5000)]
    mask = PlaceMask(_tree(*names))
    assert mask("desa Tanjung Kata7 Lain7") == "desa xdesa"
    forward = ("tanjung " * 500)[:4000]
    start = time.process_time()
    assert mask(forward) == forward
    assert time.process_time() - start < 0.1


def test_everyday_words_close_to_a_regencys_name_are_not_read_as_it_misspelt() -> None:
    tree = _tree((KECAMATAN, "Tebing Tinggi"))
    tree.namer = RegionNamer({"16.11": "Kabupaten Empat Lawang"})
    mask = PlaceMask(tree)
    assert mask("paslon empat lawan satu") == "paslon empat lawan satu"
    assert mask("pilkada empat lawng kapan") == "pilkada xkabkota kapan"
