"""Which question each recent answer answered, in memory only, so that a "not helpful" press
can keep the question (redacted) with the entry it got. Nothing is written until someone
presses "no"; after a restart older buttons still say thanks but record nothing (one vote per
answer, never two)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Answered:
    question: str      # redacted
    entry_id: str
    language: str


class RecentAnswers:
    def __init__(self, remember: int = 20_000) -> None:
        self._items: OrderedDict[tuple[int, int], Answered] = OrderedDict()
        self._remember = remember

    def remember(self, chat_id: int, message_id: int, answered: Answered) -> None:
        self._items[(chat_id, message_id)] = answered
        while len(self._items) > self._remember:
            self._items.popitem(last=False)

    def take(self, chat_id: int, message_id: int) -> Answered | None:
        """The answer's question, once: a second press of the same answer gets None."""
        return self._items.pop((chat_id, message_id), None)
