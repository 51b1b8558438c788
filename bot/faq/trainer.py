"""Build the answer model for the content: its samples (the entries' own titles and example
questions, and the labelled messages of content/training/), the first stage at once, the
second once the sentence vectors are there. Each stage is cached beside the database under a
hash of everything it was trained from, so a restart or another process reads it back (on
PostgreSQL also in the database, for every host: bot/faq/shared.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.content.registry import Content
from bot.content.training import KINDS
from bot.faq.calibration import fit_stage, near_duplicate_groups
from bot.faq.embeddings import VectorStore
from bot.faq.forwards import strip_forward
from bot.faq.learned import Sample, Stage, Targets, fingerprint, load_cached, save_cached
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer
from bot.faq.semantic import context_words, model_input
from bot.memory import give_back

log = logging.getLogger(__name__)

MIN_MESSAGES = 50
GROUP_LATER = -2        # a labelled message's group, until grouped() finds it


def normaliser(normalizer: Normalizer) -> Callable[[str], str]:
    def normalise(text: str) -> str:
        return " ".join(normalizer.terms(text))
    return normalise


def hint(matcher: Matcher, text: str) -> str:
    """The keywords' best entry for a message ("" when they rank none)."""
    ranking = matcher.match(text).ranking
    return ranking[0][0] if ranking else ""


def samples(content: Content, matcher: Matcher, mask: Callable[[str], str] | None = None,
            ) -> tuple[list[Sample], list[Sample]]:
    """The entries' titles and example questions (both languages), the examples of kinds.yaml,
    and the labelled messages that have a label (an answer message with no entry is for measuring only),
    each with its place names masked (`mask`, places.py) as the model reads a message."""
    normalise = normaliser(matcher.normalizer)
    masked = mask or (lambda text: text)

    def sample(text: str, labels: tuple[str, ...], group: int = -1, hint_: str = "") -> Sample:
        text = masked(text)
        return Sample(text, normalise(text), labels, group, hint_)

    examples, typed = [], []       # typed: each example as written (the keywords read it so)
    for eid, loaded in sorted(content.entries.items()):
        label = "neutral" if loaded.entry.neutral else eid
        said: set[str] = set()
        for version in content.versions(eid):      # a province: shared and each layer's
            for lang in ("id", "en"):
                text = version.entry.text(lang)
                asked = [q for q in (text.title, *text.questions) if q not in said]
                said.update(asked)
                examples += [sample(q, (label,)) for q in asked]
                typed += asked
    for kind, examples_of_kind in sorted(content.kind_examples.items()):   # kinds.yaml: small talk, ...
        examples += [sample(q, (kind,)) for q in examples_of_kind]
        typed += examples_of_kind
    labelled = [m for m in content.training if m.labels]
    if len(labelled) < MIN_MESSAGES:
        # Too few labelled messages to calibrate on (a new deployment): the examples
        # themselves are cross-validated, each its own group.
        return [], [replace(s, group=n, hint=hint(matcher, q))
                    for n, (s, q) in enumerate(zip(examples, typed, strict=True))]
    texts = [strip_forward(m.text)[0] for m in labelled]    # read as the router reads them
    # Their groups (near-duplicates) are found when a stage is trained: grouped().
    messages = [sample(t, m.labels, GROUP_LATER, hint(matcher, t))
                for t, m in zip(texts, labelled, strict=True)]
    return examples, messages


def grouped(messages: list[Sample]) -> list[Sample]:
    """The labelled messages with their groups: near-duplicates share one (cross-validation
    keeps them in one fold). Found only to train (scikit-learn), not to read a cached model."""
    if not any(m.group == GROUP_LATER for m in messages):
        return messages
    groups = near_duplicate_groups([m.text for m in messages])
    return [replace(m, group=int(g)) for m, g in zip(messages, groups, strict=True)]


def model_texts(content: Content, samples_: list[Sample]) -> list[str]:
    """What the sentence model reads of each sample (its place names, masked, left out with the
    deployment's own names; cut to its start and end)."""
    context = context_words(content)
    return [model_input(s.text, context) for s in samples_]


class Trainer:
    def __init__(self, content: Content, matcher: Matcher, cache_dir: Path,
                 targets: Targets | None = None, mask: Callable[[str], str] | None = None,
                 ) -> None:
        self.content, self.cache_dir = content, Path(cache_dir)
        self.targets = targets or Targets()
        # The place names as the model reads them (places.py): the AnswerModel gets this mask.
        self.mask = mask
        self.examples, self.messages = samples(content, matcher, mask)
        self.kinds = frozenset(KINDS)
        # The groups follow from the texts: the key is the same without them.
        self._key = fingerprint(self.targets,
                                [(s.norm, s.text, s.labels) for s in self.examples],
                                [(s.norm, s.text, s.labels, s.group, s.hint) for s in self.messages])

    @property
    def first_key(self) -> str:
        """The first stage's fingerprint: everything it learns from."""
        return f"stage1-{self._key}"

    def second_key(self, embedder_version: str) -> str:
        return f"stage2-{fingerprint(self._key, embedder_version)}"

    def _fit(self, dense: np.ndarray | None, stop: threading.Event | None) -> Stage:
        """Train a stage, keep it compact (features.py), and give back what training took."""
        self.messages = grouped(self.messages)
        stage, _ = fit_stage(self.examples, self.messages, dense, self.targets, self.kinds, stop)
        stage.compact()
        give_back()
        return stage

    def first(self, stop: threading.Event | None = None) -> Stage:
        path = self.cache_dir / f"{self.first_key}.pkl"
        stage = load_cached(path)
        if isinstance(stage, Stage):
            return stage
        stage = self._fit(None, stop)
        save_cached(path, stage)
        log.info("answer model: first stage trained (answers at %.2f, offers choices at %.2f, "
                 "replies to a kind at %.2f)", stage.answer_at, stage.suggest_at, stage.kind_at)
        return stage

    def second(self, store: VectorStore, stop: threading.Event | None = None) -> Stage:
        path = self.cache_dir / f"{self.second_key(store.embedder.version)}.pkl"
        stage = load_cached(path)
        if isinstance(stage, Stage):
            return stage
        everything = [*self.examples, *self.messages]
        dense = store.vectors(model_texts(self.content, everything), "query", stop)
        stage = self._fit(np.asarray(dense), stop)
        save_cached(path, stage)
        log.info("answer model: second stage trained (answers at %.2f, offers choices at %.2f, "
                 "replies to a kind at %.2f)", stage.answer_at, stage.suggest_at, stage.kind_at)
        return stage
