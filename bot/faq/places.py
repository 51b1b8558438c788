"""Place names are context, not topic (issue 20): the answer model reads a message with the
deployment's place names replaced by one word per level, in training and when it answers, so
that "siapa calon bupati lahat" and "siapa calon bupati muara enim" are one question, and what
a labelled message about Lahat taught does not stay tied to Lahat. The word stays: that a place
is named is still a signal ("di xkecamatan" asks where, "calon xkabkota" asks who).

- a kabupaten/kota (or the regency of a one-regency deployment) by any of its names, however it
  is spelt (the region namer, bot/regions/names.py): "xkabkota";
- the province: "xprovinsi";
- a kecamatan or a desa/kelurahan by its name in the region codes: "xkecamatan", "xdesa" (a
  name of both, a kecamatan). Many village names are everyday words ("baru", "tenang" of "hari
  tenang", "dalam"): a name is taken as a place only after "desa", "kecamatan", ... or when it
  is not made only of words of the content, its stop words and slang (`ordinary`); a desa's
  name of one word only after such a word; a kecamatan's name of one word that is a word of
  the language ("saling", "simpang", "peninjauan" of "peninjauan kembali") only after such a
  word or a place word ("di", "ke", "dari").

A name is looked up by its words (a dict), not compared with every name sharing its first
word: a 4,000-character forward costs about a millisecond however large the tree.

Only what the answer model reads is masked: the scope rule for places elsewhere and the region
that picks whose answer (bot/faq/regional.py) read the message as typed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.faq.words import _is_root_word, _stem
from bot.regions.tree import DESA, KECAMATAN, ROMAN, RegionTree, fold

if TYPE_CHECKING:
    from bot.content.model import Content
    from bot.faq.matcher import Matcher

KABKOTA_WORD, PROVINSI_WORD = "xkabkota", "xprovinsi"
KECAMATAN_WORD, DESA_WORD = "xkecamatan", "xdesa"
PLACEHOLDERS = frozenset({KABKOTA_WORD, PROVINSI_WORD, KECAMATAN_WORD, DESA_WORD})
# The words that say the next ones are a kecamatan's or a village's name.
KECAMATAN_CUES = frozenset({"kecamatan", "kec", "district"})
DESA_CUES = frozenset({"desa", "ds", "kelurahan", "kel", "dusun", "village"})
# Words after which a kecamatan named by an everyday word is a place: "tps di simpang".
PLACE_CUES = KECAMATAN_CUES | DESA_CUES | frozenset({"di", "ke", "dari", "daerah", "wilayah",
                                                     "in", "at", "from"})
# When a name is a place: wherever it stands, after a place word, after "desa", "kecamatan"...
ANYWHERE, AFTER_PLACE_WORD, AFTER_KIND_WORD = 0, 1, 2
TOKEN = re.compile(r"[a-z0-9]+", re.IGNORECASE)
CACHE = 4096            # messages read as before (a repeated question) cost a lookup


# What a mask finds in a message: (start, end, placeholder) spans of its words, given its words
# (lower case, roman numerals as digits) and its tokens as typed (also bot/faq/pairs.py's).
Spans = list[tuple[int, int, str]]
Finder = Callable[[list[str], list[str]], Spans]


def deployment_mask(content: Content, matcher: Matcher, tree: RegionTree | None = None,
                    ) -> PlaceMask:
    """The mask the bot's model reads with: the deployment's region tree (read from the
    content unless given), the content's own words as ordinary ones, its province."""
    if tree is None:
        from bot.regions.loader import load_regions
        tree = load_regions(content)
    return PlaceMask(tree, matcher.normalizer.known_words, content.election.region.province)


def _read(text: str) -> tuple[list[re.Match[str]], list[str]]:
    tokens = list(TOKEN.finditer(text))
    return tokens, [ROMAN.get(t.group().lower(), t.group().lower()) for t in tokens]


