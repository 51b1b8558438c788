"""A trained stage's scores in little memory and without scikit-learn (whose import alone is
about 85 MB of a process's memory here): what `Stage.scores` needs of the fitted TF-IDF
vectorizers and the linear SVM, nothing more.

- Each vocabulary is a sorted array of 64-bit hashes of its n-grams (np.searchsorted finds a
  message's n-grams in it) with each n-gram's idf, instead of a dict of strings: 16 bytes an
  n-gram instead of about 100.
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


def hashes(grams: Sequence[str]) -> np.ndarray:
    """The hashes of whole strings (a vocabulary's n-grams)."""
    ends = np.cumsum([len(g) for g in grams], dtype=np.int64)
    return span_hashes("".join(grams), ends - np.array([len(g) for g in grams], np.int64), ends)


def char_wb_hashes(text: str) -> np.ndarray:
    """The hashes of the n-grams scikit-learn's `char_wb` analyzer reads (lowercase, n = 2..5):
    every n characters inside a word padded with a space on each side."""
    words = _WHITE_SPACES.sub(" ", text.lower()).split()
    if not words:
        return np.zeros(0, dtype=np.uint64)
    padded = "".join(f" {w} " for w in words)
    sizes = np.array([len(w) + 2 for w in words], dtype=np.int64)
    word_end = np.repeat(np.cumsum(sizes), sizes)      # each position: where its word ends
    at = np.arange(len(padded), dtype=np.int64)
    starts = np.concatenate([at[at + n <= word_end] for n in range(2, 6)])
    ends = np.concatenate([at[at + n <= word_end] + n for n in range(2, 6)])
    return span_hashes(padded, starts, ends)


def word_hashes(text: str) -> np.ndarray:
    r"""The hashes of the n-grams scikit-learn's `word` analyzer reads (lowercase, tokens
    r"\S+", n = 1..2): each token, and each two in a row joined by a space."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.array([len(t) for t in tokens], dtype=np.int64)
    starts = np.cumsum(lengths + 1) - lengths - 1
    ends = starts + lengths
    return span_hashes(" ".join(tokens), np.concatenate([starts, starts[:-1]]),
                       np.concatenate([ends, ends[1:]]))


ANALYZERS: dict[str, Callable[[str], np.ndarray]] = {"char_wb": char_wb_hashes,
                                                     "word": word_hashes}


@dataclass
class Vocabulary:
    analyzer: str           # a key of ANALYZERS
    hashes: np.ndarray      # uint64, sorted
    idf: np.ndarray         # float32, the same order
    row: np.ndarray         # int32, the n-gram's row of Scorer.weights; -1: no class weighs it

    def tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows of the weights, L2-normalised sublinear TF-IDF values) of the text's n-grams
        that some class weighs."""
        found = ANALYZERS[self.analyzer](text)
        if not found.size or not self.hashes.size:
            return np.zeros(0, np.int64), np.zeros(0)
        at = np.minimum(np.searchsorted(self.hashes, found), self.hashes.size - 1)
        index, counts = np.unique(at[self.hashes[at] == found], return_counts=True)
        if not index.size:
            return np.zeros(0, np.int64), np.zeros(0)
        values = (1.0 + np.log(counts)) * self.idf[index].astype(np.float64)
        values /= np.sqrt(np.dot(values, values))
        rows = self.row[index]
        kept = rows >= 0
        return rows[kept], values[kept]


@dataclass
class Scorer:
    """A linear SVM's decision_function over TF-IDF features (and, for the second stage, the
    sentence embedding), for one message."""
    vocabularies: list[Vocabulary]
    weights: np.ndarray     # float32 (n-grams some class weighs, classes)
    dense: np.ndarray       # float32 (embedding dimensions, classes); empty for the first stage
    intercept: np.ndarray   # float32 (classes,)
    classes: np.ndarray

    def scores(self, texts: Sequence[str], dense: np.ndarray | None) -> np.ndarray:
        parts = [v.tfidf(t) for v, t in zip(self.vocabularies, texts, strict=True)]
        rows = np.concatenate([r for r, _ in parts])
        result = self.intercept.astype(np.float32)
        if rows.size:
            values = np.concatenate([v for _, v in parts]).astype(np.float32)
            result = result + values @ self.weights[rows]
        if self.dense.size:
            assert dense is not None
            result = result + dense.astype(np.float32) @ self.dense
        return np.asarray(result)

    @property
    def nbytes(self) -> int:
        arrays = [self.weights, self.dense, self.intercept]
        arrays += [a for v in self.vocabularies for a in (v.hashes, v.idf, v.row)]
        return sum(a.nbytes for a in arrays)


def compact(vectorizers: Sequence[Any], svm: Any, dense_weight: float) -> Scorer:
    """The Scorer of fitted TfidfVectorizers and a fitted LinearSVC (its features: the
    vectorizers' columns one after another, then the embedding's, times dense_weight)."""
    coef = np.asarray(svm.coef_, dtype=np.float32)
    vocabularies: list[Vocabulary] = []
    kept: list[np.ndarray] = []
    offset = 0
    for vectorizer in vectorizers:
        grams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        found = hashes(grams)
        order = np.argsort(found)
        if np.any(found[order][1:] == found[order][:-1]):
            raise ValueError("two n-grams of a vocabulary share a hash")
        columns = offset + order
        weighed = np.any(coef[:, columns] != 0, axis=0)
        row = np.full(len(order), -1, dtype=np.int32)
        start = sum(len(k) for k in kept)
        row[weighed] = np.arange(start, start + int(weighed.sum()), dtype=np.int32)
        kept.append(columns[weighed])
        vocabularies.append(Vocabulary(vectorizer.analyzer, found[order],
                                       np.asarray(vectorizer.idf_, np.float32)[order], row))
        offset += len(grams)
    weights = np.ascontiguousarray(coef[:, np.concatenate(kept)].T)
    dense = np.ascontiguousarray(coef[:, offset:].T * np.float32(dense_weight))  # (0, classes): none
    return Scorer(vocabularies, weights, dense, np.asarray(svm.intercept_, dtype=np.float32),
                  np.asarray(svm.classes_))
