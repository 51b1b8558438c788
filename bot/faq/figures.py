"""Numbers as people write them in a claim (issue 18): compared by value however written
("13.00", "13:00", "jam 13", "jam 1 siang"; "474.812" and "474,812"; "dua" and "2"), each with
what it is (a time of day, a date, a count) and the words beside it that say what it counts.
A digit inside a code ("C6", "pilkada2024") is part of a word, not a number."""

from __future__ import annotations

import re

from bot.faq.normalize import Normalizer

# A number as written: digits not glued to a letter before them (a code such as "C6" is a
# word), with its separators ("13.00", "474.812", "54,09").
NUMBER = re.compile(r"(?<![^\W_])\d+(?:[.,:]\d+)*")
RUPIAH = re.compile(r"\bRp\.?(?=\d)", re.IGNORECASE)     # "Rp200" is a sum, not a code
THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
CLOCK = re.compile(r"^(\d{1,2})[.:](\d{2})$")
UNITS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
         "tujuh": 7, "delapan": 8, "sembilan": 9,
         "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9}
TENS = {"sepuluh": 10, "sebelas": 11, "ten": 10, "eleven": 11, "twelve": 12}
# "dua belas" (12), "tiga puluh" (30), "dua puluh tujuh" (27): read before the single words.
SPELT = re.compile(
    rf"\b(?:({'|'.join(UNITS)})\s+(belas|puluh)(?:\s+({'|'.join(UNITS)}))?|"
    rf"({'|'.join([*UNITS, *TENS])}))\b",
    re.IGNORECASE)
# The hour of the day as said: "jam 3 sore" is 15.00, "1 siang" 13.00, "3 pm" 15.00.
DAYTIME = re.compile(r"\b(?:jam|pukul|pkl)?\s*(\d{1,2})([.:]\d{2})?\s*"
                     r"(pagi|siang|sore|malam|pm|p\.m\.|am|a\.m\.)(?!\w)", re.IGNORECASE)
TIME_CUE = re.compile(r"\b(?:jam|pukul|pkl|at)\s*$", re.IGNORECASE)
TIME_AFTER = re.compile(r"\s*(?:wib|wita|wit|pagi|siang|sore|malam)\b", re.IGNORECASE)
MONTH_AFTER = re.compile(r"\s*(?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|sep|okt|oct|nov|des|dec)[a-z]*\b",
                         re.IGNORECASE)
# A number among a text's terms (the normalizer's).
NUMBER_TERM = re.compile(r"^(?:\d+|#n)$")
# The words beside a number that say what it counts, in its sentence, time and money cues
# aside ("jam", "pukul", "Rp"): this many on each side in a claim (our own careful wording),
# a few more in a message, whose word order is free ("jam 12 TPS sudah tutup").
CLAIM_REACH, MESSAGE_REACH = 2, 3
ROLE_CHARS = 80
MAX_NUMBERS = 24                 # bounds the work on a message full of figures
SENTENCE_END = re.compile(r"[!?\n;]|\.(?:\s|$)")
CUES = frozenset({"jam", "pukul", "pkl", "wib", "wita", "wit", "tanggal", "tgl", "rp", "at"})


def _value(written: str) -> str:
    """One number as its value: "07.00" and "7" are 7, "474.812" is 474812, "13.30" stays a time."""
    if THOUSANDS.match(written):
        return str(int(re.sub(r"[.,]", "", written)))
    clock = CLOCK.match(written)
    if clock and int(clock.group(1)) <= 24 and int(clock.group(2)) <= 59:
        hour, minute = int(clock.group(1)), clock.group(2)
        return str(hour) if minute == "00" else f"{hour}.{minute}"
    if written.isdigit():
        return str(int(written))
    return written.replace(",", ".").replace(":", ".")


