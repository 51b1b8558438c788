"""Whether a request to take sides is about this election (content/scope.yaml).

The neutral reply ("I stay neutral, the choice is yours") is for requests to pick, rank or
judge the sides of THIS election, predict its winner or write its campaign material. The same
shape of request about something else ("which phone is the best?", "who will win the US
presidential election?", "rekomendasi penginapan") is off-topic and gets the decline, which
says what the bot covers. Whichever decided it (an entry's trigger, the keywords or the answer
model's `neutral`), a request to take sides is off-topic when it
- names another place (`elsewhere`) and not the deployment's own, or another country
  (`countries`, `elsewhere_capitals`) and not this race (`race`: its offices, its pairs):
  another place's race is not ours to stay neutral in; or
- names one of `other_things` (a place to stay, food, sport, a phone...) and none of `sides`
  (the pairs, candidates, parties, offices, the race, the vote).
A pair named by its candidates' names or its nickname is read as "paslon" (bot/faq/pairs.py:
"mending ratu dewa atau yudha pratomo, buat anak sekolah?"): a side of this race, and no word
of a name is a place.
A request naming neither ("siapa yang bakal menang?") is taken as about this election: a bot
about it is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.content.language import Scope

WORD = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*\.?")


def says(words: str, phrases: Iterable[str]) -> bool:
    """`words`: the message's words joined by single spaces, with a space at each end. Whole
    words; a phrase of 5+ letters also with an ending ("kelahirannya", "japanese")."""
    return any(f" {p} " in words or (len(p) >= 5 and f" {p}" in words) for p in phrases)


def names_capitals(names: frozenset[str], text: str) -> bool:
    """One of `names` (short names in capitals: "US", "U.S.") typed as one: a word in capitals
    between words that are not ("pilpres AS", "the US election"; not "AS SOON AS POSSIBLE", nor
    a message typed in capitals)."""
    if not names:
        return False
    words = WORD.findall(text)
    for n, word in enumerate(words):
        if word in names or word.rstrip(".") in names:
            around = words[max(0, n - 1):n] + words[n + 1:n + 2]
            if not any(len(w) > 1 and w.isupper() for w in around):
                return True
    return False


class Sides:
    def __init__(self, scope: Scope | None, raw_words: Callable[[str], list[str]],
                 own_place: tuple[str, ...], pairs: Callable[[str], str] | None = None) -> None:
        self._words = raw_words
        # a pair's names read as "paslon" (pairs.py): a side of this race, and no other place
        self._pairs = pairs or (lambda text: text)
        self._elsewhere = tuple(scope.elsewhere) if scope else ()
        self._countries = tuple(scope.countries) if scope else ()
        self._race = tuple(scope.race) if scope else ()
        self._capitals = frozenset(scope.elsewhere_capitals if scope else ())
        self._sides = tuple(scope.sides) if scope else ()
        self._things = tuple(scope.other_things) if scope else ()
        self._own_place = own_place

    def read(self, text: str) -> tuple[str, str]:
        """The message's words as says() reads them, and its text, a pair's names in both read
        as "paslon" (pairs.py: a side of this race; no word of a name is a place or a thing)."""
        text = self._pairs(text)
        return " " + " ".join(self._words(text)) + " ", text

    def elsewhere(self, words: str, text: str) -> bool:
        """`words` (as read()) name another place, or another country while naming nothing of
        this race ("cagub yang lulusan jepang?", "paslon mana yang pro palestina?", "apakah
        Herman Deru lulusan jepang?" are about this election's sides; "siapa presiden amerika
        terbaik?" is not)."""
        if says(words, self._elsewhere):
            return True
        return (says(words, self._countries) or names_capitals(self._capitals, text)) \
            and not says(words, self._race)

    def off_topic(self, text: str) -> bool:
        """A request to take sides about something other than this election."""
        words, text = self.read(text)
        if self.elsewhere(words, text) and not says(words, self._own_place):
            return True
        return says(words, self._things) and not says(words, self._sides)