def _replaced(text: str, tokens: list[re.Match[str]], spans: Spans) -> str:
    """`text` with each span's words replaced by its placeholder."""
    if not spans:
        return text
    out, at = [], 0
    for s, e, word in sorted(spans):
        out += [text[at:tokens[s].start()], word]
        at = tokens[e - 1].end()
    out.append(text[at:])
    return "".join(out)


def masked(text: str, finder: Finder) -> str:
    """`text` with what `finder` finds in it replaced (another mask: the pairs' names)."""
    tokens, words = _read(text)
    return _replaced(text, tokens, finder(words, [t.group() for t in tokens])) if tokens else text


class PlaceMask:
    def __init__(self, tree: RegionTree, ordinary: Iterable[str] = (), province: str = "") -> None:
        ordinary = self._ordinary = frozenset(ordinary)
        self.namer = tree.namer
        # name -> (its placeholder, where it is a place: ANYWHERE...)
        names: dict[str, tuple[str, int]] = {}
        for region in sorted(tree.regions.values(), key=lambda r: r.level != KECAMATAN):
            if region.level not in (KECAMATAN, DESA):
                continue
            name = fold(region.name)
            words = name.split()
            free = any(w not in ordinary for w in words) and (
                len(words) > 1 or region.level == KECAMATAN) and not name.isdigit()
            where = AFTER_KIND_WORD if not free else \
                AFTER_PLACE_WORD if len(words) == 1 and _everyday(name) else ANYWHERE
            word = KECAMATAN_WORD if region.level == KECAMATAN else DESA_WORD
            names.setdefault(name, (word, where))
        self._desa = frozenset(fold(r.name) for r in tree.regions.values() if r.level == DESA)
        # A province tree's root is the province; a one-regency tree's its regency (the namer's).
        # `province`: the deployment's own (content/election.yaml), which a regency's tree lacks.
        provinces = [*tree.provinces.values(), *([tree.root_name] if tree.kabupaten else []),
                     province]
        for province in provinces:
            bare = " ".join(w for w in fold(province).split() if w != "provinsi")
            if bare:
                names[bare] = (PROVINSI_WORD, ANYWHERE)
        self._names = names
        # first word -> the lengths (in words) of the names it starts, longest first
        sizes: dict[str, set[int]] = {}
        for name in names:
            parts = name.split()
            sizes.setdefault(parts[0], set()).add(len(parts))
        self._sizes = {first: sorted(n, reverse=True) for first, n in sizes.items()}
        self.mask = lru_cache(maxsize=CACHE)(self._mask)

    def __call__(self, text: str) -> str:
        return self.mask(text)

    def _mask(self, text: str) -> str:
        tokens, words = _read(text)
        if not tokens:
            return text
        spans = [(s, e, KABKOTA_WORD) for s, e in self.namer.spans(words, self._everyday)] \
            if self.namer is not None else []
        taken = {i for s, e, _ in spans for i in range(s, e)}
        i = 0
        while i < len(words):
            found = None if i in taken else self._named(words, i)
            if found is not None:
                end, word = found
                if not taken.intersection(range(i, end)):
                    spans.append((i, end, word))
                    i = end
                    continue
            i += 1
        return _replaced(text, tokens, spans)

    def _everyday(self, word: str) -> bool:
        return word in self._ordinary or _everyday(word)

    def _named(self, words: list[str], i: int) -> tuple[int, str] | None:
        """The place name starting at words[i] (its end and placeholder), if any."""
        cue = words[i - 1] if i else ""
        said = AFTER_KIND_WORD if cue in KECAMATAN_CUES or cue in DESA_CUES else \
            AFTER_PLACE_WORD if cue in PLACE_CUES else ANYWHERE
        for size in self._sizes.get(words[i], ()):
            name = " ".join(words[i:i + size]) if i + size <= len(words) else ""
            found = self._names.get(name)
            if found is None or found[1] > said:
                continue
            word = DESA_WORD if cue in DESA_CUES and name in self._desa else found[0]
            return i + size, word
        return None


def _everyday(word: str) -> bool:
    """A word of the language (Sastrawi's root words), or one made of one ("peninjauan")."""
    return _is_root_word(word) or _is_root_word(_stem(word))
