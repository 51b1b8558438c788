from __future__ import annotations

import pytest

from bot.content.registry import Content
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer, detect_language


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
])
def test_language_detection(normalizer: Normalizer, text: str, lang: str | None) -> None:
    assert detect_language(normalizer, text) == lang
