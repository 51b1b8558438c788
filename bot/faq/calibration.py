"""Calibration of the answer model's stages by cross-validation: out-of-fold predictions over
the labelled messages (grouped: near-duplicates share a fold), the isotonic map from a stage's
margin to the probability that its best label is right, and the thresholds that meet the stated
targets."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.faq.learned import Sample, Stage, Targets, agreement, fit_svm

MIN_GROUP = 30     # predictions a calibration group needs of its own


def near_duplicate_groups(texts: Sequence[str], similar: float = 0.6) -> np.ndarray:
    """A group number per text: texts whose character n-grams are this similar (cosine), and
    the texts similar to those, share a group, so that a fold never tests on a near-copy of a
    message it trained on."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros(0, dtype=np.int64)
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    close = x @ x.T
    close.data = (close.data > similar).astype(np.int8)
    close.eliminate_zeros()
    return np.asarray(connected_components(close, directed=False)[1])


@dataclass(frozen=True)
class OutOfFold:
    """What each labelled message got from a stage trained without its fold."""
    ranking: list[tuple[str, ...]]
    margin: np.ndarray
    right: np.ndarray           # ranking[0] is one of its labels
    in_top: np.ndarray          # one of its labels is in the ranking
    answer_kind: np.ndarray     # the message has entries (not a kind)
    agreement: np.ndarray       # kind, agree or disagree (learned.agreement)


def out_of_fold(examples: Sequence[Sample], messages: Sequence[Sample],
                dense: np.ndarray | None, targets: Targets, kinds: frozenset[str],
                stop: threading.Event | None = None) -> OutOfFold:
    from sklearn.model_selection import GroupKFold

    n = len(messages)
    ranking: list[tuple[str, ...]] = [()] * n
    margin = np.zeros(n)
    groups = np.array([s.group for s in messages])
    folds = min(targets.folds, len(set(groups.tolist())))
    everything = [*examples, *messages]
    for train, test in GroupKFold(folds).split(np.zeros(n), groups=groups):
        if stop is not None and stop.is_set():
            raise InterruptedError("training stopped")
        chosen = [*range(len(examples)), *(len(examples) + i for i in train)]
        vectorizers, svm = fit_svm([everything[i] for i in chosen],
                                    None if dense is None else dense[chosen], targets)
        stage = Stage(vectorizers, svm, {}, targets.dense_weight if dense is not None else 0.0, 1, 1)
        tested = [messages[i] for i in test]
        scores = svm.decision_function(stage.matrix(
            [s.norm for s in tested], [s.text for s in tested],
            None if dense is None else dense[[len(examples) + i for i in test]]))
        order = np.argsort(-scores, axis=1)
        for row, i in enumerate(test):
            ranking[i] = tuple(str(svm.classes_[j]) for j in order[row, :targets.suggestions])
            margin[i] = scores[row, order[row, 0]] - scores[row, order[row, 1]]
    right = np.array([r[0] in s.labels for r, s in zip(ranking, messages, strict=True)])
    in_top = np.array([bool(set(r) & set(s.labels)) for r, s in zip(ranking, messages, strict=True)])
    answer_kind = np.array([not (set(s.labels) & kinds) for s in messages])
    agree = np.array([agreement(r[0], s.hint, kinds) for r, s in zip(ranking, messages, strict=True)])
    return OutOfFold(ranking, margin, right, in_top, answer_kind, agree)


def calibrate(oof: OutOfFold) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """An isotonic map from margin to the probability of being right, per agreement (all the
    predictions' map where a group is too small to fit), and each prediction's confidence."""
    from sklearn.isotonic import IsotonicRegression

    def fit(chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            oof.margin[chosen], oof.right[chosen].astype(float))
        return np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)

    every = fit(np.ones(len(oof.margin), dtype=bool))
    maps = {}
    for group in ("kind", "agree", "disagree"):
        chosen = oof.agreement == group
        maps[group] = fit(chosen) if chosen.sum() >= MIN_GROUP else every
    confidence = np.array([np.interp(m, *maps[g]) for m, g in zip(oof.margin, oof.agreement,
                                                                 strict=True)])
    return maps, confidence


def thresholds(oof: OutOfFold, confidence: np.ndarray, targets: Targets) -> tuple[float, float, float]:
    """The lowest confidence at which answered-and-wrong stays within max_wrong of the
    questions the content answers; below it, the lowest at which the right entry is among the
    choices offered suggest_hit of the time; and the lowest at which a kind of message (small
    talk, a request to take sides, ...) is replied to as that kind while questions the content
    answers get such a reply at most max_kind_wrong of the time. A kind's reply is not an entry
    (there are no choices to offer, and "I don't know" is the wrong reply to "halo"), so it gets
    its own threshold."""
    answerable = oof.answer_kind
    total = max(1, int(answerable.sum()))
    candidates = np.unique(confidence)
    answer_at = 1.0
    for t in candidates:   # ascending: the first that meets the target
        wrong = np.sum((confidence >= t) & answerable & ~oof.right)
        if wrong <= targets.max_wrong * total:
            answer_at = float(t)
            break
    suggest_at = answer_at
    for t in candidates[candidates < answer_at]:
        band = (confidence >= t) & (confidence < answer_at) & answerable
        if band.any() and oof.in_top[band].mean() >= targets.suggest_hit:
            suggest_at = float(t)
            break
    as_kind = (oof.agreement == "kind") & answerable
    kind_at = answer_at
    for t in np.concatenate([[0.0], candidates[candidates < answer_at]]):
        if np.sum(as_kind & (confidence >= t)) <= targets.max_kind_wrong * total:
            kind_at = float(t)
            break
    return answer_at, suggest_at, kind_at


def fit_stage(examples: Sequence[Sample], messages: Sequence[Sample], dense: np.ndarray | None,
              targets: Targets, kinds: frozenset[str], stop: threading.Event | None = None,
              vectorizers: list | None = None) -> tuple[Stage, OutOfFold]:
    """A stage trained on everything, calibrated and thresholded on its out-of-fold runs."""
    oof = out_of_fold(examples, messages, dense, targets, kinds, stop)
    calibrators, confidence = calibrate(oof)
    answer_at, suggest_at, kind_at = thresholds(oof, confidence, targets)
    if stop is not None and stop.is_set():
        raise InterruptedError("training stopped")
    vectorizers, svm = fit_svm([*examples, *messages], dense, targets, vectorizers)
    stage = Stage(vectorizers, svm, calibrators, targets.dense_weight if dense is not None else 0.0,
                  answer_at, suggest_at, kinds, kind_at)
    return stage, oof
