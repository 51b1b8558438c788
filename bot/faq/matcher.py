"""Rank FAQ entries for a free-text question, and say how sure we are.

BM25 over each entry's title, example questions and keywords (both languages), on unigram
and bigram terms after normalisation. Confidence comes from how much of the question's
informative weight the best entry explains, and how far it stands above the runner-up.
Thresholds are tuned with benchmarks/faq_accuracy.py, not by taste.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from bot.content.layers import Layer, ProvinceLayer
from bot.content.registry import Content
from bot.content.schema import LANGUAGES
from bot.faq.normalize import NEW_WORDS_BUDGET, Normalizer
from bot.faq.pairs import PairNames
from bot.faq.sides import Sides, says

# answer, suggest (choices), unknown; and from the answer model, the kinds of message that are
# not questions for an entry: decline (off-topic), neutral (take sides), smalltalk, injection.
Kind = Literal["answer", "suggest", "unknown", "decline", "neutral", "smalltalk", "injection"]

# Field weights: keywords are written for matching; titles summarise; questions show phrasing.
W_KEYWORD, W_TITLE, W_QUESTION = 3.0, 2.0, 1.0
K1, B = 1.2, 0.5
BIGRAM_BOOST = 1.5


@dataclass(frozen=True)
class Thresholds:
    min_score: float = 4.0        # below this, nothing fits
    min_coverage: float = 0.55    # share of the question's weight the best entry must explain
    close_ratio: float = 0.85     # runner-up within this ratio of the best -> offer choices
    max_suggestions: int = 3


@dataclass(frozen=True)
class Match:
    kind: Kind
    entry_ids: tuple[str, ...]      # best first; one for "answer", 2-3 for "suggest"
    score: float = 0.0
    coverage: float = 0.0
    ranking: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    words: int = 0                  # distinct words of the question the best entry has


def _bigrams(terms: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(terms)]


# The score of an answer a trigger (or a guard) gave: certain, whatever the ranking says.
TRIGGERED = float("inf")

LONG_MESSAGE_WORDS = 12
MAX_PARTS = 3
LONG_PART_TOP, LONG_PART_SHARE = 3, 0.5
SENTENCE_END = re.compile(r"([.?!;\n]+)")
CLAUSE = re.compile(r",\s+(?=(?:kalau|kalo|klo|trus|terus|jadi|tapi|tp|but|so|if)\b)")


def _sentences(text: str) -> list[tuple[str, bool]]:
    """Clauses of three words or more, each with whether it is the asking one (the last
    clause of a sentence ending in "?")."""
    chunks = SENTENCE_END.split(text)
    found: list[tuple[str, bool]] = []
    for i in range(0, len(chunks), 2):
        question = i + 1 < len(chunks) and "?" in chunks[i + 1]
        clauses = [c for c in CLAUSE.split(chunks[i]) if len(c.split()) >= 3]
        found += [(c, question and n == len(clauses) - 1) for n, c in enumerate(clauses)]
    return found


class Matcher:
    def __init__(self, content: Content, normalizer: Normalizer | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.normalizer = normalizer or Normalizer()
        self.thresholds = thresholds or Thresholds()
        self._build(content)

    def _build(self, content: Content) -> None:
        norm = self.normalizer
        norm.add_words(content.dialect, content.dialect_endings)
        scope = content.scope
        self._scope_topics = tuple(scope.topics) if scope else ()
        self._procedure = tuple(scope.procedure) if scope else ()
        # "Kabupaten Muara Enim" is written "muara enim".
        # In a province, every kabupaten/kota of it (and their other names) is its own place.
        self._own_place = tuple(" ".join(w for w in self.normalizer.raw_words(name)
                                         if w not in ("kabupaten", "kota", "provinsi"))
                                for name in [*content.place_and_year[:2], *content.place_names])
        self.neutral_entry = content.neutral_entry
        self._triggers = [(re.compile(t, re.IGNORECASE), eid) for eid, loaded in content.entries.items()
                          for t in loaded.entry.triggers]
        fields: dict[str, list[tuple[float, list[str]]]] = {}
        vocab: set[str] = set()
        typed: set[str] = set()
        regional: set[str] = set()      # terms only region layers' versions write
        home = content.home or content
        layers: list[Layer | ProvinceLayer] = [*home.province_layers.values(),
                                               *home.layers.values()]
        for eid in content.entries:
            parts: list[tuple[float, list[str]]] = []
            for version in content.versions(eid):
                own: list[tuple[float, list[str]]] = []
                for text in (version.entry.text(lang) for lang in LANGUAGES):
                    for source in (text.title, *text.questions, *text.keywords):
                        typed.update(norm.raw_words(source))
                    own.append((W_TITLE, norm.terms(text.title, repair=False)))
                    own.extend((W_QUESTION, norm.terms(q, repair=False)) for q in text.questions)
                    own.extend((W_KEYWORD, norm.terms(k, repair=False)) for k in text.keywords)
                words = {t for _, terms in own for t in terms}
                if any(layer.entries.get(eid) is version for layer in layers):
                    regional |= words
                else:
                    vocab |= words
                parts += own
            fields[eid] = parts
        # A word only region layers write (a local name: "Duo Srikandi") is the content's too,
        # but it does not hide the local reading of an everyday word ("duo" for "dua").
        norm.set_vocabulary(vocab | regional, typed, regional - vocab)
        # A pair named by its names is "paslon" to the triggers and sides.py (pairs.py); a request
        # to take sides about something else is off-topic, not neutral (sides.py).
        self.pairs = PairNames.of(content, norm)
        self.sides = Sides(scope, norm.raw_words, self._own_place, self.pairs.mask)
        # The deployment's own region and election names ("muara enim", "pilkada", "2024") are
        # context, said in passing: they must not pull a question toward the entries that
        # happen to repeat them.
        names = [*content.place_and_year,
                 *(content.election.short_name.get(lang) for lang in LANGUAGES)]
        self.context = frozenset(t for name in names for t in norm.terms(name, repair=False))
        fields = {eid: [(w, [t for t in terms if t not in self.context]) for w, terms in parts]
                  for eid, parts in fields.items()}

        self._tf: dict[str, dict[str, float]] = {}
        self._len: dict[str, float] = {}
        df: Counter[str] = Counter()
        for eid, parts in fields.items():
            tf: defaultdict[str, float] = defaultdict(float)
            for weight, terms in parts:
                for term in terms:
                    tf[term] += weight
                for bigram in _bigrams(terms):
                    tf[bigram] += weight * BIGRAM_BOOST
            self._tf[eid] = dict(tf)
            self._len[eid] = sum(tf.values())
            df.update(tf.keys())
        n = len(fields)
        self._avg_len = sum(self._len.values()) / max(n, 1)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        # Unknown words weigh like the rarest known ones: they are what we cannot explain.
        self._unknown_idf = math.log(1 + (n - 0.5) / 1.5)
        self._postings: dict[str, list[str]] = defaultdict(list)
        for eid, weights in self._tf.items():
            for term in weights:
                self._postings[term].append(eid)

    def query_terms(self, text: str, budget: int = NEW_WORDS_BUDGET) -> list[str]:
        return [t for t in self.normalizer.terms(text, budget=budget) if t not in self.context]

    def rank(self, text: str, budget: int = NEW_WORDS_BUDGET, terms: list[str] | None = None
             ) -> tuple[list[tuple[str, float]], float, dict[str, tuple[float, int]]]:
        """`terms`: the text's query terms when the caller has them already."""
        terms = self.query_terms(text, budget) if terms is None else terms
        query = terms + _bigrams(terms)
        scores: defaultdict[str, float] = defaultdict(float)
        for term in query:
            idf = self._idf.get(term)
            if idf is None:
                continue
            for eid in self._postings[term]:
                tf = self._tf[eid][term]
                norm = tf + K1 * (1 - B + B * self._len[eid] / self._avg_len)
                scores[eid] += idf * tf * (K1 + 1) / norm
        ranking = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        total = sum(self._idf.get(t, self._unknown_idf) for t in set(terms))
        coverage = {}       # the top entries' share of the question's weight, and words
        for eid, _ in ranking[:5]:
            entry_terms = self._tf[eid]
            shared = [t for t in set(terms) if t in entry_terms]
            coverage[eid] = (sum(self._idf[t] for t in shared) / total if total else 0.0,
                             len(shared))
        return ranking, total, coverage

    def out_of_scope(self, text: str) -> bool:
        """Out of scope (content/scope.yaml): a question about another place's results,
        candidates, polling stations or dates (unless it is about the asker's own procedure,
        or names this deployment's place or one of its pairs too: "Herman Deru lahir di
        Bandung?"). Off-topic questions of other kinds are the answer model's `decline`,
        learned, not listed."""
        words, read = self.sides.read(text)
        if read != text:        # a pair of this election named (pairs.py)
            return False
        return self.sides.elsewhere(words, text) and says(words, self._scope_topics) \
            and not says(words, self._procedure) and not says(words, self._own_place)

    def triggered(self, text: str) -> str | None:
        """The entry whose trigger the question matches, if any (content's `triggers`): a pair
        named by its candidates' names or nickname read as "paslon" (pairs.py)."""
        folded = " ".join(self.pairs.mask(text).lower().split())
        for pattern, entry_id in self._triggers:
            if pattern.search(folded):
                return entry_id
        return None

    def match(self, text: str) -> Match:
        entry_id = self.triggered(text)
        if entry_id is not None:
            return Match("answer", (entry_id,), TRIGGERED, 1.0)
        whole = self._match(text)
        if whole.kind == "answer" or len(text.split()) <= LONG_MESSAGE_WORDS:
            return whole
        # A long message tells the asker's situation first and asks last: the question's own
        # sentence, or its last words, may be answerable where the whole is not.
        # The parts' words were met in the whole: no new word is repaired again (budget 0),
        # and at most MAX_PARTS parts are read, so a long message stays cheap.
        sentences = _sentences(text)
        asked = [s for s, question in sentences if question] or [s for s, _ in sentences[-1:]]
        parts = [*asked[-(MAX_PARTS - 1):], " ".join(text.split()[-LONG_MESSAGE_WORDS:])]
        # A weak part must not overrule the whole: "who will punch it for him?" alone reads
        # like "who should I vote for"; the whole, far more surely, is about having no hands.
        leading = {eid for eid, _ in whole.ranking[:LONG_PART_TOP]}
        best = whole.ranking[0][1] if whole.ranking else 0.0
        # A part of one content word ("is that legal?") says too little to overrule the whole.
        read = [(p, terms) for p in parts if len(set(terms := self.query_terms(p, 0))) >= 2]
        answers = [m for m in (self._match(p, budget=0, terms=t) for p, t in read)
                   if m.kind == "answer"
                   and (m.entry_ids[0] in leading or m.score >= LONG_PART_SHARE * best)]
        return max(answers, key=lambda m: m.coverage * m.score) if answers else whole

    def _match(self, text: str, budget: int = NEW_WORDS_BUDGET,
               terms: list[str] | None = None) -> Match:
        th = self.thresholds
        ranking, total, coverage = self.rank(text, budget, terms)
        if not ranking or total == 0:
            return Match("unknown", ())
        best_id, best = ranking[0]
        best_cov, words = coverage.get(best_id, (0.0, 0))
        top = tuple(ranking[:5])
        if best < th.min_score or best_cov < th.min_coverage:
            return Match("unknown", (), best, best_cov, top, words)
        close = [eid for eid, score in ranking[1 : th.max_suggestions]
                 if score >= best * th.close_ratio]
        if close:
            return Match("suggest", (best_id, *close), best, best_cov, top, words)
        return Match("answer", (best_id,), best, best_cov, top, words)
