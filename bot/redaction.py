"""Masking what identifies a citizen before a question is stored: NIK and KK numbers, phone
and account numbers, e-mail addresses, however they are written ("1603/0123/4567/8901",
"0812_3456_7890", "+62 812-3456-7890", "0812 3456  7890", "0812—3456—7890", "0812,3456,7890",
"budi.santoso @ gmail.com").

A run of digits broken by separators is read as one number: any run of spaces (Unicode ones
too, no line break), dashes of any kind, dots, commas, slashes and underscores. It is masked
when it makes 16 digits or more (NIK, KK), a phone number (0…, 62… or +62…, 9 digits or more),
10 digits or more of anything else, or holds 9 digits in one piece. Dates, times, years and
round sums ("27/11/2024", "07.00-13.00", "2024 2029", "25.000.000.000", "Rp 50.000, 75.000"),
a sum after "Rp", and short numbers ("TPS 003") are not identifiers and stay; a dotted number
that is not round ("123.456.789.012") is no sum.
"""

from __future__ import annotations

import re

NUMBER_MASK = "[angka]"
EMAIL_MASK = "[email]"

# Between two groups of digits: any run of these. Spaces: every Unicode space but line breaks
# (a number is not split across lines), and the zero-width ones.
_SPACES = r"^\S\n\r\v\f\u2028\u2029"
_OTHERS = (r"\u200b-\u200d\u2060\ufeff"                         # zero-width
           r"\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"  # dashes, minus signs
           r".,/_\u00b7\uff0c\uff0e\uff0f")
_SEP = rf"(?:[{_SPACES}]|[{_OTHERS}])+"
# A phone's area code may come in brackets: "(0711) 123456".
DIGIT_RUN = re.compile(rf"(?<!\d)(?:\(\+?\d+\)|\+?\d+)(?:{_SEP}\d+)*")
_DATE = r"(?:\d{1,2}[./-]\d{1,2}[./-](?:(?:19|20)\d{2}|\d{2})|20\d{2}-\d{1,2}-\d{1,2})"
_TIME = r"\d{1,2}[.:]\d{2}"
_YEAR = r"20\d{2}"
_ROUND_SUM = r"[1-9]\d{0,2}(?:\.\d{3})*\.000(?:,\d{2})?"  # 1.500.000 (rupiah), round
_PART = rf"(?:{_DATE}|{_TIME}|{_YEAR}|{_ROUND_SUM})"
CALENDAR = re.compile(rf"{_PART}(?:{_SEP}{_PART})*")
MONEY = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{2})?")   # any sum, read so after "Rp"
_RUPIAH = re.compile(r"rp\.?\s*$", re.IGNORECASE)
# The local part, an @ with or without spaces around it, a domain with a dot.
EMAIL = re.compile(r"[^\s@]+[ \t]*@[ \t]*[^\s@.]+(?:\.[^\s@.]+)+")


def _identifies(run: str, before: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if CALENDAR.fullmatch(run) or (MONEY.fullmatch(run) and _RUPIAH.search(before)
                                   and len(digits) < 16):
        return False
    phone = run.lstrip("(").startswith("+") or digits.startswith(("0", "62"))
    longest = max(len(group) for group in re.findall(r"\d+", run))
    return len(digits) >= 10 or (phone and len(digits) >= 9) or longest >= 9


def _mask(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 4):match.start()]
    return NUMBER_MASK if _identifies(match.group(), before) else match.group()


def redact(text: str) -> str:
    """The text with identifying numbers and e-mail addresses masked."""
    return DIGIT_RUN.sub(_mask, EMAIL.sub(EMAIL_MASK, text))


def looks_like_nik(text: str) -> bool:
    """Sixteen digits in a run, however separated (or beside other numbers in it): worth
    warning the citizen."""
    for match in DIGIT_RUN.finditer(text):
        if CALENDAR.fullmatch(match.group()):
            continue
        sizes = [len(group) for group in re.findall(r"\d+", match.group())]
        if any(sum(sizes[i:j]) == 16 for i in range(len(sizes)) for j in range(i + 1, len(sizes) + 1)):
            return True
    return False