def _spelt(match: re.Match[str]) -> str:
    unit, scale, extra, single = match.groups()
    if single is not None:
        word = single.lower()
        return str(UNITS.get(word, TENS.get(word)))
    value = UNITS[unit.lower()]
    value = 10 + value if scale.lower() == "belas" else 10 * value + UNITS.get((extra or "").lower(), 0)
    return str(value)


def _clock(match: re.Match[str]) -> str:
    """"jam 3 sore" is 15, "1 siang" 13, "8 malam" 20, "3 pm" 15: the hour of the day."""
    hour, minutes, part = match.groups()
    value = int(hour)
    part = part.lower()
    later = (part in ("sore", "pm", "p.m.") and value < 12) or (part == "siang" and value <= 5) or (
        part == "malam" and 6 <= value <= 11)
    return f" jam {value + 12 if later else value}{minutes or ''} "   # a time, wherever it stood


def _read_numbers(text: str) -> str:
    text = RUPIAH.sub("Rp ", SPELT.sub(lambda m: f" {_spelt(m)} ", text))
    return DAYTIME.sub(_clock, text)


def numbers(text: str) -> set[str]:
    """The numbers a text names, by value."""
    return {_value(n) for n in NUMBER.findall(_read_numbers(text))}


def kinds_of_numbers(text: str) -> set[tuple[str, str]]:
    """The numbers a text names, each with what it is: a time of day ("jam 8", "13.00", "3
    sore"), a day of a month ("27 November"), or a count."""
    text = _read_numbers(text)
    found = set()
    for match in NUMBER.finditer(text):
        before, after = text[max(0, match.start() - 7):match.start()], text[match.end():match.end() + 12]
        kind = ("time" if TIME_CUE.search(before) or CLOCK.match(match.group()) or TIME_AFTER.match(after)
                else "date" if MONTH_AFTER.match(after) else "count")
        found.add((kind, _value(match.group())))
    return found


def number_roles(text: str, normalizer: Normalizer,
                 reach: int = MESSAGE_REACH) -> frozenset[tuple[str, frozenset[str]]]:
    """Each number a text names, by value, with the words beside it in its sentence, which say
    what it counts: "tutup jam 12" is a closing time, "izin maksimal jam 12" is not."""
    text = _read_numbers(text)
    found = set()
    for match in list(NUMBER.finditer(text))[:MAX_NUMBERS]:
        before = SENTENCE_END.split(text[max(0, match.start() - ROLE_CHARS):match.start()])[-1]
        after = SENTENCE_END.split(text[match.end():match.end() + ROLE_CHARS])[0]
        # The words before it, read by clause: the word right before it in its clause is
        # marked ("buka jam 7", "tutup jam 13": plays()).
        *earlier, clause = before.rsplit(",", 1)
        ahead = role_words(clause, normalizer)
        last = ahead[-1:]
        if len(ahead) < reach and earlier:
            ahead = role_words(earlier[0], normalizer) + ahead
        near = ahead[-reach:] + role_words(after, normalizer)[:reach]
        found.add((_value(match.group()), frozenset(near + [f"<{w}" for w in last])))
    return frozenset(found)


def role_words(text: str, normalizer: Normalizer) -> list[str]:
    return [t for t in normalizer.terms(text, repair=False)
            if t not in CUES and len(t) > 1 and not NUMBER_TERM.match(t)]


def plays(claim: frozenset[tuple[str, frozenset[str]]], value: str,
           message: frozenset[tuple[str, frozenset[str]]], said: str) -> bool:
    """The message's number `said` stands where the claim's `value` does: some of the words
    beside them are the same (or one side has none to tell), and the word right before it is
    not the one right before another of the claim's numbers instead ("buka jam 13 dan tutup
    jam 7" swaps "buka pukul 07.00 dan tutup pukul 13.00")."""
    mine = {w for v, c in claim if v == value for w in c if w[0] == "<"}
    theirs = {w for v, c in claim if v != value for w in c if w[0] == "<"} - mine
    return any((not c or not m or bool(c & m)) and not (m & theirs and not m & mine)
               for v, c in claim if v == value for u, m in message if u == said)
