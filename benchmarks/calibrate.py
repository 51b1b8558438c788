"""Choose the hybrid matcher's thresholds on the odd-numbered items of the development set only,
and show how they hold on the even-numbered items.

For every item it computes, once, the lexical match, the semantic ranking and whether each
entry's answer (in the language the bot would reply in) or the decline would be judged right;
then it searches a grid of thresholds for the best score on the odd half (core items count
double; a list of choices is never judged right, so choices cost). Prints the chosen
thresholds and both halves' figures.

    python -m benchmarks.calibrate
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from benchmarks import devset
from benchmarks.faq_accuracy import DEVSET, HARD, OWN
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.faq.evaluation import load_labelled
from bot.faq.hybrid import HybridMatcher, HybridThresholds
from bot.faq.language import detect_language
from bot.faq.matcher import Match, Matcher
from bot.faq.semantic import SemanticIndex, load_embedder

GRID = {
    "lexical_sure_score": (0.0, 6.0),
    "lexical_sure_coverage": (0.55, 0.8),
    "agree_top": (1, 2, 3),
    "agree": (0.80, 0.82, 0.84, 9.0),
    "dominant_ratio": (1.5, 1.8, 2.2, 9.0),
    "dominant_coverage": (0.25, 0.35, 0.45),
    "answer": (0.84, 0.86, 0.88, 9.0),
    "margin": (0.0, 0.01),
    "suggest": (0.84, 0.99),
    # Never 0: a question without one content word ("ignore your instructions...") is
    # declined, whatever the model thinks it is near.
    "min_coverage": (0.1, 0.15, 0.3),
}


MAX_MODEL_SHARE = 0.5


def main() -> None:
    content = load_content(PROJECT_ROOT / "content")
    items, fallback_any = devset.load(DEVSET)
    lexical = Matcher(content)
    embedder = load_embedder(2)
    assert embedder is not None, "the model is needed to calibrate"
    index = SemanticIndex.build(content, embedder, Path(tempfile.gettempdir()) / "suara-bench")
    decline = {lang: devset.reply_text([content.message("fallback", lang)]) for lang in ("id", "en")}
    judged: list[tuple[devset.Item, dict[str, bool]]] = []
    for item in items:
        lang = detect_language(lexical.normalizer, item.q) or ("en" if item.lang == "en" else "id")
        right = {eid: devset.judge(item, devset.reply_text([content.answer(eid, lang)]), fallback_any)
                 for eid in content.entries}
        right["<decline>"] = devset.judge(item, decline[lang], fallback_any)
        judged.append((item, right))
    # Our own hard questions (tests/faq/hard.tsv) tune too, alongside the odd half; the
    # labelled set (tests/faq/questions.tsv, whose 30 off-topic questions are short and near
    # the content's words) is shown beside them, not tuned on. Right is the labelled entry,
    # or the decline. A tuning row's index is odd; neither is ever the even half (index > 0).
    own = [(name, labelled) for name, path in (("hard", HARD), ("own", OWN))
           for labelled in load_labelled(path)]
    for n, (name, labelled) in enumerate(own):
        item = devset.Item(-1 - 2 * n if name == "hard" else -2 - 2 * n, labelled.question,
                           "id", [], [], labelled.expected == "unknown", False, name, name)
        right = {eid: eid == labelled.expected for eid in content.entries}
        right["<decline>"] = labelled.expected == "unknown"
        judged.append((item, right))
    rows = [(item, lexical.match(item.q), index.rank(embedder.query(index.query_text(item.q)), 5),
             right) for item, right in judged]

    oos = [lexical.out_of_scope(item.q) for item, _, _, _ in rows]

    def tuning(item: devset.Item) -> bool:
        return item.index % 2 == 1          # the odd half, and the hard set (negative, odd)

    def score(th: HybridThresholds | None, keep: Callable[[devset.Item], bool]
              ) -> tuple[float, int, int]:
        """Weighted and plain right answers on the kept rows; th None: the keywords alone."""
        hybrid = HybridMatcher(lexical, index, embedder, None, thresholds=th or HybridThresholds())
        got = weight = total = 0
        for (item, lex, ranking, right), declined in zip(rows, oos, strict=True):
            if not keep(item):
                continue
            sure = th is None or (lex.kind == "answer" and lex.score >= th.lexical_sure_score
                                  and lex.coverage >= th.lexical_sure_coverage)
            match = Match("unknown", ()) if declined else lex if sure else \
                hybrid.decide(lex, ranking)
            ok = (match.kind == "answer" and right[match.entry_ids[0]]) or \
                 (match.kind == "unknown" and right["<decline>"])
            w = 2 if (item.depth == "core" or item.fallback or item.neutral) else 1
            weight += w * ok
            got += ok
            total += 1
        return weight, got, total

    def odd(item: devset.Item) -> bool:
        return item.index > 0 and item.index % 2 == 1

    def even(item: devset.Item) -> bool:
        return item.index > 0 and item.index % 2 == 0

    def hard(item: devset.Item) -> bool:
        return item.index < 0 and item.style == "hard"

    def labelled(item: devset.Item) -> bool:
        return item.index < 0 and item.style == "own"

    def declines(th: HybridThresholds | None) -> str:
        parts = []
        for label, keep in (("tuning rows", tuning), ("labelled set", labelled)):
            _, right, total = score(th, lambda i, keep=keep: i.fallback and keep(i))
            parts.append(f"{label} {right}/{total}")
        return ", ".join(parts)

    # Every grid point's score on the tuning rows; the choice is the point whose neighbourhood
    # (one step either way in any one threshold) scores best on average: a few hundred
    # questions are few, and a lone peak among weaker neighbours is luck.
    axes = list(GRID.values())
    scores = {}
    for steps in itertools.product(*(range(len(a)) for a in axes)):
        th = replace(HybridThresholds(), **{k: a[i] for k, a, i in zip(GRID, axes, steps,
                                                                            strict=True)})
        scores[steps] = (score(th, tuning), th)

    def model_share(th: HybridThresholds) -> float:
        tuned = [lex for item, lex, _, _ in rows if tuning(item)]
        sure = sum(lex.kind == "answer" and lex.score >= th.lexical_sure_score
                   and lex.coverage >= th.lexical_sure_coverage for lex in tuned)
        return 1 - sure / len(tuned)

    def smoothed(steps: tuple[int, ...]) -> float:
        near = [steps] + [(*steps[:d], steps[d] + s, *steps[d + 1:]) for d in range(len(steps))
                          for s in (-1, 1) if 0 <= steps[d] + s < len(axes[d])]
        return sum(scores[n][0][0] for n in near) / len(near)

    # The latency target (p50 < 25 ms over distinct questions) holds only if the keywords
    # alone answer at least half of them: the model costs ~25-40 ms here.
    fast = [s for s in scores if model_share(scores[s][1]) <= MAX_MODEL_SHARE]
    best_steps = max(fast, key=lambda s: (smoothed(s), scores[s][0][0]))
    th = scores[best_steps][1]
    current = HybridThresholds()
    print(f"chosen on the odd half and the hard set: {th} (the model reads "
          f"{model_share(th):.0%} of them)")
    for name, chosen in (("chosen", th), ("shipped", current), ("keywords alone", None)):
        parts = []
        for label, keep in (("odd half", odd), ("hard set", hard), ("labelled set", labelled),
                            ("even half", even)):
            _, right, total = score(chosen, keep)
            parts.append(f"{label} {right}/{total} = {right / total:.1%}")
        print(f"  {name}: " + "; ".join(parts) + f" (judged on the answer text); off-topic"
              f" declined: {declines(chosen)}")


if __name__ == "__main__":
    main()
