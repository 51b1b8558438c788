"""Verdicts on claims, counted (issue 18): of the messages the bot read as a claim to check
(forwarded, or asking whether something is true) and answered with an entry, how many got a
verdict ("Tidak benar"/"Benar"), how many did not and whether their entry lists any claim at
all, and the verdicts' precision: a verdict whose reply the message's own judge then fails is
the worst reply the bot can give (a wrong "Benar" or "Tidak benar" is misinformation).

Read from the reply as sent: its opening (content/messages.yaml `claim_facts`), not from the
code that chose it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

OPENS_CLAIM = re.compile(r"^\W*(?:Faktanya|The facts|Tidak benar|Not true|Benar|True)\b")
FALSE = re.compile(r"^\W*(?:Tidak benar|Not true)\b")
TRUE = re.compile(r"^\W*(?:Benar|True)\b")


class Checked(Protocol):
    reply: str
    right: bool
    entry: str | None   # the entry whose answer the reply gives, if any


def verdict_of(reply: str) -> str | None:
    """"false", "true", "none" (the facts without a verdict), or None: not a claim's answer."""
    if FALSE.match(reply):
        return "false"
    if TRUE.match(reply):
        return "true"
    return "none" if OPENS_CLAIM.match(reply) else None


def report(title: str, outcomes: Sequence[Checked], has_claims: Callable[[str], bool]) -> None:
    read = [(o, verdict_of(o.reply)) for o in outcomes if o.entry is not None]
    checked = [(o, v) for o, v in read if v is not None]
    if not checked:
        return
    given = [(o, v) for o, v in checked if v in ("false", "true")]
    bare = [o for o, v in checked if v == "none"]
    wrong = [v for o, v in given if not o.right]
    false_given = sum(v == "false" for _, v in given)
    print(f"  {title}: {len(checked)} claims answered with an entry: verdict given {len(given)} "
          f"(Tidak benar {false_given}, Benar {len(given) - false_given}), none {len(bare)} "
          f"(their entry lists no claim: {sum(not has_claims(o.entry or '') for o in bare)}; "
          f"judged right anyway: {sum(o.right for o in bare)})")
    precision = (len(given) - len(wrong)) / len(given) if given else 1.0
    print(f"  verdict precision: {precision:.1%} ({len(given) - len(wrong)}/{len(given)}); "
          f"verdicts the judge fails: Tidak benar {wrong.count('false')}, "
          f"Benar {wrong.count('true')}")
