"""Masking what identifies a citizen before a question is stored: NIK and KK numbers, phone
and account numbers, e-mail addresses, however they are written ("1603/0123/4567/8901",
"0812_3456_7890", "+62 812-3456-7890", "budi.santoso @ gmail.com").

A run of digits broken by spaces, dots, dashes, slashes or underscores is read as one number.
It is masked when it makes 16 digits or more (NIK, KK), a phone number (0…, 62… or +62…, 9
digits or more), 10 digits or more of anything else, or holds 9 digits in one piece. Dates,
times, years and sums ("27/11/2024", "07.00-13.00", "2024 2029", "Rp 25.000.000.000") and short
numbers ("TPS 003") are not identifiers and stay.
"""

from __future__ import annotations

import re

NUMBER_MASK = "[angka]"
EMAIL_MASK = "[email]"

# Between two groups of digits: one separator, or a dash or slash with a space either side.
_SEP = r"(?:[ \t]?[-/][ \t]?|[ ._])"
# A phone's area code may come in brackets: "(0711) 123456".
DIGIT_RUN = re.compile(rf"(?<!\d)(?:\(\+?\d+\)|\+?\d+)(?:{_SEP}\d+)*")
_DATE = r"(?:\d{1,2}[./-]\d{1,2}[./-](?:(?:19|20)\d{2}|\d{2})|20\d{2}-\d{1,2}-\d{1,2})"
_TIME = r"\d{1,2}[.:]\d{2}"
_YEAR = r"20\d{2}"
_PART = rf"(?:{_DATE}|{_TIME}|{_YEAR})"
CALENDAR = re.compile(rf"{_PART}(?:{_SEP}{_PART})*")
MONEY = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")          # 25.000.000.000 (rupiah)
# The local part, an @ with or without spaces around it, a domain with a dot.
EMAIL = re.compile(r"[^\s@]+[ \t]*@[ \t]*[^\s@.]+(?:\.[^\s@.]+)+")


def _identifies(run: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if CALENDAR.fullmatch(run) or (MONEY.fullmatch(run) and len(digits) < 16):
        return False
    phone = run.lstrip("(").startswith("+") or digits.startswith(("0", "62"))
    longest = max(len(group) for group in re.findall(r"\d+", run))
    return len(digits) >= 10 or (phone and len(digits) >= 9) or longest >= 9


def _mask(match: re.Match[str]) -> str:
    return NUMBER_MASK if _identifies(match.group()) else match.group()


def redact(text: str) -> str:
    """The text with identifying numbers and e-mail addresses masked."""
    return DIGIT_RUN.sub(_mask, EMAIL.sub(EMAIL_MASK, text))


def looks_like_nik(text: str) -> bool:
    """Sixteen digits in a run, however separated: worth warning the citizen."""
    return any(len(re.sub(r"\D", "", m.group())) == 16 and not CALENDAR.fullmatch(m.group())
               for m in DIGIT_RUN.finditer(text))
