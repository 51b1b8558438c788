"""Answer, choose or decline from two signals: the lexical matcher (BM25 over titles, examples
and keywords) and the semantic index (sentence embeddings), in a cascade.

The model costs 22-39 ms a question here (two threads, one), so it runs only when the lexical
signal does not answer, on input cut to about 40 tokens (its start and its end), in a bounded
thread pool off the event loop; repeated questions come from an LRU. When both workers are
busy (max_queue), the lexical answer is given rather than wait: a third in line would wait
two model runs, which is what pushed p99 over 250 ms at 60 questions a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from bot.faq.matcher import Match, Matcher
from bot.faq.semantic import Embedder, SemanticIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HybridThresholds:
    # Chosen on the odd-numbered items of the development set and our own hard questions
    # (tests/faq/hard.tsv), never the even half (python -m
    # benchmarks.calibrate: the best neighbourhood of its grid where the keywords alone answer
    # at least half the questions, for latency).
    lexical_sure_score: float = 0.0     # lexical answers this sure skip the model
    lexical_sure_coverage: float = 0.55  # (the keywords explain this share of the question)
    agree_top: int = 2                  # keywords' best entry, when the model ranks it this
    agree: float = 0.82                 # high and is at least this sure of its own best
    dominant_ratio: float = 1.5         # keywords' best this many times the runner-up...
    dominant_coverage: float = 0.25     # ...explaining this share of the question
    answer: float = 0.84                # else the model's best, at this score...
    margin: float = 0.0                 # ...when this far ahead of the runner-up
    suggest: float = 0.84               # offer the close ones as choices
    min_coverage: float = 0.1           # share of the question the keywords must explain
                                        # before the model may answer at all
    max_suggestions: int = 3


class HybridMatcher:
    def __init__(self, lexical: Matcher, index: SemanticIndex | None, embedder: Embedder | None,
                 pool: ThreadPoolExecutor | None, *, max_queue: int = 2, cache_size: int = 2048,
                 thresholds: HybridThresholds | None = None) -> None:
        self.lexical, self.index, self.embedder, self.pool = lexical, index, embedder, pool
        self.thresholds = thresholds or HybridThresholds()
        self.max_queue = max_queue
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._queued = 0
        self.stats = {"lexical_only": 0, "model": 0, "cached": 0, "busy": 0}

    @property
    def queued(self) -> int:
        """Questions waiting for or in the model now."""
        return self._queued

    @property
    def semantic(self) -> bool:
        return self.index is not None and self.embedder is not None and self.pool is not None

    async def match(self, text: str) -> Match:
        lex = self.lexical.match(text)
        th = self.thresholds
        if lex.kind == "answer" and lex.score >= th.lexical_sure_score \
                and lex.coverage >= th.lexical_sure_coverage:
            self.stats["lexical_only"] += 1
            return lex
        vector = await self._embed(text) if self.semantic else None
        if vector is None:
            # No model (not loaded, or its queue full): the keywords decide, and a match far
            # ahead of every other entry answers, as it would beside an unsure model.
            if not self.semantic:
                self.stats["lexical_only"] += 1
            return self._answer(lex) if self._dominant(lex) else lex
        assert self.index is not None
        return self.decide(lex, self.index.rank(vector))

    def decide(self, lex: Match, ranking: list[tuple[str, float]]) -> Match:
        th = self.thresholds
        if not lex.ranking or lex.coverage < th.min_coverage:
            # Not one word of the question is in the content's vocabulary (context words such
            # as the regency's name do not count): the model's nearest entry would be a guess.
            return lex
        (best, s1), (_, s2) = ranking[0], ranking[1]
        lexical_best = lex.ranking[0][0]
        if s1 >= th.agree and lexical_best in [eid for eid, _ in ranking[:th.agree_top]]:
            # The keywords were not sure, but the model ranks their pick among its own top.
            return Match("answer", (lexical_best,), lex.score, lex.coverage, tuple(ranking))
        if self._dominant(lex):
            # Far ahead of every other entry on the words it does explain; the rest of the
            # question is words the content does not use (local speech, the asker's story).
            return self._answer(lex, ranking)
        if s1 >= th.answer and s1 - s2 >= th.margin:
            return Match("answer", (best,), s1, 1.0, tuple(ranking))
        if s1 >= th.suggest:
            close = [eid for eid, s in ranking[1:th.max_suggestions] if s >= th.suggest
                     and s1 - s <= 3 * th.margin]
            if lex.kind == "answer" and lex.entry_ids[0] not in (best, *close):
                close = [lex.entry_ids[0], *close][: th.max_suggestions - 1]
            if close:
                return Match("suggest", (best, *close), s1, 1.0, tuple(ranking))
            return Match("answer", (best,), s1, 1.0, tuple(ranking))
        return lex

    @staticmethod
    def _answer(lex: Match, ranking: list[tuple[str, float]] | None = None) -> Match:
        return Match("answer", (lex.ranking[0][0],), lex.score, lex.coverage,
                     tuple(ranking) if ranking is not None else lex.ranking, lex.words)

    def _dominant(self, lex: Match) -> bool:
        th = self.thresholds
        scores = [score for _, score in lex.ranking[:2]] + [0.0]
        # Two words at least: one shared word ("how do I cook rice") is a coincidence.
        return (scores[0] >= self.lexical.thresholds.min_score and lex.words >= 2
                and scores[0] >= th.dominant_ratio * scores[1]
                and lex.coverage >= th.dominant_coverage)

    async def _embed(self, text: str) -> np.ndarray | None:
        assert self.index is not None
        key = self.index.query_text(text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.stats["cached"] += 1
            return cached
        if self._queued >= self.max_queue:
            self.stats["busy"] += 1   # answer from the lexical signal rather than wait
            return None
        assert self.embedder is not None and self.pool is not None
        self._queued += 1
        try:
            vector = await asyncio.get_running_loop().run_in_executor(
                self.pool, self.embedder.query, key)
        finally:
            self._queued -= 1
        self.stats["model"] += 1
        self._cache[key] = vector
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vector
