"""Turn how people actually type (slang, typos, affixes, missing spaces) into canonical terms."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.faq.slang import SLANG
from bot.faq.spoken import spoken_roots
from bot.faq.words import (
    CLITICS,
    REDUP_RE,
    STOPWORDS,
    THANKS_RE,
    TOKEN_RE,
    _fold,
    _is_root_word,
    _light_stem,
    _stem,
)

# Bounds on the work one message can cause (the event loop serves every citizen): no word
# people type is longer than this, and no question needs more words than this.
MAX_WORD = 24
MAX_WORDS = 80
# New words a message may send through the stemmer and repair (~0.5 ms each); more go as typed.
NEW_WORDS_BUDGET = 8
REPAIR_CACHE = 50_000


def _by_initial(words: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for word in sorted(words):
        found.setdefault(word[0], []).append(word)
    return found


# First letters spelt either way ("fotokopi"/"photocopy", "cek"/"kek"); a word starting with a
# vowel may have dropped its "h" ("ilang", "abis", "asil").
ALIKE = {"f": "fp", "p": "pf", "c": "ck", "k": "kc", "v": "vf"}


def _alike(lists: dict[str, list[str]], word: str) -> list[str]:
    initials = ALIKE.get(word[0], word[0]) + ("h" if word[0] in "aeiou" else "")
    return [w for i in initials for w in lists.get(i, ())]


class Normalizer:
    """Canonical terms for a text. `vocabulary` (built from content) enables typo and
    missing-space repair; without it only deterministic steps run."""

    def __init__(self) -> None:
        self.vocabulary: frozenset[str] = frozenset()
        # Typo candidates by first letter: people rarely mistype the first one ("lose" is not
        # a typo of "close"), and it cuts the search. See _alike for the sounds spelt apart.
        self._vocab_list: dict[str, list[str]] = {}
        self._typed_list: dict[str, list[str]] = {}
        self._repaired: dict[str, tuple[str, ...]] = {}
        self.slang: dict[str, str] = dict(SLANG)
        self._phrases: list[tuple[re.Pattern[str], str]] = []
        self.known_words: frozenset[str] = frozenset()  # content's words, stop words, slang
        self._regional = self.known_words               # words only region layers write
        self._endings: tuple[tuple[str, str], ...] = ()

    def set_vocabulary(self, words: Iterable[str], typed: Iterable[str] = (),
                       regional: Iterable[str] = ()) -> None:
        """`words`: the content's terms; `typed`: its words as written, repaired now (a question
        using them spends no new-word budget); `regional`: words only region layers write."""
        self.vocabulary = frozenset(w for w in words if w)
        self._regional = frozenset(regional)
        self._vocab_list = _by_initial(self.vocabulary)
        typed = frozenset(w for w in typed if w)
        # Words a part of a joined word can be without stemming: checked before the stemmer.
        self.known_words = self.vocabulary | typed | STOPWORDS | frozenset(self.slang)
        self._typed_list = _by_initial(w for w in typed | frozenset(self.slang)
                                       if w.isalpha() and len(w) >= 4)
        self._repaired.clear()
        for word in typed:
            self._repair(word)

    def add_words(self, words: dict[str, str], endings: Iterable[tuple[str, str]] = ()) -> None:
        """Local words (content/dialect.yaml): read as their Indonesian meaning; phrases of
        several words ("cak mano") are replaced before the text is split. `endings`: regular
        word-final changes ("duo" for "dua"), tried on words the content does not know."""
        self._endings = tuple(endings)
        for word, means in words.items():
            if " " in word:
                self._phrases.append((re.compile(rf"\b{re.escape(word)}\b"), means))
            else:
                self.slang[word] = means
        self._repaired.clear()

    def _phrase(self, text: str) -> str:
        text = THANKS_RE.sub("terimakasih", text)
        for pattern, means in self._phrases:
            text = pattern.sub(means, text)
        return text

    def _repair(self, raw: str) -> tuple[str, ...]:
        found = self._repaired.get(raw)
        if found is None:
            if len(self._repaired) >= REPAIR_CACHE:
                self._repaired.clear()
            found = self._repaired[raw] = self._repair_uncached(raw)
        return found

    # -- single words ---------------------------------------------------------------------

    @staticmethod
    def canonical(word: str) -> str:
        if len(word) == 1 and word.isdigit():
            return "#n"   # a slot value ("nomor 1", "paslon 3"): which number is not the topic
        stem = _stem(word) if word.isalpha() else word
        return _light_stem(stem or word)

    def _expand(self, raw: str) -> list[str]:
        redup = REDUP_RE.match(raw)
        if redup and raw not in self.slang:
            raw = redup.group(1)
        mapped = self.slang.get(raw)
        if mapped is None:
            return [raw]
        return mapped.split()

    def _repair_uncached(self, raw: str) -> tuple[str, ...]:
        """Canonical terms for one typed word not found in the vocabulary as it stands."""
        if len(raw) > MAX_WORD:
            return (raw,)  # no real word is this long: not worth stemming or repairing
        vocab = self.vocabulary
        canon = self.canonical(raw)
        if (canon in vocab and canon not in self._regional) or not vocab:
            return (canon,)
        # Local pronunciation written down: "duo", "mano", "jugo" for "dua", "mana", "juga".
        for typed, means in self._endings:
            if raw.endswith(typed) and len(raw) > len(typed) + 1 and raw.isalpha():
                local = raw[: -len(typed)] + means
                if local in STOPWORDS:
                    return (local,)
                if (found := self.canonical(local)) in vocab:
                    return (found,)
        if canon in vocab:
            return (canon,)         # a region layer's own word, not a local reading
        # A clitic typed without a space: "tpsku" -> "tps".
        for clitic in CLITICS:
            if raw.endswith(clitic) and len(raw) - len(clitic) >= 2:
                base = raw[: -len(clitic)]
                terms = [self.canonical(w) for w in self._expand(base)]
                if terms and all(t in vocab for t in terms):
                    return tuple(terms)
        spoken = self._colloquial(raw)
        if spoken is not None and all(t in vocab or t in STOPWORDS for t in spoken):
            return spoken
        # A real word the content does not use ("teman") is not a typo of one it does ("tema"),
        # nor two words typed together ("asal" is not "as" + "al").
        if _is_root_word(canon):
            return (canon,)
        # Two words typed together: "dimanatps", "cekdpt", "kapannyoblos". One part must be a
        # known word as typed, so the stemmer only sees likely cuts; a two-letter part must be
        # a function word ("ditps"), not an abbreviation ("no" + "long" is not "nolong").
        best: tuple[str, ...] | None = None
        surface = self.known_words
        for cut in range(2, len(raw) - 1):
            left, right = raw[:cut], raw[cut:]
            if left not in surface and right not in surface:
                continue
            if min(len(left), len(right)) == 2 and (left if len(left) == 2 else right) \
                    not in STOPWORDS:
                continue
            terms = [self.canonical(w) for part in (left, right) for w in self._expand(part)]
            if all(t in vocab or t in STOPWORDS for t in terms) and any(t in vocab for t in terms):
                if best is None or min(len(left), len(right)) > min(len(x) for x in best):
                    best = tuple(t for t in terms if t not in STOPWORDS)
        if best:
            return best
        if spoken is not None:
            return spoken
        # A typo: the closest vocabulary word, if it is close enough.
        if len(canon) >= 4 and canon.isalpha():
            cutoff = 84 if len(canon) <= 5 else 80
            hit = process.extractOne(canon, _alike(self._vocab_list, canon),
                                     scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None:
                return (hit[0],)
        # A typo of a word as the content writes it ("pmilih", "bupti", "hsil" + "nya"): the
        # stemmer cannot read a misspelt word, so compare the word as typed, and without its
        # clitic, with the content's own words.
        for typed in dict.fromkeys((raw, *(raw[: -len(c)] for c in CLITICS
                                           if raw.endswith(c) and len(raw) - len(c) >= 4))):
            if len(typed) < 4 or not typed.isalpha():
                continue
            cutoff = 84 if len(typed) <= 5 else 80
            hit = process.extractOne(typed, _alike(self._typed_list, typed),
                                     scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None:
                return tuple(self.canonical(w) for w in self._expand(hit[0]))
        return (canon,)

    def _colloquial(self, raw: str) -> tuple[str, ...] | None:
        """An English "un-" word, or a spoken verb form (bot/faq/spoken.py) read as its root: a
        content word if one of its roots is; else, for unmistakable forms, any root word."""
        vocab, fallback = self.vocabulary, None
        if raw.startswith("un") and (rest := self.canonical(raw[2:])) in vocab:
            return ("not", rest)              # English: "unpunched" is "not punched"
        for root, unmistakable in spoken_roots(raw):
            # Roots are words: only a known one is worth the stemmer (~0.5 ms a word).
            if root not in self.known_words and not _is_root_word(root):
                continue
            terms = tuple(self.canonical(w) for w in self._expand(root))
            if terms and all(t in vocab or t in STOPWORDS for t in terms) \
                    and any(t in vocab for t in terms):
                return tuple(t for t in terms if t not in STOPWORDS)
            known = root in self.slang or _is_root_word(root) or _is_root_word(terms[0])
            if fallback is None and known and unmistakable:
                fallback = tuple(t for t in terms if t not in STOPWORDS)
        return fallback

    # -- whole texts ----------------------------------------------------------------------

    def raw_words(self, text: str) -> list[str]:
        words: list[str] = []
        for raw in TOKEN_RE.findall(self._phrase(_fold(text))):
            words.extend(self._expand(raw))
        return words

    def terms(self, text: str, repair: bool = True, budget: int = NEW_WORDS_BUDGET) -> list[str]:
        """Canonical content terms, stopwords removed, in order. Work is bounded: at most
        MAX_WORDS words are read, and words over MAX_WORD characters are taken as they are."""
        out: list[str] = []
        for word in TOKEN_RE.findall(self._phrase(_fold(text)))[:MAX_WORDS]:
            for piece in self._expand(word):
                if not piece or piece in STOPWORDS:
                    continue
                if repair and piece not in self._repaired:
                    if budget <= 0:
                        out.append(piece)
                        continue
                    budget -= 1
                if repair:
                    out.extend(t for t in self._repair(piece) if t not in STOPWORDS)
                else:
                    canon = self.canonical(piece)
                    if canon not in STOPWORDS:
                        out.append(canon)
        return out
