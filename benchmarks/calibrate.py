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
from dataclasses import replace
from pathlib import Path

from benchmarks import devset
from benchmarks.faq_accuracy import DEVSET
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.faq.hybrid import HybridMatcher, HybridThresholds
from bot.faq.language import detect_language
from bot.faq.matcher import Matcher
from bot.faq.semantic import SemanticIndex, load_embedder

GRID = {
    "lexical_sure_score": (0.0, 6.0),
    "lexical_sure_coverage": (0.55, 0.8),
    "agree_top": (1, 2, 3),
    "agree": (0.78, 0.80, 0.82, 0.84, 9.0),
    "answer": (0.84, 0.86, 0.88, 9.0),
    "margin": (0.0, 0.01, 0.02),
    "suggest": (0.84, 0.99),
    "min_coverage": (0.0, 0.15, 0.3),
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
    rows = []
    for item in items:
        lang = detect_language(lexical.normalizer, item.q) or ("en" if item.lang == "en" else "id")
        right = {eid: devset.judge(item, devset.reply_text([content.answer(eid, lang)]), fallback_any)
                 for eid in content.entries}
        right["<decline>"] = devset.judge(item, decline[lang], fallback_any)
        ranking = index.rank(embedder.query(index.query_text(item.q)), 5)
        rows.append((item, lexical.match(item.q), ranking, right))

    def score(th: HybridThresholds | None, parity: int) -> tuple[float, int, int]:
        """Weighted and plain right answers on one half; th None: the keywords alone."""
        hybrid = HybridMatcher(lexical, index, embedder, None, thresholds=th or HybridThresholds())
        got = weight = total = 0
        for item, lex, ranking, right in rows:
            if item.index % 2 != parity:
                continue
            sure = th is None or (lex.kind == "answer" and lex.score >= th.lexical_sure_score
                                  and lex.coverage >= th.lexical_sure_coverage)
            match = lex if sure else hybrid.decide(lex, ranking)
            ok = (match.kind == "answer" and right[match.entry_ids[0]]) or \
                 (match.kind == "unknown" and right["<decline>"])
            w = 2 if (item.depth == "core" or item.fallback or item.neutral) else 1
            weight += w * ok
            got += ok
            total += 1
        return weight, got, total

    # Every grid point's odd-half score; the choice is the point whose neighbourhood (one step
    # either way in any one threshold) scores best on average: 85 questions are few, and a
    # lone peak among weaker neighbours is luck rather than a better threshold.
    axes = list(GRID.values())
    scores = {}
    for steps in itertools.product(*(range(len(a)) for a in axes)):
        th = replace(HybridThresholds(), **{k: a[i] for k, a, i in zip(GRID, axes, steps,
                                                                            strict=True)})
        scores[steps] = (score(th, 1), th)

    def model_share(th: HybridThresholds) -> float:
        odd = [lex for item, lex, _, _ in rows if item.index % 2 == 1]
        sure = sum(lex.kind == "answer" and lex.score >= th.lexical_sure_score
                   and lex.coverage >= th.lexical_sure_coverage for lex in odd)
        return 1 - sure / len(odd)

    def smoothed(steps: tuple[int, ...]) -> float:
        near = [steps] + [(*steps[:d], steps[d] + s, *steps[d + 1:]) for d in range(len(steps))
                          for s in (-1, 1) if 0 <= steps[d] + s < len(axes[d])]
        return sum(scores[n][0][0] for n in near) / len(near)

    # The latency target (p50 < 25 ms over distinct questions) holds only if the keywords
    # alone answer at least half of them: the model costs ~25-40 ms here.
    fast = [s for s in scores if model_share(scores[s][1]) <= MAX_MODEL_SHARE]
    best_steps = max(fast, key=lambda s: (smoothed(s), scores[s][0][0]))
    best = scores[best_steps]
    (_, odd_right, odd_total), th = best
    _, even_right, even_total = score(th, 0)
    print(f"chosen on the odd half: {th} (the model reads {model_share(th):.0%} of questions)")
    print(f"  odd half {odd_right}/{odd_total} = {odd_right / odd_total:.1%}; even half "
          f"{even_right}/{even_total} = {even_right / even_total:.1%} (judged on the answer text)")
    current = HybridThresholds()
    (cw, c_odd, _), (_, c_even, _) = score(current, 1), score(current, 0)
    print(f"  the shipped thresholds: odd half {c_odd}/{odd_total} (weighted {cw} against the"
          f" best {best[0][0]}); even half {c_even}/{even_total}")
    _, lex_even, _ = score(None, 0)
    print(f"  lexical alone, even half: {lex_even}/{even_total} = {lex_even / even_total:.1%}")


if __name__ == "__main__":
    main()
