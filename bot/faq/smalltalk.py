"""The words that open or close a conversation, for a warmer reply: "halo min, kapan ...?" is
answered with a greeting back, and a thanks or a goodbye gets its own first line. Which
message is small talk at all is the answer model's call (`smalltalk`); these only shape the
reply."""

from __future__ import annotations

import re

from bot.faq.guards import SMALL, WORD

_TO = r"(?:min|admin|mimin|kak|kakak|bang|mas|mbak|pak|bu|gan|sis|bro|bot|semua|all)\b"
GREETING = re.compile(
    r"^\W*(?:halo+|hal+o|hai+|hay|hi+|hello+|hey+|helo|met (?:pagi|siang|sore|malam)|"
    r"selamat (?:pagi|siang|sore|malam)|assalamu.?alaikum|ass?alamualaikum|salam|permisi|"
    r"punten|good (?:morning|afternoon|evening)|"
    # a time of day alone greets only said to someone or standing alone: "pagi min", "malam,"
    # ("malam hari H kemarin ..." tells when)
    rf"(?:pagi|siang|sore|malam)(?=\s*(?:[,.!?]|$|{_TO})))\b", re.IGNORECASE)
THANKS = re.compile(r"\b(?:makasih|makasi|terima ?kasih|trima ?kasih|thx|thanks|thank you|tq|"
                    r"suwun|nuhun)\b", re.IGNORECASE)
BYE = re.compile(r"\b(?:dadah|dah|bye|goodbye|sampai jumpa|sampai ketemu|see you)\b", re.IGNORECASE)


# Who a greeting is addressed to ("halo min", "assalamualaikum kak"): part of the greeting.
ADDRESSED = re.compile(rf"[\s,.!:;]*(?:(?:{_TO}|wr\.? ?wb\.?|warahmatullahi wabarakatuh)[\s,.!:;]*)*",
                       re.IGNORECASE)


def question_of(text: str) -> str:
    """What a message asks once its opening greeting is set aside ("assalamualaikum min, jam
    berapa tps buka?" asks "jam berapa tps buka?"): the greeting is answered with a greeting,
    and its long words would otherwise pull the question towards small talk. A greeting with
    next to nothing after it is left whole (it is small talk)."""
    opening = GREETING.match(text)
    if opening is None:
        return text
    addressed = ADDRESSED.match(text, opening.end())
    rest = text[addressed.end() if addressed else opening.end():]
    return rest if len(rest.split()) >= 2 else text


def greets(text: str) -> bool:
    return GREETING.search(text) is not None


def kind_of(text: str) -> str:
    """thanks, bye, hello, or about: what a small-talk message says. Anything but a thanks, a
    goodbye or a greeting alone asks about the bot ("is this official?", "halo, who made you?",
    "what can you do?"): who runs the bot is said (a greeting is greeted back all the same)."""
    if THANKS.search(text):
        return "thanks"
    if BYE.search(text):
        return "bye"
    words = [w.lower() for w in WORD.findall(text)]
    plain = (greets(text) and question_of(text) == text) or all(w in SMALL for w in words)
    return "hello" if plain else "about"     # "oke", "mantap": no paragraph about the bot
