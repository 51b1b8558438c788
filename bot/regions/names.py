"""Which kabupaten/kota of the deployment a message names, however it is spelt: "muara enim",
"muaro enim", "kab. muara enim", "lubuklinggau", or another name people use ("plg", "muba":
content/region_names.yaml, each with its source). Names are context, not topic: this decides
only which region a question is about.

Many names are both a kabupaten and a kota (Bogor, Malang, Kediri, ...): the kind said nearest
the name decides ("kota bogor", "calon walikota bogor": the kota; "kab bogor", "bupati bogor":
the kabupaten); a bare "bogor" names both, and the caller decides (the asker's own, or asks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.regions.tree import FILLER, fold

# Words naming the kind of region, not the region ("kab. lahat", "kota palembang").
KIND_WORDS = frozenset({"kabupaten", "kab", "kota", "kodya", "kotamadya", "regency", "city"})
FUZZY_MIN_LETTERS = 6      # shorter names ("lahat": "lihat") must be written exactly
FUZZY_CUTOFF = 88          # "muaroenim" / "muaraenim" is 89
# A long message (a forward, a story) is searched for a misspelt name only here:
FUZZY_HEAD, FUZZY_TAIL = 40, 20


def bare(name: str) -> str:
    """A region's name without its kind: "Kabupaten Muara Enim" -> "muara enim"."""
    return " ".join(w for w in fold(name).split() if w not in KIND_WORDS)


# Words that say which of a kabupaten and a kota of one name is meant.
KABUPATEN_CUES = frozenset({"kabupaten", "kab", "bupati", "wabup", "cabup", "cabub", "pilbup",
                            "regency", "regent"})
KOTA_CUES = frozenset({"kota", "kodya", "kotamadya", "walikota", "walkot", "wako", "cawalkot",
                       "pilwako", "pilwalkot", "city", "mayor"})


def kind_of(name: str) -> str:
    """"Kota Bogor" -> "kota", "Kabupaten Bogor" -> "kabupaten"."""
    return "kota" if fold(name).split()[:1] == ["kota"] else "kabupaten"


@dataclass(frozen=True)
class Named:
    """What a message names: one code, or (the kind unsaid) a kabupaten and a kota of the
    same name, kabupaten first; and the message's other words."""
    codes: tuple[str, ...]
    rest: list[str]


# Words that make the next one a place: "di plg", "kota plg", "wako plg".
PLACE_CUES = KIND_WORDS | frozenset({"di", "ke", "dari", "daerah", "wilayah", "walikota", "wako",
                                     "pilwako", "pilwalkot", "in", "from"})
PASSING = frozenset({"di", "ke", "dan", "yang", "yg", "ya", "kak", "min", "dong", "sih", "saya",
                     "aku", "i"})


# Words besides the name and its kind in a reply naming a place ("saya nyoblos di plg kak",
# "I'm from Ogan Komering Ulu Timur"); more make a message of its own, however long the name.
MAX_REPLY_WORDS = 4
# Nor is a message of more words than this, whatever it names (no need to look: a long
# question costs the lookup of its names once, in faq/regional.py, not again here).
MAX_REPLY_MESSAGE_WORDS = 12
# The words that may stand around a region's name in a message that only names it, a reply
# naming a place ("saya di plg kak", "aku dari muba", "I'm from Palembang"): pronouns,
# prepositions, particles, forms of address. A verb, a question word, any other word says more.
PLACE_WORDS = FILLER | frozenset({
    "dari", "domisili", "asal", "warga", "orang", "kami", "gue", "gw", "sy", "aq", "bang", "mas",
    "mbak", "pak", "bu", "deh", "aja", "saja", "sini", "nih", "ini", "daerah", "wilayah", "lah",
    "mah", "am", "im", "m", "from", "we",
    # where one lives is said, not asked: "saya tinggal di plg", "I live in Palembang"
    "tinggal", "live"})
# In answer to "where do you vote?" its verbs too ("nyoblos di plg", "I vote in Palembang"); any
# other word makes the message a question of its own ("jadwal debat lahat?"), answered as one.
REPLY_WORDS = PLACE_WORDS | frozenset({
    "milih", "memilih", "nyoblos", "coblos", "pilih", "ktp", "kok", "vote"})
# fold() reads a lone "I" as the numeral ("Banyuasin I" = "banyuasin 1"); first, it is "I".
PRONOUN_I = "1"


