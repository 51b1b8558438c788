"""Content tests on our own labelled question set (tests/faq/questions.tsv), which is about the
bundled election."""

from __future__ import annotations

import pytest

from bot import PROJECT_ROOT
from bot.content.registry import Content
from bot.faq.evaluation import evaluate, load_labelled
from bot.faq.matcher import Matcher
from bot.regions.loader import load_regions

TOP1_FLOOR = 0.89
FALLBACK_FLOOR = 0.90


@pytest.fixture(scope="module")
def bundled_matcher(bundled_content: Content) -> Matcher:
    return Matcher(bundled_content)



def test_accuracy_floor_on_labelled_questions(bundled_matcher: Matcher) -> None:
    items = load_labelled(PROJECT_ROOT / "tests" / "faq" / "questions.tsv")
    assert len(items) >= 180 and sum(i.expected == "unknown" for i in items) >= 30
    report = evaluate(bundled_matcher, items)
    assert report.top1_accuracy >= TOP1_FLOOR, report.misses
    assert report.fallback_rate >= FALLBACK_FLOOR, report.misses


def test_labels_name_real_entries(bundled_content: Content) -> None:
    items = load_labelled(PROJECT_ROOT / "tests" / "faq" / "questions.tsv")
    assert {i.expected for i in items} - {"unknown"} <= set(bundled_content.entries)


def test_content_examples_are_not_the_test_questions(bundled_content: Content) -> None:
    items = load_labelled(PROJECT_ROOT / "tests" / "faq" / "questions.tsv")
    examples = {q.lower().strip(" ?") for e in bundled_content.entries.values()
                for lang in ("id", "en") for q in e.entry.text(lang).questions}
    copied = [i.question for i in items if i.question.lower().strip(" ?") in examples]
    assert copied == []


def test_no_faq_question_is_taken_for_a_place(bundled_content: Content) -> None:
    tree = load_regions(bundled_content)
    items = load_labelled(PROJECT_ROOT / "tests" / "faq" / "questions.tsv")
    diverted = [i.question for i in items if tree.find_place(i.question).is_place_question]
    assert diverted == []


