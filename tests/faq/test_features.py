"""The compact stage (bot/faq/features.py) scores as scikit-learn's trained SVM does, on the
fixture content: every n-gram some class weighs is kept, and read as scikit-learn reads it."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bot.content.registry import Content
from bot.faq import features
from bot.faq.learned import Sample, Stage, Targets, fit_svm
from bot.faq.matcher import Matcher
from bot.faq.trainer import Trainer, grouped
from tests.conftest import PROJECT_ROOT

ODD = ["kapan tps buka?", "Gimana  CARA\tnyoblos\n\nyg SAH??", "zzz qqq", "😀", "a" * 400, "",
       "   ", "İstanbul x", "a\x00b", "KTP-el   hilang,, gmn"]


@pytest.fixture(scope="module")
def samples(trained: tuple[Content, Matcher, Trainer]) -> list[Sample]:
    trainer = trained[2]
    return [*trainer.examples, *grouped(trainer.messages)]


@pytest.mark.parametrize("dense_weight", [0.0, 0.7])
def test_the_compact_scores_are_the_svms_own(samples: list[Sample], dense_weight: float) -> None:
    rng = np.random.default_rng(7)
    dense = rng.normal(size=(len(samples), 16)).astype(np.float32) if dense_weight else None
    vectorizers, svm = fit_svm(samples, dense, Targets(dense_weight=dense_weight))
    stage = Stage(vectorizers, svm, {}, dense_weight, 1.0, 1.0)
    # Every sample it learned from (so every n-gram a class weighs), and messages unlike them.
    norm = [s.norm for s in samples] + ODD
    raw = [s.text for s in samples] + ODD
    vectors = None if dense is None else np.vstack([dense, rng.normal(size=(len(ODD), 16))])
    expected = svm.decision_function(stage.matrix(norm, raw, vectors))
    compact = pickle.loads(pickle.dumps(stage))     # as cached: compact, no scikit-learn
    assert compact.svm is None and compact.vectorizers is None
    assert list(compact.classes) == list(svm.classes_)
    got = np.vstack([compact.scores(n, r, None if vectors is None else vectors[i])
                     for i, (n, r) in enumerate(zip(norm, raw, strict=True))])
    assert np.abs(got - expected).max() < 1e-4
    # Fewer weights than scikit-learn's, never more.
    assert compact.scorer.weights.shape[0] <= svm.coef_.shape[1]


@pytest.mark.parametrize("analyzer", ["char_wb", "word"])
def test_the_n_grams_are_scikit_learns(samples: list[Sample], analyzer: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    settings = {"char_wb": {"ngram_range": (2, 5)},
                "word": {"ngram_range": (1, 2), "token_pattern": r"\S+"}}[analyzer]
    analyze = TfidfVectorizer(analyzer=analyzer, **settings).build_analyzer()
    for text in [s.text for s in samples[:200]] + ODD:
        theirs = Counter(features.hashes(analyze(text)).tolist())
        assert Counter(features.message_hashes([analyzer], [text]).tolist()) == theirs, text


def test_a_cached_stage_answers_without_scikit_learn(samples: list[Sample], tmp_path: Path) -> None:
    vectorizers, svm = fit_svm(samples, None, Targets())
    path = tmp_path / "stage.pkl"
    path.write_bytes(pickle.dumps(Stage(vectorizers, svm, {}, 0.0, 1.0, 1.0)))
    script = ("import sys; from pathlib import Path; from bot.faq.learned import load_cached; "
              f"s = load_cached(Path({str(path)!r})); "
              "print(s.classes[s.scores('tps', 'tps', None).argmax()]); "
              "print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'scipy'))))")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[1] == "[]"
    assert out[0] in {str(c) for c in svm.classes_}
