"""The one CSV writer for every file the bot produces (exports, /statistik csv, /audit csv).

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula
(`=HYPERLINK("http://e.vil","Zorblax")` from a citizen's question): such text cells get a
leading single quote, as OWASP recommends ("CSV Injection"). Numbers the bot writes as numbers
(int, float) stay numbers, negative ones included; everything else is text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """A cell read back from one of our own files (`tps import` of a `tps export`)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class SafeWriter:
    def __init__(self, target: TextIO, **options: Any) -> None:
        self._writer = csv.writer(target, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(target: TextIO, **options: Any) -> SafeWriter:
    return SafeWriter(target, **options)
