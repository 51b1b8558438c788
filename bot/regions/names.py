"""Which kabupaten/kota of the deployment a message names, however it is spelt: "muara enim",
"muaro enim", "kab. muara enim", "lubuklinggau", or another name people use ("plg", "muba":
content/region_names.yaml, each with its source). Names are context, not topic: this decides
only which region a question is about."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.regions.tree import fold

# Words naming the kind of region, not the region ("kab. lahat", "kota palembang").
KIND_WORDS = frozenset({"kabupaten", "kab", "kota", "kodya", "kotamadya", "regency", "city"})
FUZZY_MIN_LETTERS = 6      # shorter names ("lahat": "lihat") must be written exactly
FUZZY_CUTOFF = 88          # "muaroenim" / "muaraenim" is 89


def bare(name: str) -> str:
    """A region's name without its kind: "Kabupaten Muara Enim" -> "muara enim"."""
    return " ".join(w for w in fold(name).split() if w not in KIND_WORDS)


# Words that make the next one a place: "di plg", "kota plg", "wako plg".
PLACE_CUES = KIND_WORDS | frozenset({"di", "ke", "dari", "daerah", "wilayah", "walikota", "wako",
                                     "pilwako", "pilwalkot", "in", "from"})
PASSING = frozenset({"di", "ke", "dan", "yang", "yg", "ya", "kak", "min", "dong", "sih", "saya",
                     "aku", "i"})


class RegionNamer:
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
        self._names = sorted(((n.split(), c) for n, c in found.items() if n),
                             key=lambda item: -len(" ".join(item[0])))

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
        for parts, code in self._names:
            for i in range(len(words) - len(parts) + 1):
                if words[i:i + len(parts)] == parts:
                    rest = words[:i] + words[i + len(parts):]
                    if " ".join(parts) not in self._everyday or _as_place(typed, parts, rest):
                        return code, rest
        chunks = [(i, n) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)]
        best: tuple[float, str, int, int] | None = None
        for parts, code in self._names:
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


def _as_place(typed: list[str], parts: list[str], rest: list[str]) -> bool:
    """An everyday word said as a place: after a place word, or with nothing else to say."""
    if all(w in PASSING for w in rest):
        return True
    return any(typed[i:i + len(parts)] == parts and i > 0 and typed[i - 1] in PLACE_CUES
               for i in range(len(typed) - len(parts) + 1))
