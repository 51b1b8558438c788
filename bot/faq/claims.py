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
written, and count only beside the claim's words (bot/faq/figures.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from bot.content.schema import Claim, Entry
from bot.faq.figures import (
    CLAIM_REACH,
    NUMBER_TERM,
    kinds_of_numbers,
    number_roles,
    numbers,
    plays,
)
from bot.faq.normalize import Normalizer

ASKS_IF_TRUE = re.compile(
    r"\b(?:bener|benar|betul|beneran|bnr|bner|bnran|valid|asli|fakta)\s*(?:g|ga|gak|gk|ngga|nggak|"
    r"enggak|engga|tidak|tdk|dak|kah|ya|ngak|nih|ini|gitu|itu)\b|\bbenarkah\b|\bbetulkah\b|"
    r"\bhoa[kx]s?\b|\bhoaks\b|\bkabar burung\b|"
    r"\bis (?:this|that|it) (?:true|real|legit|correct|right|accurate)\b|\bfake news\b|\bhoax\b",
    re.IGNORECASE)
# Words that say the same in a claim: "pukul 13"
# is "jam 13", "nyoblos" is voting ("memilih"), "cuma" is "hanya", "bisa" is "boleh".
SAME = {"pukul": "jam", "pkl": "jam", "coblos": "pilih", "coblo": "pilih", "cuma": "hanya",
        "bisa": "boleh"}
# A claim confirmed ("Benar") must be said as it is, not denied: "tidak", "dilarang", "not";
# "jangan", and Palembang's "dak"/"idak" (the normalizer keeps them as written).
DENIALS = frozenset({"tidak", "bukan", "belum", "larang", "jangan", "dak", "idak", "not",
                     "never", "isnt", "arent", "doesnt", "didnt", "wont", "wasnt", "werent",
                     "shouldnt", "mustnt"})
# "sebelum" (before) stems to "belum" (not yet): it denies nothing.
BEFORE = re.compile(r"\bsebelum(?:nya)?\b", re.IGNORECASE)
# A claim is said when this share of its words is in the message (and all of its numbers).
SAID = 0.6


def asks_if_true(text: str) -> bool:
    return ASKS_IF_TRUE.search(text) is not None


def _words(terms: list[str]) -> set[str]:
    return {SAME.get(t, t) for t in terms if not NUMBER_TERM.match(t)}


def _denials(terms: list[str], reach: int = 1) -> list[frozenset[str]]:
    """Each denial in a text ("tidak", "dilarang", "not"), as the `reach` words after it."""
    return [frozenset(SAME.get(t, t) for t in terms[n + 1:n + 1 + reach] if t not in DENIALS)
            for n, term in enumerate(terms) if term in DENIALS]


def _denied(terms: list[str], reach: int = 1) -> set[str]:
    """The words a text denies: the `reach` words after "tidak", "dilarang", "not"."""
    return set().union(*_denials(terms, reach))


@dataclass(frozen=True)
class Message:
    """What a message says, read once for every claim it is checked against: its words (as
    written and as repaired), the words it denies, its numbers, and its numbers by kind."""
    said: frozenset[str]
    denies: frozenset[str]
    named: frozenset[str]
    kinds: frozenset[tuple[str, str]]
    roles: frozenset[tuple[str, frozenset[str]]]


def _denial_terms(text: str, plain: list[str], normalizer: Normalizer) -> list[str]:
    """The terms denials are read from: `plain`, read again only where "sebelum" is said."""
    return normalizer.terms(BEFORE.sub(" ", text), repair=False) if BEFORE.search(text) else plain


def read_message(text: str, normalizer: Normalizer) -> Message:
    text = ASKS_IF_TRUE.sub(" ", text)       # the question tag is not part of what is claimed
    plain = normalizer.terms(text, repair=False)
    denies = _denied(_denial_terms(text, plain, normalizer))
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
    denials: tuple[frozenset[str], ...]


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
                         _denials(_denial_terms(wording, terms, normalizer), reach=2),
                         kinds_of_numbers(wording)))
    wordings = []
    for n, lang, claim, words, figures, denials, kinds in read:
        rest = [w | f for m, other, _, w, f, _, _ in read if other == lang and m != n]
        own = (words | figures) - set().union(*rest)
        if not own and rest:
            # Every word is in another claim too ("hijau" beside "hijau toska"): what sets it
            # apart is then the words fewest others say.
            said_by = {t: sum(t in r for r in rest) for t in words | figures}
            own = {t for t, k in said_by.items() if k == min(said_by.values())}
        wordings.append(Wording(n, lang, claim, frozenset(words), frozenset(figures),
                                frozenset().union(*denials), frozenset(kinds), frozenset(own),
                                number_roles(getattr(claim.claim, lang), normalizer, CLAIM_REACH),
                                tuple(denials)))
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
                plays(w.roles, f, msg.roles, f) for f in figures):
            continue
        others = [o for o in wordings if o.index != w.index and o.lang == w.lang]
        if any(apart[o] > apart[w] for o in others):
            continue
        # A claim that denies ("... tidak dirahasiakan") is said only by a message that denies
        # it too, each of its denials: "identitas pelapor dirahasiakan" states the opposite, and
        # so does "yang belum terdaftar bisa mencoblos" of "yang belum terdaftar tidak bisa".
        if not all(d & msg.denies for d in w.denials if d):
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
                   and plays(w.roles, value, msg.roles, v)} for kind, value in missing]
        instead = set().union(*places)
        if not all(places) or (msg.denies & words) - w.against or instead <= read.stated:
            continue
        share = len(words & said) / len(words)
        if share >= SAID and (best is None or share > best[0]):
            best = (share, w.claim)
    return best[1] if best else None
