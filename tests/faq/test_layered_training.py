"""One answer model for a province (issue 20): a second region's layer must not change what the
model learns for the first. An entry written by several layers counts in training as one version
of it does, and a word only a region layer writes does not change how everyone's words read."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.registry import Content, load_content
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer
from bot.faq.trainer import samples, version_questions
from tests.conftest import FIXTURE_CONTENT

PROVINCE = FIXTURE_CONTENT.parent / "province"


@pytest.fixture(scope="module")
def province() -> Content:
    return load_content(PROVINCE)


def without_layer(content: Content, code: str) -> Content:
    return dataclasses.replace(content, layers={c: la for c, la in content.layers.items() if c != code})


def weight_of(content: Content, entry_id: str) -> tuple[int, float]:
    """How many examples the model learns an entry from, and what they weigh together."""
    examples, _ = samples(content, Matcher(content))
    mine = [s for s in examples if s.labels == (entry_id,)]
    return len(mine), sum(s.weight for s in mine)


def test_an_entry_every_layer_writes_weighs_what_it_weighs_for_one_region(province: Content) -> None:
    # paslon_bupati: the shared questions, and each region layer's own (98.01, 98.71).
    count_one, weight_one = weight_of(without_layer(province, "98.71"), "paslon_bupati")
    count_two, weight_two = weight_of(province, "paslon_bupati")
    assert weight_one == count_one               # one region: every example counts whole
    assert count_two > count_one                 # the city's questions are learned too...
    assert abs(weight_two - weight_one) < 1      # ...and the entry weighs as it did
    # An entry only the shared layer writes keeps its examples' full weight.
    assert version_questions(province, "hari_pemungutan")[1] == 1.0


def test_a_word_only_a_region_layer_writes_does_not_hide_a_local_reading() -> None:
    def read(regional: list[str]) -> list[str]:
        norm = Normalizer()
        norm.add_words({}, [("o", "a")])         # "duo" said for "dua"
        norm.set_vocabulary(["dua", "calon", "duo"], regional=regional)
        return norm.terms("calon duo")

    assert read(["duo"]) == ["calon", "dua"]     # "Duo ..." is one region's name
    assert read([]) == ["calon", "duo"]          # a word the shared layer writes stays itself


def test_the_matcher_knows_which_words_only_region_layers_write(province: Content) -> None:
    norm = Matcher(province).normalizer
    assert "raya" in norm._regional              # the city's name, in its layer only
    assert "calon" not in norm._regional         # the shared entry's word
    assert "raya" in norm.vocabulary             # still the content's word
