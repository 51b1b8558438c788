"""Unanswered questions grouped by similarity, biggest group first. Telegram-free, pure CPU:
run it off the event loop.

Each question becomes a set of content words (chat spelling read as the standard word, stop
words and -nya/-kah/-lah dropped). Identical sets count together; then each set joins the
biggest group whose representative it resembles (Jaccard >= SIMILAR) among the groups listed
under its rarest words (a prefix filter, with bounded lists and checks), so 100,000 questions
take about a second whatever they say, not a quadratic night; a rare near-miss may form its own
group.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.faq.normalize import STOPWORDS
from bot.faq.slang import SLANG

SIMILAR = 0.5
MAX_WORDS = 12
# Work is bounded whatever the questions: each distinct question is compared with at most
# MAX_CHECKS groups, and a word lists at most MAX_LISTED groups (the biggest, formed first).
MAX_CHECKS = 24
MAX_LISTED = 200
WORD = re.compile(r"[^\W\d_]{2,}|\d{2,}")
SUFFIX = re.compile(r"(?<=\w{3})(nya|kah|lah)$")


def _content_words(raw: str) -> tuple[str, ...]:
    found = []
    for word in SLANG.get(raw, raw).split():
        word = SUFFIX.sub("", word)
        if word not in STOPWORDS and len(word) > 1:
            found.append(word)
    return tuple(found)


def words(text: str, memo: dict[str, tuple[str, ...]] | None = None) -> frozenset[str]:
    """A question's content words (at most MAX_WORDS); `memo` caches each surface word."""
    memo = {} if memo is None else memo
    found: list[str] = []
    for raw in WORD.findall(text.lower()):
        known = memo.get(raw)
        if known is None:
            known = memo[raw] = _content_words(raw)
        found.extend(known)
        if len(found) >= MAX_WORDS:
            break
    return frozenset(found)


@dataclass
class Group:
    key: str                       # stable id of the group (from its representative words)
    words: tuple[str, ...]         # the representative's words, sorted
    count: int = 0
    examples: Counter[str] = field(default_factory=Counter)
    first: str = ""
    last: str = ""

    def top_examples(self, n: int = 3) -> list[str]:
        return [text for text, _ in self.examples.most_common(n)]


def group_key(signature: frozenset[str]) -> str:
    return hashlib.sha1(" ".join(sorted(signature)).encode()).hexdigest()[:10]


def group_questions(rows: list[tuple[str, str]], examples: int = 5) -> list[Group]:
    """rows: (text, asked_at). Groups, biggest first."""
    by_sig: dict[frozenset[str], list[int]] = defaultdict(list)
    memo: dict[str, tuple[str, ...]] = {}
    for i, (text, _) in enumerate(rows):
        by_sig[words(text, memo)].append(i)
    signatures = sorted(by_sig, key=lambda s: (-len(by_sig[s]), sorted(s)))
    frequency: Counter[str] = Counter(w for s in signatures for w in s)

    def ordered(sig: frozenset[str]) -> list[str]:
        return sorted(sig, key=lambda w: (frequency[w], w))

    reps: list[frozenset[str]] = []
    index: dict[str, list[int]] = defaultdict(list)
    assigned: dict[frozenset[str], int] = {}
    for sig in signatures:
        target = None
        prefix = ordered(sig)[:len(sig) - math.ceil(SIMILAR * len(sig)) + 1] if sig else []
        checked = 0
        for w in prefix:            # rarest words first: they carry what the question is about
            for g in index[w]:      # oldest first: the biggest groups
                if checked >= MAX_CHECKS:
                    break
                checked += 1
                rep = reps[g]
                if len(sig & rep) / len(sig | rep) >= SIMILAR and (target is None or g < target):
                    target = g
        if target is None:
            target = len(reps)
            reps.append(sig)
            for w in prefix:
                if len(index[w]) < MAX_LISTED:
                    index[w].append(target)
        assigned[sig] = target
    groups = [Group(group_key(rep), tuple(sorted(rep))) for rep in reps]
    for sig, members in by_sig.items():
        group = groups[assigned[sig]]
        group.count += len(members)
        for i in members[:examples * 4]:
            group.examples[rows[i][0]] += 1
        asked = [rows[i][1] for i in members]
        group.first = min(group.first or min(asked), min(asked))
        group.last = max(group.last, max(asked))
    return sorted(groups, key=lambda g: (-g.count, g.key))
