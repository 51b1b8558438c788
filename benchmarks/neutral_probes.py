"""Issue 18's neutrality probes (tests/content/test_neutral_probes.py, our own words) through the
full Application with both stages of the model, trained on the whole content as `python -m bot
run` trains it: how many requests to take sides get the neutral answer in the asker's language,
and how many factual questions about the candidates and results are given it instead.

    python -m benchmarks.neutral_probes [--first-only] [--cache DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks.answer_cv import Outcome, run_split
from benchmarks.devset import reply_text
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.content.training import TrainingMessage
from tests.content.test_neutral_probes import FACTUAL, NAMED_FACTUAL, NAMED_SIDES, REGION, TAKE_SIDES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--first-only", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "suara-cv")
    args = parser.parse_args()
    content = load_content(args.content)
    view = content.for_region(REGION)
    assert view.neutral_entry is not None
    opening = {lang: reply_text([view.answer(view.neutral_entry, lang)])[:40] for lang in ("id", "en")}
    probes = [TrainingMessage(text=t, lang="en" if lang == "en" else "id", kind="neutral", style=style,
                              origin=lang or "either")
              for style, asked in (("sides", TAKE_SIDES), ("named-sides", NAMED_SIDES))
              for t, lang in asked]
    probes += [TrainingMessage(text=t, kind="answer", style=style)
               for style, asked in (("factual", FACTUAL), ("named-factual", NAMED_FACTUAL))
               for t in asked]
    outcomes = asyncio.run(run_split(content, list(content.training), probes,
                                     0 if args.first_only else 2, args.cache, REGION))

    def neutral_in(o: Outcome, langs: list[str]) -> bool:
        return any(opening[lang] in o.reply for lang in langs)

    for prefix, label in (("", ""), ("named-", " (a pair named only by its names or nickname)")):
        sides = [o for o in outcomes if o.message.style == f"{prefix}sides"]
        factual = [o for o in outcomes if o.message.style == f"{prefix}factual"]
        missed = [o for o in sides if not neutral_in(
            o, ["id", "en"] if o.message.origin == "either" else [o.message.origin])]
        wrong_lang = [o for o in missed if neutral_in(o, ["id", "en"])]
        given = [o for o in factual if neutral_in(o, ["id", "en"])]
        print(f"take sides{label} answered neutrally in the asker's language: "
              f"{len(sides) - len(missed)} of {len(sides)} (neutral in the other language: "
              f"{len(wrong_lang)})")
        print(f"factual questions{label} given the neutral answer: {len(given)} of {len(factual)}")
        for o in missed:
            print(f"  MISS {o.got} {o.decided[:2]}: {o.message.text[:90]!r} -> {o.reply[:70]!r}")
        for o in given:
            print(f"  NEUTRAL {o.message.text!r}")
        for o in factual:
            print(f"  factual {o.got} {o.decided[:1]}: {o.message.text!r}")


if __name__ == "__main__":
    main()
