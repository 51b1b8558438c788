"""Region names in a message: the indexed namer finds what a plain scan of every name at every
position finds (the longest name; a misspelt one by its best score), and a long message costs
little however many regions the deployment has."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.regions.names import FUZZY_CUTOFF, FUZZY_MIN_LETTERS, RegionNamer, _as_place, bare
from bot.regions.tree import fold

NAMES = {"16.03": "Kabupaten Muara Enim", "16.71": "Kota Palembang", "16.04": "Kabupaten Lahat",
         "16.07": "Kabupaten Ogan Komering Ulu", "16.08": "Kabupaten Ogan Komering Ulu Timur",
         "16.73": "Kota Lubuklinggau", "16.06": "Kabupaten Musi Banyuasin"}
OTHER = {"16.71": ["plg"], "16.06": ["muba"], "16.73": ["lubuk linggau"]}
EVERYDAY = {"plg"}


def scan(namer_input: tuple[dict[str, str], dict[str, list[str]], set[str]],
         text: str) -> tuple[str, list[str]] | None:
    """Every name at every position, in order of length: the definition the namer keeps."""
    names, other, everyday_raw = namer_input
    everyday = {bare(w) for w in everyday_raw}
    found: dict[str, str] = {}
    for code, name in names.items():
        found.setdefault(bare(name), code)
    for code, more in other.items():
        for name in more:
            found.setdefault(bare(name), code)
    ranked = sorted(((n.split(), c) for n, c in found.items() if n),
                    key=lambda item: -len(" ".join(item[0])))
    typed = fold(text).split()
    words = [w for w in typed if w not in {"kabupaten", "kab", "kota", "kodya", "kotamadya",
                                          "regency", "city"}]
    if not words:
        return None
    for parts, code in ranked:
        for i in range(len(words) - len(parts) + 1):
            if words[i:i + len(parts)] == parts:
                rest = words[:i] + words[i + len(parts):]
                if " ".join(parts) not in everyday or _as_place(typed, parts, rest):
                    return code, rest
    best = None
    chunks = [(i, n) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)]
    for parts, code in ranked:
        target = "".join(parts)
        if len(target) < FUZZY_MIN_LETTERS:
            continue
        for i, n in chunks:
            chunk = "".join(words[i:i + n])
            if abs(len(chunk) - len(target)) > 2:
                continue
            score = fuzz.ratio(chunk, target)
            if score >= FUZZY_CUTOFF and (best is None or score > best[0]):
                best = (score, code, i, n)
    if best is None:
        return None
    _, code, i, n = best
    return code, words[:i] + words[i + n:]


WORDS = ["kapan", "di", "pilkada", "muara", "enim", "muaro", "palembang", "plg", "lahat", "ogan",
         "komering", "ulu", "timur", "lubuk", "linggau", "lubuklinggau", "musi", "banyuasin",
         "muba", "kota", "kab", "min", "palembangg", "muaraenim", "lubuklingau", "lihat"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_the_index_finds_what_a_scan_of_every_name_finds(words: list[str]) -> None:
    text = " ".join(words)
    namer = RegionNamer(NAMES, OTHER, EVERYDAY)
    assert namer.find(text) == scan((NAMES, OTHER, EVERYDAY), text)


def test_names_as_people_write_them() -> None:
    namer = RegionNamer(NAMES, OTHER, EVERYDAY)
    assert namer.named("siapa calon bupati muaro enim?") == "16.03"
    assert namer.named("pilkada kab. ogan komering ulu timur kapan") == "16.08"  # the longest
    assert namer.named("cara nyoblos di plg") == "16.71"
    assert namer.named("lihat jadwal") is None          # short names are never guessed


def test_a_long_message_names_its_region_at_little_cost() -> None:
    """A forward of 4,000 characters with 600 regions: the exact name anywhere, a misspelt one
    in its opening or its closing question; work bounded, not growing with the story."""
    rng = random.Random(3)
    syllables = ["ba", "ka", "ra", "ma", "ta", "lu", "ng", "si", "po", "de", "ne", "go"]
    many = {f"{11 + i // 90}.{i % 90 + 1:02d}": "Kabupaten " + "".join(
        rng.choice(syllables) for _ in range(rng.randint(3, 5))) for i in range(600)}
    many["16.03"] = "Kabupaten Muara Enim"
    namer = RegionNamer(many)
    story = " ".join(rng.choice(["kemarin", "tetangga", "bilang", "bahwa", "nanti", "jadi"])
                     for _ in range(600))
    assert namer.named(f"{story} pilkada di muara enim {story}") == "16.03"
    assert namer.named(f"{story} kapan nyoblos di muaraenm?") == "16.03"
    assert namer.named(f"muaraenm: {story}") == "16.03"
