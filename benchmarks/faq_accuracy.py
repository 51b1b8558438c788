"""How well the bot answers our own question sets, written in our own words and never trained
on (the labelled corpus in content/training/ is the model's; benchmarks/answer_cv.py measures
it cross-validated):

1. tests/faq/hard.tsv, check.tsv and questions.tsv through the full Application: right when the
   reply is the expected entry's answer (it opens with the entry's title), or a decline;
2. questions.tsv at the keywords alone (bot/faq/matcher.py, which answers until the answer
   model is trained): top-1 and off-topic fallbacks.

    python -m benchmarks.faq_accuracy [--content DIR] [--misses] [--semantic-threads 0]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import devset
from bot import PROJECT_ROOT
from bot.clock import FixedClock
from bot.content.registry import Content, load_content
from bot.content.schema import LANGUAGES
from bot.faq.evaluation import evaluate, load_labelled
from bot.faq.language import detect_language
from bot.faq.matcher import Matcher
from bot.faq.normalize import Normalizer
from bot.settings import load_settings

# During the campaign, two weeks before voting day (09:00 WIB).
DURING_CAMPAIGN = datetime(2024, 11, 13, 2, 0, tzinfo=UTC)
# Answers read the election's phase (bot/content/phases.py): the questions are asked when the
# results, dispute and swearing-in have all happened, as the bot is used now. `--at` asks on
# another day (the campaign: DURING_CAMPAIGN).
ASKED_AT = datetime(2026, 1, 25, 2, 0, tzinfo=UTC)


def print_own(content_dir: Path) -> None:
    matcher = Matcher(load_content(content_dir))
    items = load_labelled(OWN)
    report = evaluate(matcher, items)
    print(f"own labelled set: {len(items)} ({report.on_topic} on-topic, {report.off_topic} "
          f"off-topic): top-1 {report.top1_accuracy:.1%} ({report.top1}/{report.on_topic}), "
          f"answered directly {report.direct / report.on_topic:.1%}, off-topic fallbacks "
          f"{report.fallback_rate:.1%} ({report.fallbacks}/{report.off_topic})")
    for name, part in (("odd lines", items[0::2]), ("even lines", items[1::2])):
        half = evaluate(matcher, part)
        print(f"  {name}: top-1 {half.top1_accuracy:.1%}, fallbacks {half.fallback_rate:.1%}")


HARD = PROJECT_ROOT / "tests" / "faq" / "hard.tsv"
CHECK = PROJECT_ROOT / "tests" / "faq" / "check.tsv"
OWN = PROJECT_ROOT / "tests" / "faq" / "questions.tsv"


def own_items(content: Content, normalizer: Normalizer, path: Path
              ) -> tuple[list[devset.Item], list[str]]:
    """Our own labelled questions as development-set items: right when the reply is the
    expected entry's answer (it opens with the entry's title), or one of the bot's declines."""
    items = []
    for n, labelled in enumerate(load_labelled(path), start=1):
        lang = "en" if detect_language(normalizer, labelled.question) == "en" else "id"
        titles = []
        if labelled.expected != "unknown":
            entry = content.entries[labelled.expected].entry
            titles = ["^(?:" + "|".join(re.escape(entry.text(lg).title) for lg in LANGUAGES) + ")"]
        items.append(devset.Item(n, labelled.question, lang, titles, [],
                                 labelled.expected == "unknown", False, "core", path.stem))
    declines = ["^" + re.escape(devset.reply_text([content.message(key, lg)]).splitlines()[0])
                for key in ("fallback", "out_of_scope") for lg in LANGUAGES]
    return items, declines


def through_app(content: Content, items: list[devset.Item], declines: list[str],
                threads: int, at: datetime = ASKED_AT) -> devset.Report:
    """The items through the full Application in-process, on a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(BOT_TOKEN="123456:EVAL-token-for-the-benchmark",
                                 DATABASE_PATH=str(Path(tmp) / "e.sqlite3"),
                                 SEMANTIC_THREADS=str(threads),
                                 CACHE_DIR=str(Path(tempfile.gettempdir()) / "suara-bench"))
        return asyncio.run(devset.run(settings, content, items, declines, FixedClock(at)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--misses", action="store_true", help="print every miss with the reply")
    parser.add_argument("--semantic-threads", type=int, default=2,
                        help="SEMANTIC_THREADS for the run (0 = the first stage alone)")
    parser.add_argument("--at", type=datetime.fromisoformat, default=ASKED_AT,
                        help="the moment the questions are asked (ISO, with time zone); "
                             f"default {ASKED_AT.isoformat()}")
    args = parser.parse_args()
    content = load_content(args.content)
    normalizer = Matcher(content).normalizer      # to tell each question's language
    for path in (HARD, CHECK, OWN):
        items, declines = own_items(content, normalizer, path)
        own = through_app(content, items, declines, args.semantic_threads, args.at)
        share, right, total = own.share()
        declined = own.share(lambda r: r.item.fallback)
        print(f"own {path.stem} set ({path.name}, full Application): right entry or decline "
              f"{share:.1%} ({right}/{total}); off-topic declined {declined[1]}/{declined[2]}")
        for r in own.results if args.misses else ():
            if not r.correct:
                print(f"  {path.stem} #{r.item.index} {r.item.q!r}\n      -> {r.reply[:100]!r}")
    print_own(args.content)


if __name__ == "__main__":
    main()
