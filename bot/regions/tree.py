"""The region tree of the deployment (kecamatan -> desa/kelurahan) and place-name search."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from bot.regions.names import Named

PROVINSI = "provinsi"
KABUPATEN = "kabupaten_kota"
KECAMATAN = "kecamatan"
DESA = "desa_kelurahan"

# Words that introduce a place name but are not part of it.
PLACE_PREFIXES = frozenset({"desa", "ds", "kelurahan", "kel", "kecamatan", "kec", "dusun",
                            "village", "district"})
# Of those, the ones that say which kind of place: "kecamatan gelumbang" is not its desa.
KIND_SAID = {"kecamatan": KECAMATAN, "kec": KECAMATAN, "district": KECAMATAN, "desa": DESA,
             "ds": DESA, "kelurahan": DESA, "kel": DESA, "village": DESA}
# Words that say "where do I vote": with one of them, a named place is a TPS question.
TPS_INTENT = frozenset({"tps", "tempat", "lokasi", "dimana", "mana", "where", "polling",
                        "station", "nyoblos", "coblos", "milih", "vote"})
# Questions about how many, when or how are FAQ questions even when they name a place.
OTHER_QUESTION = frozenset({"berapa", "brp", "jumlah", "kapan", "kpn", "jam", "cara", "gimana",
                            "gmn", "bagaimana", "when", "many", "much", "time", "how", "buka",
                            "tutup", "open", "close"})
FILLER = frozenset({"di", "ke", "dan", "yang", "yg", "ya", "kak", "min", "dong", "sih", "nya",
                    "saya", "aku", "ku", "ada", "the", "in", "at", "is", "of", "my", "i", "for"})
NON_WORD = re.compile(r"[^a-z0-9]+")


ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
         "viii": "8", "ix": "9", "x": "10"}


def fold(text: str) -> str:
    """Lower case, punctuation to spaces, and roman numerals as digits ("Pasar II" = "pasar 2")."""
    words = NON_WORD.sub(" ", text.lower()).split()
    return " ".join(ROMAN.get(w, w) for w in words)


MAX_PLACE_QUERY_WORDS = 10   # "dimana tps di desa pagar dewa kecamatan lubai ulu ya" is 10
MAX_PLACE_WORD = 30          # longer than any place name typed without spaces

@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str          # "kabupaten_kota" (a province's), "kecamatan" or "desa_kelurahan"
    parent: str         # kecamatan code for a desa; the kabupaten code for a kecamatan


@dataclass(frozen=True)
class PlaceMatch:
    region: Region
    score: float


@dataclass(frozen=True)
class PlaceQuery:
    matches: list[PlaceMatch]
    named: str          # the place words as understood ("" when none)
    is_place_question: bool
    says_place: bool    # "desa X", "kecamatan Y": clearly names a place, found or not
    intent: bool = False    # asks where to vote ("tps di ..."), not only names the place


@dataclass
class RegionTree:
    root_code: str
    root_name: str
    regions: dict[str, Region]
    kecamatan: list[Region] = field(default_factory=list)          # sorted by name
    desa_of: dict[str, list[Region]] = field(default_factory=dict)  # kecamatan code -> sorted

    # A province's kabupaten/kota, sorted by name (a one-regency tree has none: its root).
    kabupaten: list[Region] = field(default_factory=list)
    namer: Any = None       # names.RegionNamer, set by loader.load_regions
    # The province(s) the tree covers, code -> name: a national tree has several.
    provinces: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kabupaten = sorted((r for r in self.regions.values() if r.level == KABUPATEN),
                                key=lambda r: r.name)
        self.kecamatan = sorted((r for r in self.regions.values() if r.level == KECAMATAN),
                                key=lambda r: r.name)
        self.desa_of = {k.code: [] for k in self.kecamatan}
        for region in self.regions.values():
            if region.level == DESA:
                self.desa_of[region.parent].append(region)
        for desas in self.desa_of.values():
            desas.sort(key=lambda r: r.name)
        # Each place is findable by its name, and a desa also by "name + kecamatan".
        self._names: list[str] = []
        self._owners: list[Region] = []
        for region in self.regions.values():
            if region.level == KABUPATEN:   # named as a region of the deployment (names.py)
                continue
            names = [fold(region.name)]
            if region.level == DESA:
                names.append(f"{fold(region.name)} {fold(self.regions[region.parent].name)}")
            for name in names:
                self._names.append(name.replace(" ", ""))
                self._owners.append(region)
        self.place_words = frozenset(w for r in self.regions.values() if r.level != KABUPATEN
                                     for w in fold(r.name).split())
        self._place_word_list = sorted(self.place_words)
        self._correct = lru_cache(maxsize=20_000)(self._correct_uncached)

    def named_region(self, text: str) -> str | None:
        """The kabupaten/kota of the deployment a message names, if any (names.py)."""
        return self.namer.named(text) if self.namer is not None else None

    def region_in(self, text: str) -> tuple[str, list[str]] | None:
        """The kabupaten/kota a message names and its other words (names.py)."""
        return self.namer.find(text) if self.namer is not None else None

    def regions_named(self, text: str) -> Named | None:
        """names.Named: the one kabupaten/kota a message names, or a kabupaten and a kota of
        the name it gives without its kind ("bogor"), with its other words; or None."""
        return self.namer.lookup(text) if self.namer is not None else None

    def get(self, code: str) -> Region | None:
        return self.regions.get(code)

    def place(self, code: str | None) -> Region | None:
        """A region an official's role or audience may name: a kabupaten/kota, kecamatan or
        desa, or in a national deployment one of its provinces ("Provinsi Contoh Utara")."""
        if not code:
            return None
        if self.several_provinces and code in self.provinces:
            name = self.provinces[code]
            named = name if fold(name).startswith("provinsi ") else f"Provinsi {name}"
            return Region(code, named, PROVINSI, "")
        return self.regions.get(code)

    def is_scope(self, code: str) -> bool:
        """Can a role be scoped to `code`: a kabupaten/kota of the deployment, or a province
        of a national one (a one-province deployment's province is all of it: no scope)."""
        return any(k.code == code for k in self.kabupaten) \
            or (self.several_provinces and code in self.provinces)

    def kecamatan_of(self, region: Region) -> Region:
        return region if region.level == KECAMATAN else self.regions[region.parent]

    def kecamatan_in(self, kabupaten: str | None) -> list[Region]:
        """The kecamatan of one kabupaten/kota (None or a one-regency tree: all of them)."""
        if not kabupaten or not self.kabupaten:
            return self.kecamatan
        return [k for k in self.kecamatan if k.parent == kabupaten]

    @cached_property
    def lists_version(self) -> str:
        """A fingerprint of the lists buttons point into by position (the kabupaten/kota, the
        kecamatan, each kecamatan's desa, in order): a button made from another tree (before a
        content reload changed them) is told apart. Computed once per tree."""
        digest = hashlib.sha1(usedforsecurity=False)
        for region in (*self.kabupaten, *self.kecamatan,
                       *(d for k in self.kecamatan for d in self.desa_of[k.code])):
            digest.update(region.code.encode() + b"\n")
        return digest.hexdigest()[:12]

    @property
    def several_provinces(self) -> bool:
        """A national deployment: the region picker asks for the province first."""
        return len(self.provinces) > 1

    def kabupaten_in(self, province: str | None) -> list[Region]:
        """The kabupaten/kota of one province (None: all of the deployment's), by name."""
        if province is None:
            return self.kabupaten
        return [k for k in self.kabupaten if k.parent == province]

    @property
    def kabupaten_codes(self) -> dict[str, str]:
        """code -> name of the deployment's kabupaten/kota (a one-regency tree: its root)."""
        if not self.kabupaten:
            return {self.root_code: self.root_name}
        return {k.code: k.name for k in self.kabupaten}

    @property
    def desa_count(self) -> int:
        return sum(len(v) for v in self.desa_of.values())

    # -- search -----------------------------------------------------------------------------

    def _correct_uncached(self, word: str) -> str | None:
        """The place-name word this typed word is, if it is one (typos allowed)."""
        if word in self.place_words:
            return word
        if len(word) < 4 or not word.isalpha():
            return None
        hit = process.extractOne(word, self._place_word_list, scorer=fuzz.ratio, score_cutoff=80)
        return hit[0] if hit else None

    def find_place(self, text: str, ordinary: frozenset[str] = frozenset()) -> PlaceQuery:
        """Which places a message names, and whether it asks where (to vote) in them.

        Only short messages are place queries: a place name with a few words around it. A
        long message is a question for the FAQ, never echoed back as a place name. A word in
        `ordinary` (the words the content itself uses) is only a place word when it is one as
        typed: with a province's thousands of village names, "umur" is nearly "Sumur"."""
        words = fold(text).split()
        if len(words) > MAX_PLACE_QUERY_WORDS or any(len(w) > MAX_PLACE_WORD for w in words):
            return PlaceQuery([], "", False, False)
        intent = any(w in TPS_INTENT or w.startswith("tps") for w in words)
        other_question = any(w in OTHER_QUESTION for w in words)
        says_place = any(w in PLACE_PREFIXES for w in words[:-1])
        place: list[str] = []
        unknown = 0
        maybe_place = False
        for word in words:
            if word in PLACE_PREFIXES or word in FILLER or word in TPS_INTENT:
                continue
            corrected = word if word in self.place_words else \
                None if word in ordinary else self._correct(word)
            if corrected is None:
                unknown += 1
                # Long enough to be place words typed together ("tanjungagung").
                maybe_place = maybe_place or len(word) >= 7
            else:
                maybe_place = True
            place.append(corrected or word)
        query = " ".join(place)
        only_place = bool(place) and unknown == 0
        matches: list[PlaceMatch] = []
        if query and maybe_place and not other_question:
            if only_place or intent or says_place:
                matches = self.search(query)
            elif len(place) <= 2:
                # One or two words very nearly a place name ("tanjungagung", "gelumbng").
                matches = [m for m in self.search(query) if m.score >= 92]
        # One kind said ("kecamatan X", "desa X"): a namesake of another kind is not meant.
        kinds = {KIND_SAID[w] for w in words[:-1] if w in KIND_SAID}
        if len(kinds) == 1:
            matches = [m for m in matches if m.region.level in kinds] or matches
        is_question = bool(matches) or (says_place and intent and not other_question)
        return PlaceQuery(matches, query, is_question, says_place, intent)

    def search(self, query: str, limit: int = 6) -> list[PlaceMatch]:
        compact = query.replace(" ", "")
        if len(compact) < 3:
            return []
        hits = process.extract(compact, self._names, scorer=fuzz.ratio, score_cutoff=85,
                               limit=limit * 3)
        best: dict[str, PlaceMatch] = {}
        for _, score, index in hits:
            region = self._owners[index]
            if region.code not in best or best[region.code].score < score:
                best[region.code] = PlaceMatch(region, float(score))
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.region.level, m.region.name))
        if not ranked:
            return []
        top = ranked[0].score
        # Keep only places about as good as the best (same-named desa, a kecamatan and its desa).
        return [m for m in ranked if m.score >= top - 3][:limit]
