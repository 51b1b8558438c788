"""Forwarded messages and "is this true?" questions are claims to check (issue 18).

A message is a claim when Telegram says it was forwarded, when it carries a forwarding header
(bot/faq/forwards.py), or when it asks whether something is true ("bener gak?", "hoaks?",
"is this true?"). The reply opens with the facts; a verdict ("Tidak benar", "Benar") is given
only where the answering entry itself lists the claim (`claims:` in content), and the message
says that claim: most of the claim's words are in it, some of what sets it apart from the
entry's other claims, and every number the claim names; a claim confirmed as true must not be
denied by the message ("tidak", "dilarang") nor come with numbers it does not name, and no
claim is found where the message denies what it says ("dilarang bawa HP" against "boleh bawa
HP").

Both sides are read the same way: the question tag ("bener gak?") is not part of what is
claimed; words are the normalizer's terms, numbers aside (the message's also as repaired, so
that a typo or a spoken form of a claim's word counts); numbers are compared by value, however
written ("13.00", "13:00" and "jam 13"; "474.812" and "474,812"; "dua" and "2"), and a digit
inside a code ("C6", "pilkada2024") is part of a word, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from bot.content.schema import Claim, Entry
from bot.faq.normalize import Normalizer

ASKS_IF_TRUE = re.compile(
    r"\b(?:bener|benar|betul|beneran|bnr|bner|bnran|valid|asli|fakta)\s*(?:g|ga|gak|gk|ngga|nggak|"
    r"enggak|engga|tidak|tdk|dak|kah|ya|ngak|nih|ini|gitu|itu)\b|\bbenarkah\b|\bbetulkah\b|"
    r"\bhoa[kx]s?\b|\bhoaks\b|\bkabar burung\b|"
    r"\bis (?:this|that|it) (?:true|real|legit|correct|right|accurate)\b|\bfake news\b|\bhoax\b",
    re.IGNORECASE)
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
# Numbers are compared by value, not as words. Words that say the same in a claim: "pukul 13"
# is "jam 13", "nyoblos" is voting ("memilih"), "cuma" is "hanya", "bisa" is "boleh".
NUMBER_TERM = re.compile(r"^(?:\d+|#n)$")
SAME = {"pukul": "jam", "pkl": "jam", "coblos": "pilih", "coblo": "pilih", "cuma": "hanya",
        "bisa": "boleh"}
# A claim confirmed ("Benar") must be said as it is, not denied: "tidak", "dilarang", "not".
DENIALS = frozenset({"tidak", "bukan", "belum", "larang", "not", "never", "isnt", "arent",
                     "doesnt", "didnt", "wont", "wasnt", "werent", "shouldnt", "mustnt"})
# The words beside a number that say what it counts, in its sentence, time and money cues
# aside ("jam", "pukul", "Rp"): this many on each side in a claim (our own careful wording),
# a few more in a message, whose word order is free ("jam 12 TPS sudah tutup").
CLAIM_REACH, MESSAGE_REACH = 2, 3
ROLE_CHARS = 80
MAX_NUMBERS = 24                 # bounds the work on a message full of figures
SENTENCE_END = re.compile(r"[!?\n;]|\.(?:\s|$)")
CUES = frozenset({"jam", "pukul", "pkl", "wib", "wita", "wit", "tanggal", "tgl", "rp", "at"})
# "sebelum" (before) stems to "belum" (not yet): it denies nothing.
BEFORE = re.compile(r"\bsebelum(?:nya)?\b", re.IGNORECASE)
# A claim is said when this share of its words is in the message (and all of its numbers).
SAID = 0.6


def asks_if_true(text: str) -> bool:
    return ASKS_IF_TRUE.search(text) is not None


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
        near = _role_words(before, normalizer)[-reach:] + _role_words(after, normalizer)[:reach]
        found.add((_value(match.group()), frozenset(near)))
    return frozenset(found)


def _role_words(text: str, normalizer: Normalizer) -> list[str]:
    return [t for t in normalizer.terms(text, repair=False)
            if t not in CUES and len(t) > 1 and not NUMBER_TERM.match(t)]


def _plays(claim: frozenset[tuple[str, frozenset[str]]], value: str,
           message: frozenset[tuple[str, frozenset[str]]], said: str) -> bool:
    """The message's number `said` stands where the claim's `value` does: some of the words
    beside them are the same (or one side has none to tell)."""
    return any(not c or not m or bool(c & m) for v, c in claim if v == value
               for u, m in message if u == said)


def _words(terms: list[str]) -> set[str]:
    return {SAME.get(t, t) for t in terms if not NUMBER_TERM.match(t)}


def _denied(terms: list[str], reach: int = 1) -> set[str]:
    """The words a text denies: the `reach` words after "tidak", "dilarang", "not"."""
    denied: set[str] = set()
    for n, term in enumerate(terms):
        if term in DENIALS:
            denied.update(SAME.get(t, t) for t in terms[n + 1:n + 1 + reach] if t not in DENIALS)
    return denied


@dataclass(frozen=True)
class Message:
    """What a message says, read once for every claim it is checked against: its words (as
    written and as repaired), the words it denies, its numbers, and its numbers by kind."""
    said: frozenset[str]
    denies: frozenset[str]
    named: frozenset[str]
    kinds: frozenset[tuple[str, str]]
    roles: frozenset[tuple[str, frozenset[str]]]


def read_message(text: str, normalizer: Normalizer) -> Message:
    text = ASKS_IF_TRUE.sub(" ", text)       # the question tag is not part of what is claimed
    plain = normalizer.terms(text, repair=False)
    denies = _denied(normalizer.terms(BEFORE.sub(" ", text), repair=False))
    return Message(frozenset(_words(plain + normalizer.terms(text))), frozenset(denies),
                   frozenset(numbers(text)), frozenset(kinds_of_numbers(text)),
                   number_roles(text, normalizer))


@dataclass(frozen=True)
class Wording:
    """One wording (id or en) of one of the entry's claims, read: its words, numbers (also by
    kind), the words it denies, and what sets it apart from the entry's other claims."""
    index: int
    lang: str
    claim: Claim
    words: frozenset[str]
    figures: frozenset[str]
    against: frozenset[str]
    kinds: frozenset[tuple[str, str]]
    own: frozenset[str]
    roles: frozenset[tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class Readings:
    """An entry's claims read once: every wording, in order (claim by claim, id then en), and
    the numbers its own answer states. Held with the entry it was read from."""
    entry: Entry
    wordings: tuple[Wording, ...]
    stated: frozenset[str]


# Readings per normalizer (one per content version: reload builds a new matcher), then per entry
# object. The entry (frozen) is held by its reading, so its id is not reused while cached, and
# the identity is checked: another version of an entry, even under the same id, is read anew.
_READINGS: WeakKeyDictionary[Normalizer, dict[int, Readings]] = WeakKeyDictionary()


def readings(entry: Entry, normalizer: Normalizer) -> Readings:
    cache = _READINGS.setdefault(normalizer, {})
    found = cache.get(id(entry))
    if found is None or found.entry is not entry:
        found = cache[id(entry)] = _read_entry(entry, normalizer)
    return found


def _read_entry(entry: Entry, normalizer: Normalizer) -> Readings:
    read = []
    for n, claim in enumerate(entry.claims):
        # Both wordings: a claim forwarded in English is the same claim.
        for lang, wording in (("id", claim.claim.id), ("en", claim.claim.en)):
            terms = normalizer.terms(wording, repair=False)
            read.append((n, lang, claim, _words(terms), numbers(wording),
                         _denied(normalizer.terms(BEFORE.sub(" ", wording), repair=False), reach=2),
                         kinds_of_numbers(wording)))
    wordings = []
    for n, lang, claim, words, figures, against, kinds in read:
        rest = [w | f for m, other, _, w, f, _, _ in read if other == lang and m != n]
        own = (words | figures) - set().union(*rest)
        if not own and rest:
            # Every word is in another claim too ("hijau" beside "hijau toska"): what sets it
            # apart is then the words fewest others say.
            said_by = {t: sum(t in r for r in rest) for t in words | figures}
            own = {t for t, k in said_by.items() if k == min(said_by.values())}
        wordings.append(Wording(n, lang, claim, frozenset(words), frozenset(figures),
                                frozenset(against), frozenset(kinds), frozenset(own),
                                number_roles(getattr(claim.claim, lang), normalizer, CLAIM_REACH)))
    # A number the entry's own answer states is not a wrong one (contradicted()).
    stated = numbers(entry.text("id").answer or "") | numbers(entry.text("en").answer or "")
    return Readings(entry, tuple(wordings), frozenset(stated))


def _message(message: str | Message, normalizer: Normalizer) -> Message:
    return read_message(message, normalizer) if isinstance(message, str) else message


def settled(entry: Entry, message: str | Message, normalizer: Normalizer) -> Claim | None:
    """The entry's claim that the message states, if any."""
    if not entry.claims:
        return None
    msg = _message(message, normalizer)
    said, named = msg.said, msg.named
    best: tuple[float, Claim] | None = None
    wordings = readings(entry, normalizer).wordings
    # How much of what sets each wording apart the message says: a message that says more of
    # another claim's own words than of this one's is about that other claim.
    apart = {w: len(w.own & (said | named)) for w in wordings}
    for w in wordings:
        words, figures = w.words, w.figures
        if not words or not figures <= named or not all(
                _plays(w.roles, f, msg.roles, f) for f in figures):
            continue
        others = [o for o in wordings if o.index != w.index and o.lang == w.lang]
        if any(apart[o] > apart[w] for o in others):
            continue
        # A claim that denies ("... tidak dirahasiakan") is said only by a message that denies
        # it too: "identitas pelapor dirahasiakan" states the opposite.
        if w.against and not w.against & msg.denies:
            continue
        # "Benar" confirms a message that speaks of nothing another claim sets apart: "surat
        # suara GUBERNUR 474.812" is not the bupati ballots' count confirmed.
        if w.claim.verdict and any((o.own - w.words - w.figures) & (said | named) for o in others):
            continue
        # "Benar" confirms no number we do not hold, and nothing the message denies.
        if w.claim.verdict and (not named <= figures or bool(words & DENIALS) != bool(said & DENIALS)):
            continue
        # A word the claim says must not be denied in the message: "dilarang bawa HP" does not
        # say "boleh bawa HP", whatever the rest of the chain ("tidak bersertifikat halal" is
        # said by "tidak halal": a denial in the claim reaches two words).
        if (msg.denies & words) - w.against:
            continue
        # What sets this claim apart from the entry's others ("hijau" beside "merah marun"):
        # the message must say some of it, not only the words they share.
        if w.own and not w.own & (said | named):
            continue
        # A claim's numbers are among its words: all of them are in the message.
        share = (len(words & said) + len(figures)) / (len(words) + len(figures))
        if share >= SAID and (best is None or share > best[0]):
            best = (share, w.claim)
    return best[1] if best else None


def contradicted(entry: Entry, message: str | Message, normalizer: Normalizer) -> Claim | None:
    """A claim the entry holds true that the message states with other numbers: "TPS buka jam
    8, tutup jam 3 sore" against "TPS buka pukul 07.00 dan tutup pukul 13.00". The message says
    most of the claim's words, none of them denied, and for every kind of number the claim
    names and the message does not (a time, a date, a count), the message names another of
    that kind in its place (beside the same words), one the entry's answer does not state
    itself. The reply then says it is not true, and what is."""
    if not any(claim.verdict for claim in entry.claims):
        return None
    msg = _message(message, normalizer)
    said, named = msg.said, msg.kinds
    if not named:
        return None
    read = readings(entry, normalizer)
    best: tuple[float, Claim] | None = None
    for w in read.wordings:
        words, figures = w.words, w.kinds
        if not w.claim.verdict:
            continue
        missing = figures - named
        if not words or not missing or bool(words & DENIALS) != bool(said & DENIALS):
            continue
        # In place of each missing number, one of its kind standing where it stands in the claim.
        places = [{v for k, v in named if k == kind and (k, v) not in figures
                   and _plays(w.roles, value, msg.roles, v)} for kind, value in missing]
        instead = set().union(*places)
        if not all(places) or (msg.denies & words) - w.against or instead <= read.stated:
            continue
        share = len(words & said) / len(words)
        if share >= SAID and (best is None or share > best[0]):
            best = (share, w.claim)
    return best[1] if best else None
