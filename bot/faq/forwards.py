"""A forwarded or chain message is read without its forwarding header: "[Diteruskan]",
"Fwd dari grup kantor:", "Pesan berantai grup RT:", "Forwarded many times:", "BROADCAST‼️".
The header says how the message travelled, not what it asks; left in, its words ("grup",
"kantor", "broadcast") pull the message toward the wrong answers."""

from __future__ import annotations

import re

# A header: one of the forwarding words at the start, then at most a few words of where from
# ("dari grup RT", "in our expat group"), ending at a colon, a closing bracket or the line's end.
HEADER = re.compile(
    r"^\W{0,6}(?:forwarded|diteruskan|fwd|fw|pesan berantai|broadcast|bc|info(?:rmasi)? (?:dari|dr)|"
    r"dari grup|from (?:the |our |a )?\w+ group|copas|copy ?paste)\b"
    r"[^\n:\]\"“]{0,60}(?:[:\]]|\n)\W{0,3}",
    re.IGNORECASE)
MAX_HEADERS = 3


def strip_forward(text: str) -> tuple[str, bool]:
    """The message without its forwarding headers, and whether it had one."""
    stripped = text
    for _ in range(MAX_HEADERS):      # a chain forwarded again carries more than one
        cut = HEADER.sub("", stripped, count=1)
        if cut == stripped:
            break
        stripped = cut
    stripped = stripped.strip()
    return (stripped, True) if stripped and stripped != text.strip() else (text, False)
