"""The deployment's races and their candidate pairs (`candidates:` in election.yaml for the race
the shared layer answers, in a layer's region.yaml for its own), each with the version of the
entry that answers it; and the check that every name and nickname listed is in that answer, in
each language, so that the list and the answer cannot drift apart. The answer model reads the
names as one word (bot/faq/pairs.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.errors import Collector
from bot.content.model import Content, LoadedEntry
from bot.content.schema import Candidates


@dataclass(frozen=True)
class Race:
    path: Path                      # the file that lists its pairs
    candidates: Candidates
    answer: LoadedEntry | None      # the version of its entry that answers for the race


def races(content: Content) -> list[Race]:
    """Every race of the deployment that lists its pairs: the shared layer's, then each province
    layer's and each region layer's (a layer without its own version of the entry reads its
    province's, then the shared one)."""
    home = content.home or content
    found = []
    own = home.election.candidates
    if own is not None:
        found.append(Race(home.root / "election.yaml", own, home.shared.get(own.entry)))
    for province in home.province_layers.values():
        listed = province.profile.candidates
        if listed is not None:
            version = province.entries.get(listed.entry) or home.shared.get(listed.entry)
            found.append(Race(province.root / "region.yaml", listed, version))
    for code, layer in home.layers.items():
        listed = layer.profile.candidates
        if listed is None:
            continue
        over = home.province_layers.get(code[:2]) if home.is_national else None
        version = layer.entries.get(listed.entry) \
            or (over.entries.get(listed.entry) if over else None) or home.shared.get(listed.entry)
        found.append(Race(layer.root / "region.yaml", listed, version))
    return found


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def _written(name: str, answer: str) -> bool:
    """`name` in `answer` (both folded) as whole words: "Edi" is not written by "Edison"."""
    return re.search(rf"(?<!\w){re.escape(_folded(name))}(?!\w)", answer) is not None


def check_candidates(col: Collector, content: Content) -> None:
    """Each race's entry answers it, and its answer names every candidate and nickname listed."""
    for race in races(content):
        listed, loaded = race.candidates, race.answer
        if loaded is None or loaded.entry.regional:
            if not col.is_lost("entry", listed.entry):
                col.add(race.path, None, "candidates.entry",
                        f"{listed.entry!r} is no entry answering this race here")
            continue
        answers = [(lang, _folded(text.answer)) for lang, text in
                   (("id", loaded.entry.id), ("en", loaded.entry.en)) if text and text.answer]
        for n, pair in enumerate(listed.pairs):
            for field in ("names", "nicknames"):
                for name in getattr(pair, field):
                    for lang, answer in answers:
                        if not _written(name, answer):
                            col.add(race.path, None, f"candidates.pairs.{n}.{field}",
                                    f"{name!r} is not in {listed.entry}'s answer ({lang}, "
                                    f"{loaded.path.name}): write it as the answer does")
