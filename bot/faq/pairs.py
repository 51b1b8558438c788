"""The pairs' own names are a side of this race (issue 18). A citizen often names a pair only by
its candidates' names or its nickname ("bagusan al-shinta apa sonni?", "mending herman deru atau
eddy santana?"): the neutral entry's triggers (bot/faq/matcher.py) and sides.py read such a name
as "paslon", the word they are written with, so that a request to take sides naming a pair that
way is read as one naming "paslon" (and is not off-topic, nor about another place because of a
word in a name). The names are the content's (`candidates:` in election.yaml and the layers'
region.yaml, checked against the answers that list them: bot/content/candidates.py); in a
province every layer's pairs are read alike. The answer model reads the message as typed: read
this way too it was no better (docs/answer-model.md, "The pairs' own names").

When a name counts (its words lower case, punctuation as spaces: "HNU-Lia" is "hnu lia"):
- a candidate's whole name of two words or more, a part of it of two words or more with a word
  that is safe alone ("nasrun umar" of "H. Nasrun Umar", "eddy santana": three letters or
  more, no word of the language (Sastrawi's root words, or made of one: places.py's guard),
  none of the content's other words, stop words or slang), a pair's two names together
  ("edison sumarni"), and a nickname of several words ("al shinta"), wherever they stand;
- a nickname of one word that is safe alone and no candidate's first name ("sonni"), wherever
  it stands; one that is an everyday word ("ERA", "RAPI"), and a safe word of a nickname of
  several words ("HNU" of "HNU-Lia"), only typed in capitals, in a message not all in capitals;
- one word of a candidate's name (a name of one word, "Edison", or a word of a longer one)
  only after a word that names a person or a candidate ("pak deru", "cabup edison", "bu
  anita"): alone it is someone else's name as often as not ("saya Herman, mau tanya...",
  "hasil pilkada Medan, Alex"), or an everyday word ("deru", "cik", "ratu"). After such a
  word, any of the above counts.
A pair's two names side by side ("Edison–Sumarni", "Herman Deru dan Cik Ujang") are one word."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.content.candidates import races
from bot.content.schema import Candidates
from bot.faq.places import CACHE, Spans, _everyday, masked
from bot.faq.words import STOPWORDS
from bot.regions.tree import fold

if TYPE_CHECKING:
    from bot.content.model import Content
    from bot.faq.normalize import Normalizer

PAIR_WORD = "paslon"       # what a pair is called: the word the triggers and scope.yaml use
# Words that say the next one is a person or a candidate: titles and forms of address, and the
# race's words for a candidate.
CUES = frozenset({"pak", "bapak", "bpk", "pk", "bu", "ibu", "buk", "bang", "abang", "kak", "kakak",
                  "mbak", "mas", "om", "wak", "mr", "mrs", "ms", "sdr", "calon", "paslon",
                  "kandidat", "cagub", "cawagub", "cabup", "cawabup", "cawako", "cawawako",
                  "cawalkot", "candidate"})
# Between a pair's two names: "Herman Deru dan Cik Ujang" is the pair.
JOINS = frozenset({"dan", "and", "with", "bersama"})
ANYWHERE, AFTER_CUE, IN_CAPITALS = 0, 1, 2
MIN_ALONE = 3           # letters a word needs to be a name alone: not "al", nor an initial


class PairNames:
    def __init__(self, races: Iterable[Candidates], ordinary: Iterable[str] = (),
                 common: Iterable[str] = ()) -> None:
        """`ordinary`: the content's words, without the names' own (the content writes "sonni"
        and "rdps" as keywords); `common`: stop words and slang, ordinary whatever they name."""
        pairs = [([fold(n).split() for n in pair.names], [fold(k).split() for k in pair.nicknames])
                 for race in races for pair in race.pairs]
        own = {w for names, nicks in pairs for name in [*names, *nicks] for w in name}
        self._ordinary = (frozenset(ordinary) - own) | frozenset(common)
        # One word of a name alone is someone else's name as often as not ("Herman", "Edison",
        # "Alex", "Umar": "saya Herman, mau tanya...", "hasil pilkada Medan, Alex"): it counts
        # only after a cue ("pak Deru", "cabup Edison"); a word of a nickname only in capitals.
        # A first name is not a nickname alone either. Initials and titles ("H.", "R.A.") are
        # not a first name.
        self._given = frozenset(next((w for w in name if len(w) >= MIN_ALONE), "")
                                for names, _ in pairs for name in names if len(name) > 1)
        found: dict[str, tuple[int, int]] = {}       # name -> (its pair, when it counts)

        def add(words: list[str], pair: int, where: int) -> None:
            key = " ".join(words)
            if key and where < found.get(key, (pair, 99))[1]:
                found[key] = (pair, where)

        for pair, (names, nicknames) in enumerate(pairs):
            if len(names) > 1:      # the pair by its two names ("edison sumarni"): the pair
                add([w for name in names for w in name], pair, ANYWHERE)
            for name in names:
                add(name, pair, ANYWHERE if len(name) > 1 else AFTER_CUE)
                for size in range(1, len(name)):
                    for start in range(len(name) - size + 1):
                        part = name[start:start + size]
                        if size > 1 and any(self._safe(w) for w in part):
                            add(part, pair, ANYWHERE)
                        elif size == 1 and len(part[0]) >= MIN_ALONE:
                            add(part, pair, AFTER_CUE)
            for nick in nicknames:
                add(nick, pair, ANYWHERE if len(nick) > 1 else self._alone(nick[0], IN_CAPITALS))
                for word in nick if len(nick) > 1 else ():
                    if self._alone(word, -1) == ANYWHERE:
                        add([word], pair, IN_CAPITALS)
        self._names = found
        sizes: dict[str, set[int]] = {}
        for key in found:
            sizes.setdefault(key.split()[0], set()).add(len(key.split()))
        self._sizes = {first: sorted(n, reverse=True) for first, n in sizes.items()}
        self.mask = lru_cache(maxsize=CACHE)(self._mask)

    @classmethod
    def of(cls, content: Content, normalizer: Normalizer) -> PairNames:
        """Every race's pairs in the deployment; the normaliser's words as ordinary ones."""
        return cls([race.candidates for race in races(content)], normalizer.known_words,
                   STOPWORDS | frozenset(normalizer.slang))

    def _safe(self, word: str) -> bool:
        return len(word) >= MIN_ALONE and not word.isdigit() and word not in self._ordinary \
            and not _everyday(word)

    def _alone(self, word: str, otherwise: int) -> int:
        """When `word` counts as a name alone: anywhere when safe and no first name."""
        return ANYWHERE if self._safe(word) and word not in self._given else otherwise

    def _mask(self, text: str) -> str:
        """`text` with the pairs' names as PAIR_WORD (what the triggers and sides.py read)."""
        return masked(text, self.spans)

    def spans(self, words: list[str], typed: list[str]) -> Spans:
        """The pairs' names among `words` (lower case; `typed`: as typed), one span a pair's
        names said together."""
        found: list[tuple[int, int, int]] = []
        shouting = not any(t != t.upper() for t in typed)     # the whole message in capitals
        i = 0
        while i < len(words):
            for size in self._sizes.get(words[i], ()):
                pair, where = self._names.get(" ".join(words[i:i + size]), (-1, 0)) \
                    if i + size <= len(words) else (-1, 0)
                if pair < 0:
                    continue
                capitals = not shouting and all(t.isupper() for t in typed[i:i + size])
                if where != ANYWHERE and not (i > 0 and words[i - 1] in CUES) \
                        and not (where == IN_CAPITALS and capitals):
                    continue
                if found and found[-1][2] == pair and (found[-1][1] == i or (
                        found[-1][1] == i - 1 and words[i - 1] in JOINS)):
                    found[-1] = (found[-1][0], i + size, pair)
                else:
                    found.append((i, i + size, pair))
                i += size
                break
            else:
                i += 1
        return [(s, e, PAIR_WORD) for s, e, _ in found]
