"""Versioned, compact callback data, written and read here only. Telegram-free: the delivery
engine puts the one-tap unsubscribe button under broadcasts without knowing anything of
keyboards.

Callback data comes back as whatever a client sends. Every kind has a strict ASCII pattern
and its number a bound (bot/ids.py); anything else decodes to None, which every handler
answers as a stale button: a forged button never reaches a handler's arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.ids import ROW_ID_MAX, USER_ID_MAX, parse_int

# Bump when the meaning of callback data changes; older buttons then get a polite refresh.
CALLBACK_VERSION = "1"
MAX_CALLBACK_BYTES = 64

CONTENT_ID = re.compile(r"[A-Za-z0-9_-]{1,56}", re.ASCII)   # topics, entries, sub. topics
_ID = CONTENT_ID.pattern
_REGION = r"[0-9]{2}(?:\.[0-9]{2,4}){0,3}"       # 99.01.01.1001; the handler checks its level
_KABUPATEN = r"[0-9]{2}\.[0-9]{2}"                  # 16.03
_ENTRY = r"[a-z][a-z0-9_]{1,40}"                 # an entry id (content/schema.py Slug)
_SMALL = r"(?:0|[1-9][0-9]{0,3})"                # pages, TPS numbers, indexes into a list
# What a region picker is for: /wilayah ("-"), subscribing ("+"), or a waiting question (its entry).
_PURPOSE = rf"-|\+|{_ENTRY}"
_BIG = r"[1-9][0-9]{0,18}"                       # row and user ids, then bounded below
# An announcement draft's step: a letter, a page of a list ("c<page>" campaigns, "e<page>"
# templates, "k<page>" the regions of the official's scope (nationally its provinces);
# "V<province code>.<page>" a province's kabupaten/kota, "B<i>.<page>" a kabupaten/kota's
# kecamatan, "K<i>.<page>" a kecamatan's desa), or a list choice (an index, "-" for none, a
# language, a province's code; "U1"/"U0" urgent or not).
_DRAFT_OP = (rf"[a-z]|[cek]{_SMALL}|[BK]{_SMALL}\.{_SMALL}|[BKPCT](?:-|{_SMALL})|U[01]"
             rf"|V[0-9]{{2}}(?:\.{_SMALL})?|D{_SMALL}\.{_SMALL}|L(?:-|[a-z]{{2}})")
SMALL_MAX = 9999


@dataclass(frozen=True)
class Spec:
    pattern: str          # named groups: text, number, choice
    maximum: int = SMALL_MAX


KINDS: dict[str, Spec] = {
    # Citizens' buttons.
    "m": Spec(""),                                             # main menu
    "t": Spec(rf"(?P<text>{_ID})"),                            # FAQ topic
    "e": Spec(rf"(?P<text>{_ID})"),                            # FAQ entry
    "f": Spec(rf"(?P<choice>[yn]):(?P<text>{_ID})"),           # helpful? yes/no, entry
    "l": Spec(r"(?P<choice>[a-z]{2})"),                        # language
    "d": Spec(r"(?P<choice>[yn])"),                            # delete my data? yes/no
    "k": Spec(rf"(?P<number>{_SMALL})"),                       # kecamatan list, page
    "b": Spec(rf"(?P<number>{_SMALL})"),                       # kabupaten/kota list, page
    "g": Spec(rf"(?P<text>{_KABUPATEN}):(?P<number>{_SMALL})"),  # a kabupaten's kecamatan
    # my region (a kabupaten/kota, or a kecamatan or desa of one), for an entry
    "r": Spec(rf"(?P<text>{_REGION}):(?P<choice>{_ENTRY})"),
    "w": Spec(rf"(?P<text>{_KABUPATEN}):(?P<choice>{_ENTRY})"),  # which region, for an entry
    "R": Spec(rf"(?P<text>{_KABUPATEN})"),                     # my region, to subscribe
    "I": Spec(rf"(?P<number>{_SMALL}):(?P<choice>{_PURPOSE})"),  # provinces, page, for what
    "B": Spec(rf"(?P<text>[0-9]{{2}}):(?P<number>{_SMALL}):(?P<choice>{_PURPOSE})"),  # its kab.
    "c": Spec(rf"(?P<text>{_REGION}):(?P<number>{_SMALL})"),   # a kecamatan's desa, page
    "v": Spec(rf"(?P<text>{_REGION})"),                        # pick a desa (saves it)
    "s": Spec(rf"(?P<text>{_REGION})"),                        # show a desa
    "y": Spec(rf"(?P<text>{_REGION})"),                        # save a desa as mine
    "p": Spec(rf"(?P<text>{_REGION}):(?P<number>{_SMALL})"),   # a desa's TPS venue, nomor
    # places named as this one, page (and the question waiting for the region)
    "n": Spec(rf"(?P<text>{_REGION}):(?P<number>{_SMALL})(?::(?P<choice>{_ENTRY}))?"),
    "L": Spec(""),                                             # ask for a location
    "S": Spec(""),                                             # subscribe
    "u": Spec(""),                                             # unsubscribe
    "T": Spec(rf"(?P<text>{_ID})"),                            # toggle a subscription topic
    # Officials' buttons (bot/officials/guard.py re-checks the role on every press).
    "A": Spec(rf"(?P<text>[A-Za-z0-9_-]{{1,16}}):(?P<choice>{_DRAFT_OP})"),  # draft, step
    "N": Spec(""),                                             # the preview's inert button
    # an approval request: approve, refuse, or (its requester) withdraw, from a /jadwal page
    "P": Spec(rf"(?P<number>{_BIG}):(?P<choice>[ynw])(?::(?P<text>{_SMALL}))?", ROW_ID_MAX),
    # a broadcast: pause, resume, cancel (and the /jadwal page it is on; none: the first)
    "J": Spec(rf"(?P<number>{_BIG}):(?P<choice>[prc])(?::(?P<text>{_SMALL}))?", ROW_ID_MAX),
    "j": Spec(rf"(?P<number>{_SMALL})"),                       # a page of /jadwal
    # a person's role: given ("a", "c", "v"), or taken away ("A", "C", "V")
    "O": Spec(rf"(?P<number>{_BIG}):(?P<choice>[acvACV])", USER_ID_MAX),
    # ... given for one kabupaten/kota or province, or ("-") for the whole deployment.
    "W": Spec(rf"(?P<number>{_BIG}):(?P<choice>[acv]):(?P<text>-|{_KABUPATEN}|[0-9]{{2}})",
              USER_ID_MAX),
    # ... or, nationally, a page of the provinces ("-") or of one province's kabupaten/kota
    "X": Spec(rf"(?P<number>{_BIG}):(?P<choice>[acv]):(?P<text>(?:-|[0-9]{{2}})\.{_SMALL})",
              USER_ID_MAX),
    "Q": Spec(r"(?P<text>[0-9a-f]{1,40}):(?P<choice>[hon])"),  # question group, its mark
}
_COMPILED = {kind: re.compile(spec.pattern, re.ASCII) for kind, spec in KINDS.items()}


@dataclass(frozen=True)
class Callback:
    kind: str
    arg: str = ""
    # What decode() read from arg, checked and bounded: the text part (an id, a region code,
    # a draft), the number (a page, a TPS nomor, a row or user id), the choice (a letter).
    text: str = field(default="", compare=False)
    number: int | None = field(default=None, compare=False)
    choice: str = field(default="", compare=False)

    def encode(self) -> str:
        data = f"{CALLBACK_VERSION}:{self.kind}:{self.arg}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        if decode(data) is None:    # a button the bot could not read back would be stale
            raise ValueError(f"callback data the bot would not read back: {data!r}")
        return data


@lru_cache(maxsize=4096)    # a press is read by each handler's pattern in turn; Callback is frozen
def decode(data: str | None) -> Callback | None:
    """The callback, or None when it is from another version, of a kind the bot does not
    know, or not exactly of its kind's shape (a stale or forged button)."""
    if not data or len(data.encode(errors="replace")) > MAX_CALLBACK_BYTES:
        return None
    version, _, rest = data.partition(":")
    kind, _, arg = rest.partition(":")
    spec = KINDS.get(kind)
    if version != CALLBACK_VERSION or spec is None:
        return None
    match = _COMPILED[kind].fullmatch(arg)
    if match is None:
        return None
    fields = match.groupdict()
    number = None
    if fields.get("number") is not None:
        number = parse_int(fields["number"], 0, spec.maximum)
        if number is None:
            return None
    return Callback(kind, arg, fields.get("text") or "", number, fields.get("choice") or "")


UNSUBSCRIBE = Callback("u").encode()
