"""Read the official region-code CSV (Kepmendagri), validated whole, into a RegionTree."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from bot.regions.tree import DESA, KABUPATEN, KECAMATAN, Region, RegionTree

HEADER = ["kode", "nama", "tingkat", "induk"]
# ASCII digits only: the codes travel in buttons' callback data (bot/callbacks.py).
CODE_SHAPES = {
    "provinsi": re.compile(r"^\d{2}$", re.ASCII),
    "kabupaten_kota": re.compile(r"^\d{2}\.\d{2}$", re.ASCII),
    KECAMATAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}$", re.ASCII),
    DESA: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", re.ASCII),
}


class RegionDataError(Exception):
    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"line {n}: {m}" if n else m for n, m in problems))


NATIONAL = "ID"     # a national deployment's root (election.yaml region.code)


def load_region_tree(path: Path, root_code: str, expected_kecamatan: int | None = None,
                     provinces: list[str] | None = None, root_name: str = "") -> RegionTree:
    """The tree under root_code; a national root ("ID") has the listed provinces (none listed:
    every province of the file) and is named root_name."""
    problems: list[tuple[int | None, str]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegionDataError([(None, f"cannot read {path.name}: {exc}")]) from None
    reader = csv.reader(text.splitlines())
    try:
        rows = list(reader)
    except csv.Error as exc:    # a field past the csv module's limit, a NUL: one line, named
        raise RegionDataError([(reader.line_num, f"not readable as CSV: {exc}")]) from None
    if not rows or [h.strip().lower() for h in rows[0]] != HEADER:
        raise RegionDataError([(1, f"header must be {','.join(HEADER)}")])
    records: dict[str, tuple[int, str, str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            problems.append((number, f"expected 4 columns, found {len(row)}"))
            continue
        code, name, level, parent = (cell.strip() for cell in row)
        shape = CODE_SHAPES.get(level)
        if shape is None:
            problems.append((number, f"unknown tingkat {level!r}"))
        elif not shape.match(code):
            problems.append((number, f"code {code!r} does not fit tingkat {level}"))
        elif level != "provinsi" and code.rsplit(".", 1)[0] != parent:
            problems.append((number, f"induk {parent!r} is not the parent of {code}"))
        if not name:
            problems.append((number, "nama is empty"))
        if code in records:
            problems.append((number, f"duplicate code {code} (first on line {records[code][0]})"))
        records[code] = (number, name, level, parent)
    for code, (number, _, level, parent) in records.items():
        if level != "provinsi" and parent not in records:
            problems.append((number, f"parent {parent} of {code} is not in the file"))
    national = root_code == NATIONAL
    chosen = (provinces or [c for c, r in records.items() if r[2] == "provinsi"]) if national \
        else [root_code]
    for code in chosen:
        if code not in records or (national and records[code][2] != "provinsi"):
            problems.append((None, f"region {code} is not {'a province ' if national else ''}"
                                   f"in {path.name}"))
    if problems:
        raise RegionDataError(problems)

    regions = {}
    for code, (_, name, level, parent) in records.items():
        inside = code[:2] in chosen if national else code.startswith(root_code + ".")
        if level in (KABUPATEN, KECAMATAN, DESA) and inside:
            regions[code] = Region(code, name, level, parent)
    tree = RegionTree(root_code, root_name if national else records[root_code][1], regions,
                      provinces={c: records[c][1] for c in chosen if "." not in c})
    if not tree.kecamatan:
        raise RegionDataError([(None, f"region {root_code} has no kecamatan in {path.name}")])
    if "." not in root_code and not tree.kabupaten:
        raise RegionDataError([(None, f"province {root_code} has no kabupaten/kota in {path.name}")])
    if expected_kecamatan is not None and len(tree.kecamatan) != expected_kecamatan:
        raise RegionDataError([(None, f"election.yaml says {expected_kecamatan} kecamatan, "
                                      f"{path.name} has {len(tree.kecamatan)} under {root_code}")])
    return tree
