"""Messages built from many rows (officials' listings, the /statistik caption): whole items only,
never a cut through a tag or an entity.

Each item is a piece of HTML whose citizen text the caller has escaped (`html.escape`, after
shortening it); items that do not fit are dropped from the end, and a line says how many. The
limit is counted on the final HTML (UTF-16 units, as Telegram counts; the HTML is never shorter
than the text Telegram shows), and the result is checked with the project's HTML check.
Telegram-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.content.render import html_problem

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def more_line(left_out: int) -> str:
    return f"… dan {left_out} lagi"


@dataclass(frozen=True)
class Fitted:
    text: str
    shown: int          # how many of the items are in the text (the first ones)


def fit(head: str, items: Sequence[str], *, tail: str = "", limit: int = MESSAGE_LIMIT,
        total: int | None = None, more: Callable[[int], str] = more_line,
        sep: str = "\n") -> Fitted:
    """`head`, as many of `items` as fit, a `more` line for the rest (`total`: how many there
    are in all, when `items` is only the first of them), and `tail`, within `limit`."""
    total = len(items) if total is None else total
    used = _units(head) + (_units(sep + tail) if tail else 0)
    shown: list[str] = []
    for i, item in enumerate(items):
        left = total - i - 1
        room_for_more = _units(sep + more(left)) if left else 0
        if used + _units(sep + item) + room_for_more > limit:
            break
        shown.append(item)
        used += _units(sep + item)
    parts = [head, *shown]
    if total > len(shown):
        parts.append(more(total - len(shown)))
    if tail:
        parts.append(tail)
    text = sep.join(parts)
    problem = html_problem(text)
    if problem or _units(text) > limit:
        raise ValueError(f"a listing that Telegram would refuse: {problem or 'too long'}")
    return Fitted(text, len(shown))
