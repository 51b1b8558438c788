"""Schemas of the optional language files: dialect.yaml (local words), scope.yaml (what is
out of scope) and kinds.yaml (messages that are not questions). Kept apart from schema.py: they
describe how people write, not the election."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from bot.content.schema import Slug, Source, Strict

# ---- scope.yaml (optional) ---------------------------------------------------------------


Phrase = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+( [a-z0-9]+)*$")]
# A short name in capitals, dots allowed ("US", "U.S.", "AS"), read only as typed.
Capitals = Annotated[str, StringConstraints(pattern=r"^[A-Z](\.?[A-Z])+\.?$")]


class Scope(Strict):
    """Places outside the deployment, and the topics that make a question about them out of
    scope (their results, candidates, polling stations, dates); what a request to take sides in
    this election names, and the other things such a request may be about (bot/faq/sides.py)."""
    elsewhere: list[Phrase] = Field(default_factory=list)
    # Other countries: out of scope as `elsewhere`, unless the message also names this race
    # (`race`: "paslon mana yang pro palestina?" asks about this election's sides).
    countries: list[Phrase] = Field(default_factory=list)
    race: list[Phrase] = Field(default_factory=list)
    # Other countries' short names that are everyday words in lower case ("us", "as"): only as
    # typed, in capitals.
    elsewhere_capitals: list[Capitals] = Field(default_factory=list)
    topics: list[Phrase] = Field(default_factory=list)
    # The asker's own procedure (moving their vote, working or studying there): answered
    # whatever place it names.
    procedure: list[Phrase] = Field(default_factory=list)
    # What a request to take sides in this election names: its pairs, candidates, parties, the
    # race or the vote (bot/faq/sides.py).
    sides: list[Phrase] = Field(default_factory=list)
    # Things people ask the best of, or who wins, that are none of the election's sides (a place
    # to stay, food, sport, a phone): such a request naming no side is off-topic, not neutral.
    other_things: list[Phrase] = Field(default_factory=list)


# ---- dialect.yaml (optional) -------------------------------------------------------------


class DialectWord(Strict):
    means: Annotated[str, StringConstraints(pattern=r"^[a-z]+( [a-z]+)*$")]
    source: Slug


Ending = Annotated[str, StringConstraints(pattern=r"^[a-z]{1,3}$")]


class DialectEnding(Strict):
    """A regular sound change at the end of a word ("apa" said "apo"): a word ending in
    `typed` that the content does not know is read with `means` instead, if that is a word."""
    typed: Ending
    means: Ending
    source: Slug


class Dialect(Strict):
    """Local words -> the Indonesian word the matcher reads, each with its source."""
    sources: dict[Slug, Source] = Field(min_length=1)
    words: dict[Annotated[str, StringConstraints(pattern=r"^[a-z]+( [a-z]+)*$")], DialectWord]
    endings: list[DialectEnding] = Field(default_factory=list)

    def unknown_sources(self) -> list[tuple[str, str]]:
        """(field, source) for each word or ending citing a source not in `sources` (the
        loader reports each at its line: loaders.load_dialect)."""
        cited = [(f"words.{w}.source", d.source) for w, d in self.words.items()]
        cited += [(f"endings.{n}.source", e.source) for n, e in enumerate(self.endings)]
        return [(where, sid) for where, sid in cited if sid not in self.sources]


# ---- kinds.yaml (optional) ---------------------------------------------------------------

Example = Annotated[str, StringConstraints(min_length=2, max_length=300)]


class KindExamples(Strict):
    id: list[Example] = Field(min_length=1)
    en: list[Example] = Field(min_length=1)


class Kinds(Strict):
    """Example messages, in the deployment's own words, of the kinds of message that are not
    a question an entry answers: what the answer model learns them from besides content/training/
    (a request to take sides learns from the neutral entry's own questions)."""
    smalltalk: KindExamples | None = None
    injection: KindExamples | None = None
    decline: KindExamples | None = None
