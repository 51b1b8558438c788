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
from operator import itemgetter

from bot.faq.slang import SLANG
from bot.faq.words import STOPWORDS

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
    examples: dict[str, int] = field(default_factory=dict)   # text -> times (a plain dict:
                                   # tens of thousands of groups are made at once)
    first: str = ""
    last: str = ""

    def top_examples(self, n: int = 3) -> list[str]:
        # Most asked first, ties in the order first seen (as Counter.most_common).
        return [text for text, _ in sorted(self.examples.items(), key=itemgetter(1),
                                           reverse=True)[:n]]


def group_key(signature: frozenset[str]) -> str:
    return _key(tuple(sorted(signature)))


def _key(spelled: tuple[str, ...]) -> str:
    return hashlib.sha1(" ".join(spelled).encode()).hexdigest()[:10]


def group_questions(rows: list[tuple[str, str]], examples: int = 5) -> list[Group]:
    """rows: (text, asked_at). Groups, biggest first."""
    by_sig: dict[frozenset[str], list[int]] = defaultdict(list)
    memo: dict[str, tuple[str, ...]] = {}
    seen: dict[str, frozenset[str]] = {}        # a text asked again is read once
    for i, (text, _) in enumerate(rows):
        sig = seen.get(text)
        if sig is None:
            sig = seen[text] = words(text, memo)
        by_sig[sig].append(i)
    spelled = {sig: tuple(sorted(sig)) for sig in by_sig}
    signatures = sorted(by_sig, key=lambda s: (-len(by_sig[s]), spelled[s]))
    frequency: Counter[str] = Counter(w for s in signatures for w in s)
    # Each word's place in (frequency, word) order: rarest first.
    rank = {w: n for n, w in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}

    reps: list[frozenset[str]] = []
    index: dict[str, list[int]] = defaultdict(list)
    assigned: dict[frozenset[str], int] = {}
    for sig in signatures:
        target = None
        size = len(sig)
        prefix = sorted(sig, key=rank.__getitem__)[:size - math.ceil(SIMILAR * size) + 1]
        checked = 0
        for w in prefix:            # rarest words first: they carry what the question is about
            for g in index[w]:      # oldest first: the biggest groups
                if checked >= MAX_CHECKS:
                    break
                checked += 1
                rep = reps[g]
                shared = len(sig & rep)
                if shared / (size + len(rep) - shared) >= SIMILAR and (target is None
                                                                       or g < target):
                    target = g
        if target is None:
            target = len(reps)
            reps.append(sig)
            for w in prefix:
                if len(index[w]) < MAX_LISTED:
                    index[w].append(target)
        assigned[sig] = target
    groups = [Group(_key(spelled[rep]), spelled[rep]) for rep in reps]
    for sig, members in by_sig.items():
        group = groups[assigned[sig]]
        group.count += len(members)
        seen_in = group.examples
        for i in members[:examples * 4]:
            text = rows[i][0]
            seen_in[text] = seen_in.get(text, 0) + 1
        asked = [rows[i][1] for i in members]
        group.first = min(group.first or min(asked), min(asked))
        group.last = max(group.last, max(asked))
    return sorted(groups, key=lambda g: (-g.count, g.key))