def only_a_place(text: str, rest: list[str], *, asked: bool = False) -> bool:
    """Whether a message naming a region (`rest`: its other words, names.Named.rest) is only
    that place, a reply naming it ("plg", "saya di lubuk linggau", "I'm from Palembang"), not
    a question about it ("nyoblos di palembang", "siapa calon walikota palembang?"): a few
    words, no "?", and around the name only PLACE_WORDS. `asked`: the bot asked where the
    citizen votes and waits, so a reply's verbs and a doubtful "?" answer it too."""
    if rest[:1] == [PRONOUN_I] and fold(text).split()[:1] == [PRONOUN_I]:
        rest = rest[1:]
    if len(rest) > MAX_REPLY_WORDS or ("?" in text and not asked):
        return False
    allowed = REPLY_WORDS if asked else PLACE_WORDS
    return all(w in allowed for w in rest)


def elsewhere_alone(text: str, places: Iterable[str], *, asked: bool = False) -> bool:
    """Whether a message is only a place outside the deployment, one or more of `places`
    (scope.yaml's `elsewhere`: "bandung", "saya di dki jakarta"), by the rule of only_a_place."""
    rest = [w for w in fold(text).split() if w not in KIND_WORDS]
    if len(rest) > 2 * MAX_REPLY_WORDS:      # no longer a place said alone: a long message
        return False                         # would cost a scan per place name for nothing
    found = False
    for parts in sorted((p.split() for p in places), key=len, reverse=True):
        i = 0
        while i + len(parts) <= len(rest):
            if rest[i:i + len(parts)] == parts:
                rest, found = rest[:i] + rest[i + len(parts):], True
            else:
                i += 1
    return found and only_a_place(text, rest, asked=asked)


