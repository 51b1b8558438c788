"""One answer model for a province (issue 20): a word only a region layer writes (a local name)
does not change how everyone's words read."""

from __future__ import annotations

from bot.content.registry import Content
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer
from tests.conftest import FIXTURE_CONTENT

PROVINCE = FIXTURE_CONTENT.parent / "province"


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
