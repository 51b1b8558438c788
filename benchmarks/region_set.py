"""A region's own labelled set (issue 20: at least 40 messages per real region, kept out of
training), answered through the full Application and judged by each message's regexes.

    python -m benchmarks.region_set --region 16.71 [--content content]
                                    [--set tests/content/palembang_questions.jsonl]
                                    [--first-only] [--misses N]

The deployment's content (a province by default) answers each message as a citizen of `--region`
would get it (their region saved). The model trains on the content's own training messages, as
`python -m bot run` does; the set's messages are never among them. A set line: {"text",
"entry", "judge": [regex, ...], "style", "lang"}; a reply is right when every regex matches it
(case-insensitive). The entry `siapa_terbaik` is judged as the
neutral answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from benchmarks.answer_cv import report, run_split
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.content.training import TrainingMessage

DEFAULT_SET = PROJECT_ROOT / "tests" / "content" / "palembang_questions.jsonl"


def load_set(path: Path, neutral: str | None) -> list[TrainingMessage]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        kind = "neutral" if raw["entry"] == neutral else "answer"
        items.append(TrainingMessage(text=raw["text"], lang=raw["lang"], kind=kind,
                                     entries=(raw["entry"],), style=raw["style"],
                                     origin=f"{path.name}:{number}", all=tuple(raw["judge"])))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--region", default=None, help="the askers' region code (a province)")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--first-only", action="store_true")
    parser.add_argument("--misses", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "suara-cv")
    args = parser.parse_args()
    content = load_content(args.content)
    test = load_set(args.set, content.neutral_entry)
    outcomes = asyncio.run(run_split(content, list(content.training), test,
                                     0 if args.first_only else 2, args.cache, args.region))
    report(f"{args.set.name}" + (" (first stage only)" if args.first_only else ""), outcomes)
    for o in [o for o in outcomes if not o.right][: args.misses]:
        print(f"  MISS [{o.message.style}] {o.got} {o.message.entries}: {o.message.text[:90]!r}"
              f" -> {o.reply[:110]!r}")


if __name__ == "__main__":
    main()
