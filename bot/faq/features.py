"""A trained stage's scores in little memory and without scikit-learn (whose import alone is
about 85 MB of a process's memory here): what `Stage.scores` needs of the fitted TF-IDF
vectorizers and the linear SVM, nothing more.

- The vocabularies are one sorted array of 64-bit hashes of their n-grams (np.searchsorted
  finds a message's n-grams in it), with each n-gram's idf, instead of dicts of strings: 17
  bytes an n-gram instead of about 100; a message's n-grams of all vocabularies are hashed in
  one pass over its text and looked up at once (a few dozen numpy calls in all).
- The weights are kept only for the n-grams some class weighs (the others still count in a
  message's L2 norm, as in scikit-learn), as a (features x classes) float32 array.
- The n-grams are read as scikit-learn's analyzers read them (`char_wb` and `word`, lowercase,
  for the settings bot/faq/learned.py uses); tests/faq/test_features.py checks both against
  the SVM's own decision_function.

A hash is a polynomial over the n-gram's code points modulo 2**64: two n-grams of a vocabulary
never share one (checked when it is built), and an n-gram outside it takes the place of one in
it about once in 10**10 messages (a few hundred thousand n-grams in 2**64 hashes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_BASE = 0x100000001B3       # the polynomial's base (odd, so invertible modulo 2**64)
_WHITE_SPACES = re.compile(r"\s\s+")
_TOKEN = re.compile(r"\S+")
_powers: list[np.ndarray] = []   # [powers of _BASE, of its inverse], grown as needed
# Each vocabulary's hashes are XORed with its own constant: one n-gram in two vocabularies
# (the normalised and the raw text's) is two features.
_SALTS = np.array([0, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9],
                  dtype=np.uint64)
_N = np.arange(2, 6, dtype=np.int64)[:, None]       # char_wb: n = 2..5


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    if not _powers or _powers[0].size < size:
        size = max(size, 4096)
        tables = []
        for base in (_BASE, pow(_BASE, -1, 2**64)):
            steps = np.full(size, base, dtype=np.uint64)
            steps[0] = 1
            tables.append(np.cumprod(steps, dtype=np.uint64))   # wraps modulo 2**64
        _powers[:] = tables
    return _powers[0], _powers[1]


def span_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The hashes of text[start:end] for each span: sum((code point j + 1) * _BASE**j) modulo
    2**64, from prefix sums (one pass over the text, whatever the number of spans)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"),
                          dtype=np.uint32).astype(np.uint64) + 1     # + 1: a NUL counts too
    powers, inverse = _power_tables(codes.size + 1)
    prefix = np.zeros(codes.size + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(codes * powers[:codes.size], out=prefix[1:])
        return np.asarray((prefix[ends] - prefix[starts]) * inverse[starts], dtype=np.uint64)


def hashes(grams: Sequence[str], vocabulary: int = 0) -> np.ndarray:
    """The hashes of whole strings (a vocabulary's n-grams)."""
    lengths = np.array([len(g) for g in grams], dtype=np.int64)
    ends = np.cumsum(lengths)
    return span_hashes("".join(grams), ends - lengths, ends) ^ _SALTS[vocabulary]


Spans = tuple[str, np.ndarray, np.ndarray]      # a text and its n-grams' (starts, ends)


def char_wb_spans(text: str) -> Spans:
    """The n-grams scikit-learn's `char_wb` analyzer reads (lowercase, n = 2..5): every n
    characters inside a word padded with a space on each side."""
    words = _WHITE_SPACES.sub(" ", text.lower()).split()
    padded = "".join(f" {w} " for w in words)
    sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    word_end = np.repeat(np.cumsum(sizes), sizes)      # each position: where its word ends
    n, starts = np.nonzero(np.arange(len(padded)) + _N <= word_end)
    return padded, starts, starts + n + 2


def word_spans(text: str) -> Spans:
    r"""The n-grams scikit-learn's `word` analyzer reads (lowercase, tokens r"\S+", n = 1..2):
    each token, and each two in a row joined by a space."""
    tokens = _TOKEN.findall(text.lower())
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    ends = np.cumsum(lengths + 1) - 1
    starts = ends - lengths
    return " ".join(tokens), np.concatenate([starts, starts[:-1]]), np.concatenate([ends, ends[1:]])


ANALYZERS: dict[str, Callable[[str], Spans]] = {"char_wb": char_wb_spans, "word": word_spans}


def message_hashes(analyzers: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """The hashes of the n-grams each vocabulary reads in its text, in one pass."""
    spans = [ANALYZERS[a](t) for a, t in zip(analyzers, texts, strict=True)]
    offsets = np.cumsum([0] + [len(s[0]) + 1 for s in spans])
    starts = np.concatenate([s[1] + o for s, o in zip(spans, offsets, strict=False)])
    ends = np.concatenate([s[2] + o for s, o in zip(spans, offsets, strict=False)])
    salts = np.repeat(_SALTS[:len(spans)], [s[1].size for s in spans])
    return span_hashes("\n".join(s[0] for s in spans), starts, ends) ^ salts


@dataclass
class Scorer:
    """A linear SVM's decision_function over TF-IDF features (and, for the second stage, the
    sentence embedding), for one message."""
    analyzers: list[str]    # each vocabulary's (a key of ANALYZERS)
    hashes: np.ndarray      # uint64, sorted: every vocabulary's n-grams
    idf: np.ndarray         # float32, the same order
    vocabulary: np.ndarray  # uint8, the same order: which vocabulary (its L2 norm)
    row: np.ndarray         # int32, the n-gram's row of weights; -1: no class weighs it
    weights: np.ndarray     # float32 (n-grams some class weighs, classes)
    dense: np.ndarray       # float32 (embedding dimensions, classes); empty for the first stage
    intercept: np.ndarray   # float32 (classes,)
    classes: np.ndarray

    def scores(self, texts: Sequence[str], dense: np.ndarray | None) -> np.ndarray:
        """Sublinear TF-IDF, L2-normalised per vocabulary, times the weights."""
        result = self.intercept.copy()
        found = message_hashes(self.analyzers, texts)
        if found.size and self.hashes.size:
            at = np.minimum(np.searchsorted(self.hashes, found), self.hashes.size - 1)
            index, counts = np.unique(at[self.hashes[at] == found], return_counts=True)
            values = (1.0 + np.log(counts)) * self.idf[index]
            part = self.vocabulary[index]
            values /= np.sqrt(np.bincount(part, values * values, len(self.analyzers)))[part]
            rows = self.row[index]
            kept = rows >= 0
            result = result + values[kept].astype(np.float32) @ self.weights[rows[kept]]
        if self.dense.size:
            assert dense is not None
            result = result + dense.astype(np.float32) @ self.dense
        return np.asarray(result)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.hashes, self.idf, self.vocabulary, self.row,
                                      self.weights, self.dense, self.intercept))


