"""The answer model's decisions at the label level, cross-validated: a quick way to compare
ways of scoring confidence or features before the full benchmark (benchmarks/answer_cv.py).

    python -m benchmarks.model_probe [--first-only]

Outer grouped 5-fold over the labelled messages; in each, the stage is trained and calibrated
exactly as the bot does (its thresholds from the training part's own cross-validation), then
the held-out messages are predicted. Printed: of the messages the content answers, the share
answered with a right entry, answered with a wrong one, and offered choices; of the kinds, the
share replied to as that kind.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.faq.calibration import fit_stage
from bot.faq.embeddings import VectorStore
from bot.faq.learned import Targets
from bot.faq.matcher import Matcher
from bot.faq.places import deployment_mask
from bot.faq.semantic import load_embedder
from bot.faq.trainer import Trainer, grouped, model_texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--first-only", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "suara-cv")
    args = parser.parse_args()
    from sklearn.model_selection import GroupKFold

    content = load_content(args.content)
    targets = Targets()
    matcher = Matcher(content)
    # place names masked as the bot's model reads them (bot/faq/startup.py, places.py)
    mask = deployment_mask(content, matcher)
    trainer = Trainer(content, matcher, args.cache, targets, mask)
    examples, messages = trainer.examples, grouped(trainer.messages)
    dense = None
    if not args.first_only:
        embedder = load_embedder(2)
        assert embedder is not None
        dense = VectorStore(args.cache, embedder).vectors(
            model_texts(content, [*examples, *messages]), "query")
    n_ex = len(examples)
    groups = np.array([s.group for s in messages])
    counts = {"right": 0, "wrong": 0, "suggest": 0, "answerable": 0}
    kinds: dict[str, list[int]] = {}
    for train, test in GroupKFold(targets.folds).split(np.zeros(len(messages)), groups=groups):
        rows = [*range(n_ex), *(n_ex + i for i in train)]
        stage, _ = fit_stage(examples, [messages[i] for i in train],
                             None if dense is None else dense[rows], targets, trainer.kinds)
        for i in test:
            s = messages[i]
            p = stage.predict(s.norm, s.text, None if dense is None else dense[n_ex + i],
                              targets.suggestions, s.hint)
            kind = next(iter(set(s.labels) & trainer.kinds), None)
            if kind:
                kinds.setdefault(kind, [0, 0])
                kinds[kind][1] += 1
                kinds[kind][0] += int(p.answer and p.label == kind)
                continue
            counts["answerable"] += 1
            if p.answer and p.label not in trainer.kinds:
                counts["right" if p.label in s.labels else "wrong"] += 1
            elif p.suggest and p.label not in trainer.kinds:
                counts["suggest"] += 1
    total = counts["answerable"]
    print(f"answerable {total}: right {counts['right'] / total:.1%}, wrong {counts['wrong'] / total:.1%}, "
          f"choices {counts['suggest'] / total:.1%}")
    for kind, (got, of) in sorted(kinds.items()):
        print(f"  {kind}: {got}/{of} = {got / of:.1%}")


if __name__ == "__main__":
    main()
