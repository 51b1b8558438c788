"""Numbers typed by officials or carried by buttons, read strictly. str.isdigit() is true for
"²" (int() refuses it) and "٣" (int() reads 3), and SQLite refuses integers over 64 bits:
only plain ASCII digits within bounds are numbers here; anything else is None."""

from __future__ import annotations

USER_ID_MAX = (1 << 52) - 1     # Telegram: user ids have at most 52 significant bits
ROW_ID_MAX = (1 << 63) - 1      # SQLite: the largest INTEGER (row ids of requests, broadcasts)


def parse_int(text: str, minimum: int, maximum: int) -> int | None:
    """`text` as an int in minimum..maximum when it is plain ASCII digits (no sign, no spaces,
    no separators), else None."""
    if not text or len(text) > len(str(maximum)) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def user_id(text: str) -> int | None:
    """A Telegram user id: positive, at most 52 bits."""
    return parse_int(text, 1, USER_ID_MAX)


def row_id(text: str) -> int | None:
    """One of our row ids (approval requests, broadcasts): a positive 64-bit integer."""
    return parse_int(text, 1, ROW_ID_MAX)