def compact(vectorizers: Sequence[Any], svm: Any, dense_weight: float) -> Scorer:
    """The Scorer of fitted TfidfVectorizers and a fitted LinearSVC (its features: the
    vectorizers' columns one after another, then the embedding's, times dense_weight)."""
    coef = np.asarray(svm.coef_, dtype=np.float32)
    found, idf, part = [], [], []
    for i, vectorizer in enumerate(vectorizers):
        grams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        found.append(hashes(grams, i))
        idf.append(np.asarray(vectorizer.idf_, dtype=np.float32))
        part.append(np.full(len(grams), i, dtype=np.uint8))
    every = np.concatenate(found) if found else np.zeros(0, np.uint64)
    order = np.argsort(every)               # order[k]: the SVM's column of the k-th hash
    if np.any(every[order][1:] == every[order][:-1]):
        raise ValueError("two n-grams share a hash")
    weighed = np.any(coef[:, order] != 0, axis=0)
    row = np.full(order.size, -1, dtype=np.int32)
    row[weighed] = np.arange(int(weighed.sum()), dtype=np.int32)
    weights = np.ascontiguousarray(coef[:, order[weighed]].T)
    dense = np.ascontiguousarray(coef[:, every.size:].T * np.float32(dense_weight))  # (0, classes): none
    return Scorer([v.analyzer for v in vectorizers], every[order],
                  np.concatenate(idf)[order] if idf else np.zeros(0, np.float32),
                  np.concatenate(part)[order] if part else np.zeros(0, np.uint8), row, weights,
                  dense, np.asarray(svm.intercept_, dtype=np.float32), np.asarray(svm.classes_))
