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


class RegionNamer:
    def __init__(self, names: dict[str, str], other: dict[str, list[str]] | None = None) -> None:
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
        words = [w for w in fold(text).split() if w not in KIND_WORDS]
        if not words:
            return None
        for parts, code in self._names:
            for i in range(len(words) - len(parts) + 1):
                if words[i:i + len(parts)] == parts:
                    return code, words[:i] + words[i + len(parts):]
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
