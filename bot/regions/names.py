"""Which kabupaten/kota of the deployment a message names, however it is spelt: "muara enim",
"muaro enim", "kab. muara enim", "lubuklinggau", or another name people use ("plg", "muba":
content/region_names.yaml, each with its source). Names are context, not topic: this decides
only which region a question is about."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.regions.tree import fold

# Words naming the kind of region, not the region ("kab. lahat", "kota palembang").
KIND_WORDS = frozenset({"kabupaten", "kab", "kota", "kodya", "kotamadya", "regency", "city"})
FUZZY_MIN_LETTERS = 6      # shorter names ("lahat": "lihat") must be written exactly
FUZZY_CUTOFF = 88          # "muaroenim" / "muaraenim" is 89
# A long message (a forward, a story) is searched for a misspelt name only here:
FUZZY_HEAD, FUZZY_TAIL = 40, 20


def bare(name: str) -> str:
    """A region's name without its kind: "Kabupaten Muara Enim" -> "muara enim"."""
    return " ".join(w for w in fold(name).split() if w not in KIND_WORDS)


# Words that make the next one a place: "di plg", "kota plg", "wako plg".
PLACE_CUES = KIND_WORDS | frozenset({"di", "ke", "dari", "daerah", "wilayah", "walikota", "wako",
                                     "pilwako", "pilwalkot", "in", "from"})
PASSING = frozenset({"di", "ke", "dan", "yang", "yg", "ya", "kak", "min", "dong", "sih", "saya",
                     "aku", "i"})


class RegionNamer:
    """Names indexed so a message costs little however many regions there are: an exact name
    is looked up by its first word; a misspelt one is compared (rapidfuzz, in C) only with
    names of about its length, and only in the first FUZZY_HEAD and last FUZZY_TAIL words of a
    long message (its opening, and the question a long story ends with)."""

    def __init__(self, names: dict[str, str], other: dict[str, list[str]] | None = None,
                 everyday: set[str] | None = None) -> None:
        self._everyday = {bare(w) for w in everyday or ()}
        # (words of the name, code), longest first: "ogan komering ulu timur" before "... ulu".
        found: dict[str, str] = {}
        for code, name in names.items():
            found.setdefault(bare(name), code)
        for code, more in (other or {}).items():
            if code in names:
                for name in more:
                    found.setdefault(bare(name), code)
        ranked = sorted(((n.split(), c) for n, c in found.items() if n),
                        key=lambda item: -len(" ".join(item[0])))
        # A name's rank decides between matches: the longest name, as written above.
        self._by_first: dict[str, list[tuple[int, list[str], str]]] = {}
        by_length: dict[int, list[tuple[int, str, str]]] = {}
        for rank, (parts, code) in enumerate(ranked):
            self._by_first.setdefault(parts[0], []).append((rank, parts, code))
            target = "".join(parts)
            if len(target) >= FUZZY_MIN_LETTERS:
                by_length.setdefault(len(target), []).append((rank, target, code))
        # For a chunk of n letters: the names of n-2..n+2 letters, in rank order.
        self._near: dict[int, tuple[list[str], list[tuple[int, str]]]] = {}
        for size in range(FUZZY_MIN_LETTERS - 2, max(by_length, default=0) + 3):
            near = sorted(item for d in range(-2, 3) for item in by_length.get(size + d, []))
            if near:
                self._near[size] = ([t for _, t, _ in near], [(r, c) for r, _, c in near])

    def named(self, text: str) -> str | None:
        """The code of the kabupaten/kota the text names (the longest name found), if any."""
        found = self.find(text)
        return found[0] if found else None

    def find(self, text: str) -> tuple[str, list[str]] | None:
        """The code of the kabupaten/kota the text names, and the text's other words (without
        the name and the kind words), if any."""
        typed = fold(text).split()
        words = [w for w in typed if w not in KIND_WORDS]
        if not words:
            return None
        exact: tuple[int, int, list[str], str, list[str]] | None = None
        for i, word in enumerate(words):
            for rank, parts, code in self._by_first.get(word, ()):
                if exact is not None and (rank, i) >= exact[:2]:
                    continue
                if words[i:i + len(parts)] == parts:
                    rest = words[:i] + words[i + len(parts):]
                    if " ".join(parts) not in self._everyday or _as_place(typed, parts, rest):
                        exact = (rank, i, parts, code, rest)
        if exact is not None:
            return exact[3], exact[4]
        return self._fuzzy(words)

    def _fuzzy(self, words: list[str]) -> tuple[str, list[str]] | None:
        spans = list(range(len(words)))
        if len(words) > FUZZY_HEAD + FUZZY_TAIL:
            spans = spans[:FUZZY_HEAD] + spans[-FUZZY_TAIL:]
        best: tuple[float, int, int, str, int, int] | None = None   # -score, rank, order, ...
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
                rank, code = near[1][hit[2]]
                key = (-hit[1], rank, order, code, i, n)
                if best is None or key < best:
                    best = key
        if best is None:
            return None
        *_, code, i, n = best
        return code, words[:i] + words[i + n:]


def _as_place(typed: list[str], parts: list[str], rest: list[str]) -> bool:
    """An everyday word said as a place: after a place word, or with nothing else to say."""
    if all(w in PASSING for w in rest):
        return True
    return any(typed[i:i + len(parts)] == parts and i > 0 and typed[i - 1] in PLACE_CUES
               for i in range(len(typed) - len(parts) + 1))
