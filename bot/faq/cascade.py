"""Answer, offer choices or decline: the answer model's two stages in a cascade.

The first stage (TF-IDF features, a linear model: about a millisecond) runs on the event loop
and answers when it is sure; a message read as before (normalised, raw, hint) gets the
prediction it got then (an LRU per cascade: a new model is a new cascade). Otherwise the
sentence model embeds the message off the loop (a bounded thread pool; repeats come from an
LRU) and the second stage decides. When both of
the model's workers are busy, the first stage decides alone rather than wait: a third in line
would wait two model runs. Until the first stage is trained (a cold start, a content reload),
the keywords (the lexical Matcher) answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bot.content.training import KINDS
from bot.faq.guards import guarded
from bot.faq.learned import AnswerModel, Prediction
from bot.faq.matcher import TRIGGERED, Match, Matcher
from bot.faq.semantic import Embedder, model_input

log = logging.getLogger(__name__)


class AnswerCascade:
    def __init__(self, lexical: Matcher, model: AnswerModel | None = None,
                 embedder: Embedder | None = None, pool: ThreadPoolExecutor | None = None, *,
                 context: re.Pattern[str] | None = None, max_queue: int = 2,
                 cache_size: int = 2048) -> None:
        self.lexical, self.model, self.embedder, self.pool = lexical, model, embedder, pool
        self.context = context       # the deployment's own names: the sentence model skips them
        self.max_queue = max_queue
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._firsts: OrderedDict[tuple[str, str, str], Prediction] = OrderedDict()
        self._cache_size = cache_size
        self._queued = 0
        self.stats = {"keywords": 0, "first": 0, "second": 0, "cached": 0, "busy": 0}

    @property
    def queued(self) -> int:
        """Questions waiting for or in the sentence model now."""
        return self._queued

    @property
    def semantic(self) -> bool:
        return (self.model is not None and self.model.second is not None
                and self.embedder is not None and self.pool is not None)

    async def match(self, text: str) -> Match:
        # Attempts to subvert the bot, and messages that are only small talk, said for certain;
        # an attempt wrapped around a request to take sides is still an attempt.
        kind = guarded(text)
        if kind == "injection":
            return Match("injection", (), TRIGGERED, 1.0)
        # The keywords read the message once: an entry's `triggers` (the high-recall guard where
        # a miss is costly: every request to take sides gets the neutral answer) answer before
        # any model, and otherwise their best entry is the model's hint.
        lex = self.lexical.match(text)
        if lex.kind == "answer" and lex.score == TRIGGERED:
            return self.sided(text, lex)
        if kind is not None:
            return Match(kind, (), TRIGGERED, 1.0)  # type: ignore[arg-type]
        return self.sided(text, await self._decided(text, lex))

    def sided(self, text: str, match: Match) -> Match:
        """A request to take sides about something other than this election (a hotel, a phone,
        another country's election: bot/faq/sides.py) is off-topic: the decline, not neutral."""
        neutral = match.kind == "neutral" or (
            match.kind == "answer" and match.entry_ids[:1] == (self.lexical.neutral_entry,))
        if neutral and self.lexical.sides.off_topic(text):
            return Match("decline", (), match.score, 1.0)
        return match

    async def _decided(self, text: str, lex: Match) -> Match:
        """The answer model's decision (the keywords' until it is trained)."""
        model = self.model
        if model is None:
            self.stats["keywords"] += 1
            return lex
        # Where the model agrees with the keywords' best entry, it is more often right.
        hint = lex.ranking[0][0] if lex.ranking else ""
        norm, raw = model.read(text)     # once: both stages see the same reading
        first = self._first(model, norm, raw, hint)
        if first.answer or not self.semantic:
            self.stats["first"] += 1
            return self.decide(first)
        vector = await self._embed(raw)          # its place names masked, as in training
        if vector is None:                       # the sentence model is busy
            return self.decide(first)
        self.stats["second"] += 1
        return self.decide(model.second_of(norm, raw, vector, hint))

    def _first(self, model: AnswerModel, norm: str, raw: str, hint: str) -> Prediction:
        """The first stage's prediction; for words read as before (a repeated question, with
        the same hint), the one it made then (an LRU: the scores are most of its work)."""
        key = (norm, raw, hint)
        found = self._firsts.get(key)
        if found is not None:
            self._firsts.move_to_end(key)
            return found
        found = self._firsts[key] = model.first_of(*key)
        if len(self._firsts) > self._cache_size:
            self._firsts.popitem(last=False)
        return found

    @staticmethod
    def decide(prediction: Prediction) -> Match:
        label = prediction.label
        if prediction.answer:
            if label in KINDS:
                return Match(label, (), prediction.confidence)  # type: ignore[arg-type]
            return Match("answer", (label,), prediction.confidence)
        entries = tuple(x for x in prediction.ranking if x not in KINDS)
        if prediction.suggest and label not in KINDS and len(entries) >= 2:
            return Match("suggest", entries, prediction.confidence)
        return Match("unknown", (), prediction.confidence)

    async def _embed(self, text: str) -> np.ndarray | None:
        key = model_input(text, self.context)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.stats["cached"] += 1
            return cached
        if self._queued >= self.max_queue:
            self.stats["busy"] += 1   # the first stage decides rather than wait
            return None
        assert self.embedder is not None and self.pool is not None
        self._queued += 1
        try:
            vector = await asyncio.get_running_loop().run_in_executor(
                self.pool, self.embedder.query, key)
        finally:
            self._queued -= 1
        vector = np.asarray(vector).reshape(-1)
        self._cache[key] = vector
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vector