class RegionNamer:
    """Names indexed so a message costs little however many regions there are: an exact name
    is looked up by its first word; a misspelt one is compared (rapidfuzz, in C) only with
    names of about its length, and only in the first FUZZY_HEAD and last FUZZY_TAIL words of a
    long message (its opening, and the question a long story ends with)."""

    def __init__(self, names: dict[str, str], other: dict[str, list[str]] | None = None,
                 everyday: set[str] | None = None) -> None:
        self._everyday = {bare(w) for w in everyday or ()}
        self._kinds = {code: kind_of(name) for code, name in names.items()}
        # (words of the name, its codes), longest first: "ogan komering ulu timur" before
        # "... ulu"; a name both a kabupaten's and a kota's has both codes, kabupaten first.
        found: dict[str, tuple[str, ...]] = {}
        for code, name in sorted(names.items(), key=lambda item: self._kinds[item[0]]):
            found[bare(name)] = (*found.get(bare(name), ()), code)
        for code, more in (other or {}).items():
            if code in names:
                for name in more:
                    found.setdefault(bare(name), (code,))
        ranked = sorted(((n.split(), c) for n, c in found.items() if n),
                        key=lambda item: -len(" ".join(item[0])))
        # A name's rank decides between matches: the longest name, as written above.
        self._by_first: dict[str, list[tuple[int, list[str], tuple[str, ...]]]] = {}
        by_length: dict[int, list[tuple[int, str, tuple[str, ...]]]] = {}
        for rank, (parts, codes) in enumerate(ranked):
            self._by_first.setdefault(parts[0], []).append((rank, parts, codes))
            target = "".join(parts)
            if len(target) >= FUZZY_MIN_LETTERS:
                by_length.setdefault(len(target), []).append((rank, target, codes))
        # For a chunk of n letters: the names of n-2..n+2 letters, in rank order.
        self._near: dict[int, tuple[list[str], list[tuple[int, tuple[str, ...]]]]] = {}
        for size in range(FUZZY_MIN_LETTERS - 2, max(by_length, default=0) + 3):
            near = sorted(item for d in range(-2, 3) for item in by_length.get(size + d, []))
            if near:
                self._near[size] = ([t for _, t, _ in near], [(r, c) for r, _, c in near])

    def named(self, text: str) -> str | None:
        """The code of the kabupaten/kota the text names (the longest name found), if any;
        None when it names a kabupaten and a kota alike."""
        found = self.find(text)
        return found[0] if found else None

    def find(self, text: str) -> tuple[str, list[str]] | None:
        """The code of the kabupaten/kota the text names, and the text's other words (without
        the name and the kind words), if any (not when it could be a kabupaten or a kota)."""
        found = self.lookup(text)
        return (found.codes[0], found.rest) if found and len(found.codes) == 1 else None

    def lookup(self, text: str) -> Named | None:
        """What the text names, the kind deciding between a kabupaten and a kota of one name."""
        typed = fold(text).split()
        at = [j for j, w in enumerate(typed) if w not in KIND_WORDS]   # words -> typed
        words = [typed[j] for j in at]
        if not words:
            return None
        exact: tuple[int, int, list[str], tuple[str, ...], list[str]] | None = None
        for i, word in enumerate(words):
            for rank, parts, codes in self._by_first.get(word, ()):
                if exact is not None and (rank, i) >= exact[:2]:
                    continue
                if words[i:i + len(parts)] == parts:
                    rest = words[:i] + words[i + len(parts):]
                    if " ".join(parts) not in self._everyday or _as_place(typed, parts, rest):
                        exact = (rank, i, parts, codes, rest)
        if exact is not None:
            return self._decided(exact[3], typed, at[exact[1]], exact[4])
        fuzzy = self._fuzzy(words)
        if fuzzy is None:
            return None
        codes, i, rest, _ = fuzzy
        return self._decided(codes, typed, at[i], rest)

    def spans(self, typed: list[str], everyday: Callable[[str], bool] | None = None,
              ) -> list[tuple[int, int]]:
        """Where names of the deployment's kabupaten/kota stand in a folded message's words
        (start, end), every one said exactly (the longest at each place), else the one found
        misspelt, unless its words are all `everyday` words ("empat lawan" is no misspelt
        "Empat Lawang"): what the answer model reads as "a kabupaten/kota" (places.py)."""
        at = [j for j, w in enumerate(typed) if w not in KIND_WORDS]   # words -> typed
        words = [typed[j] for j in at]
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            for _, parts, _ in self._by_first.get(words[i], ()):
                if words[i:i + len(parts)] == parts and (
                        " ".join(parts) not in self._everyday
                        or _as_place(typed, parts, words[:i] + words[i + len(parts):])):
                    found.append((at[i], at[i + len(parts) - 1] + 1))
                    i += len(parts) - 1
                    break
            i += 1
        if found or not words:
            return found
        fuzzy = self._fuzzy(words)
        if fuzzy is None:
            return []
        _, i, _, n = fuzzy
        if everyday is not None and all(everyday(w) for w in words[i:i + n]):
            return []
        return [(at[i], at[i + n - 1] + 1)]

    def _decided(self, codes: tuple[str, ...], typed: list[str], at: int,
                 rest: list[str]) -> Named:
        """One code when the name is one region's, or the kind said nearest before the name
        (else after it) picks the kabupaten or the kota."""
        if len(codes) > 1:
            for j in [*range(at - 1, -1, -1), *range(at + 1, len(typed))]:
                kind = "kota" if typed[j] in KOTA_CUES else \
                    "kabupaten" if typed[j] in KABUPATEN_CUES else None
                picked = [c for c in codes if self._kinds[c] == kind]
                if picked:
                    codes = (picked[0],)
                    break
        return Named(codes, rest)

    def _fuzzy(self, words: list[str]) -> tuple[tuple[str, ...], int, list[str], int] | None:
        spans = list(range(len(words)))
        if len(words) > FUZZY_HEAD + FUZZY_TAIL:
            spans = spans[:FUZZY_HEAD] + spans[-FUZZY_TAIL:]
        best: tuple[float, int, int, tuple[str, ...], int, int] | None = None  # -score, rank, ...
        order = 0
        for n in (1, 2, 3, 4):
            for i in spans:
                if i + n > len(words):
                    continue
                order += 1
                chunk = "".join(words[i:i + n])
                near = self._near.get(len(chunk))
                if near is None:
                    continue
                hit = process.extractOne(chunk, near[0], scorer=fuzz.ratio,
                                         score_cutoff=FUZZY_CUTOFF)
                if hit is None:
                    continue
                rank, codes = near[1][hit[2]]
                key = (-hit[1], rank, order, codes, i, n)
                if best is None or key < best:
                    best = key
        if best is None:
            return None
        *_, codes, i, n = best
        return codes, i, words[:i] + words[i + n:], n


def _as_place(typed: list[str], parts: list[str], rest: list[str]) -> bool:
    """An everyday word said as a place: after a place word, or with nothing else to say."""
    if all(w in PASSING for w in rest):
        return True
    return any(typed[i:i + len(parts)] == parts and i > 0 and typed[i - 1] in PLACE_CUES
               for i in range(len(typed) - len(parts) + 1))
