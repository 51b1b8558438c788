"""Training in a process of its own (bot/faq/apart.py): the same stage as training here, a stop
or a deadline that ends the process, and an error in it raised here."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.content.registry import Content
from bot.faq.apart import fit_apart
from bot.faq.calibration import fit_stage
from bot.faq.matcher import Matcher
from bot.faq.trainer import Trainer, grouped


def trainers() -> list[str]:
    """This process's children (a test may have left another running: compare before/after)."""
    pid = os.getpid()
    return [c for task in Path(f"/proc/{pid}/task").iterdir()
            for c in (task / "children").read_text().split()]


def test_the_stage_trained_apart_is_the_one_trained_here(trained: tuple[Content, Matcher, Trainer]
                                                         ) -> None:
    trainer = trained[2]
    apart = fit_apart(trainer.examples, trainer.messages, None, trainer.targets, trainer.kinds)
    here, _ = fit_stage(trainer.examples, grouped(trainer.messages), None, trainer.targets,
                        trainer.kinds)
    assert apart.svm is None and apart.scorer is not None      # compact: no scikit-learn here
    assert (apart.answer_at, apart.suggest_at, apart.kind_at) == (here.answer_at, here.suggest_at,
                                                                  here.kind_at)
    assert list(apart.classes) == list(here.classes)
    for text in ("kapan tps buka?", "bawa ktp ga", "halo min"):
        assert np.allclose(apart.scores(text, text, None), here.scores(text, text, None), atol=1e-4)


def test_a_stop_ends_the_training_process(trained: tuple[Content, Matcher, Trainer]) -> None:
    trainer = trained[2]
    before = trainers()
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    began = time.monotonic()
    with pytest.raises(InterruptedError):
        fit_apart(trainer.examples, trainer.messages, None, trainer.targets, trainer.kinds, stop)
    assert time.monotonic() - began < 5
    assert trainers() == before                 # killed and reaped, not left behind


def test_a_training_process_that_takes_too_long_is_killed(
        trained: tuple[Content, Matcher, Trainer]) -> None:
    trainer = trained[2]
    before = trainers()
    began = time.monotonic()
    with pytest.raises(TimeoutError):           # it cannot even import scikit-learn in 0.3 s
        fit_apart(trainer.examples, trainer.messages, None, trainer.targets, trainer.kinds,
                  timeout=0.3)
    assert time.monotonic() - began < 5
    assert trainers() == before


def test_an_error_in_training_is_raised_here(trained: tuple[Content, Matcher, Trainer]) -> None:
    trainer = trained[2]
    before = trainers()
    one_label = [replace(s, labels=("smalltalk",)) for s in trainer.examples]
    with pytest.raises(ValueError):             # scikit-learn's, from the other process
        fit_apart(one_label, [], None, trainer.targets, trainer.kinds)
    assert trainers() == before
