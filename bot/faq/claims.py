"""Forwarded messages and "is this true?" questions are claims to check (issue 18).

A message is a claim when Telegram says it was forwarded, when it carries a forwarding header
(bot/faq/forwards.py), or when it asks whether something is true ("bener gak?", "hoaks?",
"is this true?"). The reply opens with the facts; a verdict ("Tidak benar", "Benar") is given
only where the answering entry itself lists the claim (`claims:` in content), and the message
says that claim: most of the claim's words are in it, and every number the claim names.
"""

from __future__ import annotations

import re

from bot.content.schema import Claim, Entry
from bot.faq.normalize import Normalizer

ASKS_IF_TRUE = re.compile(
    r"\b(?:bener|benar|betul|beneran|bnr|bner|bnran|valid|asli|fakta)\s*(?:g|ga|gak|gk|ngga|nggak|"
    r"enggak|engga|tidak|tdk|dak|kah|ya|ngak|nih|ini|gitu|itu)\b|\bbenarkah\b|\bbetulkah\b|"
    r"\bhoa[kx]s?\b|\bhoaks\b|\bkabar burung\b|"
    r"\bis (?:this|that|it) (?:true|real|legit|correct|right|accurate)\b|\bfake news\b|\bhoax\b",
    re.IGNORECASE)
NUMBER = re.compile(r"\d+")
# A claim is said when this share of its words is in the message (and all of its numbers).
SAID = 0.6


def asks_if_true(text: str) -> bool:
    return ASKS_IF_TRUE.search(text) is not None


def settled(entry: Entry, text: str, normalizer: Normalizer) -> Claim | None:
    """The entry's claim that the message states, if any."""
    said = set(normalizer.terms(text, repair=False))
    numbers = set(NUMBER.findall(text))
    best: tuple[float, Claim] | None = None
    for claim in entry.claims:
        # Both wordings: a claim forwarded in English is the same claim.
        for wording in (claim.claim.id, claim.claim.en):
            words = set(normalizer.terms(wording, repair=False))
            if not words or not set(NUMBER.findall(wording)) <= numbers:
                continue
            share = len(words & said) / len(words)
            if share >= SAID and (best is None or share > best[0]):
                best = (share, claim)
    return best[1] if best else None
