"""The words that open or close a conversation, for a warmer reply: "halo min, kapan ...?" is
answered with a greeting back, and a thanks or a goodbye gets its own first line. Which
message is small talk at all is the answer model's call (`smalltalk`); these only shape the
reply."""

from __future__ import annotations

import re

GREETING = re.compile(
    r"^\W*(?:halo+|hal+o|hai+|hay|hi+|hello+|hey+|helo|pagi|siang|sore|malam|met (?:pagi|siang|sore|"
    r"malam)|selamat (?:pagi|siang|sore|malam)|assalamu.?alaikum|ass?alamualaikum|salam|permisi|"
    r"punten|good (?:morning|afternoon|evening))\b", re.IGNORECASE)
THANKS = re.compile(r"\b(?:makasih|makasi|terima ?kasih|trima ?kasih|thx|thanks|thank you|tq|"
                    r"suwun|nuhun)\b", re.IGNORECASE)
BYE = re.compile(r"\b(?:dadah|dah|bye|goodbye|sampai jumpa|sampai ketemu|see you)\b", re.IGNORECASE)


def greets(text: str) -> bool:
    return GREETING.search(text) is not None


def kind_of(text: str) -> str:
    """thanks, bye, hello, or about: which first line a small-talk reply gets. A message that
    neither greets, thanks nor says goodbye asks about the bot ("is this official?", "who made
    you?", "what can you do?"): no "hello too" to it, and who runs the bot is said."""
    return ("thanks" if THANKS.search(text) else "bye" if BYE.search(text)
            else "hello" if greets(text) else "about")
