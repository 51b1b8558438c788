"""Score the matcher on a labelled question set (used by the benchmark and a floor test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.faq.matcher import Match, Matcher

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Labelled:
    expected: str
    question: str
    line: int


def load_labelled(path: Path) -> list[Labelled]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        expected, sep, question = line.partition("\t")
        if not sep or not question.strip():
            raise ValueError(f"{path}:{number}: expected '<entry id>\\t<question>'")
        items.append(Labelled(expected.strip(), question.strip(), number))
    return items


@dataclass
class Report:
    on_topic: int = 0
    top1: int = 0            # best-ranked entry is right and the bot did not give up
    direct: int = 0          # answered directly with the right entry
    suggested: int = 0       # right entry among the offered choices
    off_topic: int = 0
    fallbacks: int = 0       # off-topic questions that got the "don't know" answer
    misses: list[tuple[Labelled, Match]] = field(default_factory=list)

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.on_topic if self.on_topic else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.off_topic if self.off_topic else 0.0


def evaluate(matcher: Matcher, items: list[Labelled]) -> Report:
    report = Report()
    for item in items:
        match = matcher.match(item.question)
        if item.expected == UNKNOWN:
            report.off_topic += 1
            if match.kind == "unknown":
                report.fallbacks += 1
            else:
                report.misses.append((item, match))
            continue
        report.on_topic += 1
        best = match.entry_ids[0] if match.entry_ids else None
        if best == item.expected:
            report.top1 += 1
            report.direct += match.kind == "answer"
        else:
            report.misses.append((item, match))
        if match.kind == "suggest" and item.expected in match.entry_ids:
            report.suggested += 1
    return report
