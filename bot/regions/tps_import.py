"""Read and validate a TPS list exported from a spreadsheet. Any error rejects the whole file.

Accepted: UTF-8 with or without BOM; comma or semicolon separated; a header row; line ends
CRLF, LF or CR alone (old Excel for Mac). Canonical columns kode_wilayah, tps, alamat, and
optional lat, lon, aksesibilitas, keterangan; common aliases are recognised,
case-insensitively. Other columns are ignored (and reported).

A TPS is one line: a field holding a line break (a quote left open swallows the lines after
it into one field) or any other control character is refused with its line and column, and so
is a quote the CSV rules do not allow (`strict`), so no row is ever silently merged into another.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot import csvsafe
from bot.content.registry import Content
from bot.content.schema import Bounds
from bot.csvsafe import restore
from bot.regions.tree import DESA, KABUPATEN, KECAMATAN, PROVINSI, RegionTree
from bot.storage.tps import Tps

CANONICAL = ("kode_wilayah", "tps", "alamat", "lat", "lon", "aksesibilitas", "keterangan")
REQUIRED = ("kode_wilayah", "tps", "alamat")
ALIASES = {
    "kode_wilayah": {"kode_wilayah", "kode_desa", "kode_kelurahan", "kode_desa_kelurahan",
                     "kode", "kd_wilayah", "kode_kel"},
    "tps": {"tps", "no_tps", "nomor_tps", "nomor", "no", "no tps", "nomor tps"},
    "alamat": {"alamat", "alamat_tps", "lokasi", "lokasi_tps", "tempat"},
    "lat": {"lat", "latitude", "lintang"},
    "lon": {"lon", "lng", "long", "longitude", "bujur"},
    "aksesibilitas": {"aksesibilitas", "akses", "akses_disabilitas", "disabilitas"},
    "keterangan": {"keterangan", "ket", "catatan"},
}
TPS_NUMBER = re.compile(r"^(?:tps\s*)?0*(\d{1,4})$", re.IGNORECASE)
MAX_TEXT = 200
MAX_REPORTED = 50
# A line break, or any other C0/C1 control character (NUL, tab, ...), or a Unicode line or
# paragraph separator: none belongs in a field of a TPS list.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LEVELS = {PROVINSI: "a province", KABUPATEN: "a kabupaten/kota", KECAMATAN: "a kecamatan"}
BY_DEPTH = {1: PROVINSI, 2: KABUPATEN, 3: KECAMATAN}


@dataclass
class ImportResult:
    rows: list[Tps] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _column(name: str) -> str | None:
    key = name.strip().lower().replace("-", "_")
    for canonical, aliases in ALIASES.items():
        if key in aliases or key.replace(" ", "_") in aliases:
            return canonical
    return None


def _number(text: str) -> float:
    return float(text.strip().replace(",", "."))


class Unreadable(Exception):
    """The CSV itself cannot be read past this point: the message names the line."""


def _rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Each row of a csv.reader with the line it starts on; a csv.Error as Unreadable naming
    that line."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            where = f"line {start}" + (f" (to line {end})" if end > start else "")
            text = str(exc)
            if "end of data" in text:
                why = "a quote opened here is never closed (it runs to the end of the file)"
            elif "field limit" in text:
                why = (f"a field is longer than {csv.field_size_limit() // 1024} KB "
                       "(a quote left open?)")
            elif "expected after" in text:
                why = 'a quote (") inside a field that is not quoted as a whole'
            else:
                why = f"not readable as CSV ({text})"
            raise Unreadable(f"{where}: {why}; nothing after it was read") from None
        yield start, row


def _bad_character(value: str) -> str | None:
    found = CONTROL.search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\r\n\u2028\u2029":
        return ("holds a line break: a TPS is one line (a quote left open merges the next "
                "lines into this field; a cell with Alt+Enter: use a comma instead)")
    return f"holds the control character U+{ord(char):04X}"


def _wrong_level(code: str, regions: RegionTree) -> str | None:
    """What a known code that is not a desa/kelurahan is, said as the problem."""
    region = regions.get(code)
    if region is not None and region.level == DESA:
        return None
    if region is not None:
        level, name = region.level, region.name
    elif code == regions.root_code or code in regions.provinces:
        level = BY_DEPTH.get(code.count(".") + 1, "")
        name = regions.provinces.get(code) or regions.root_name
    else:
        return None
    within = sorted(d.code for k in regions.kecamatan for d in regions.desa_of[k.code]
                    if d.code.startswith(code + "."))
    desa = within[0] if within else ""
    return (f"{code} is {LEVELS.get(level, level)} ({name}); kode_wilayah must be the code "
            f"of a desa/kelurahan{f' (e.g. {desa})' if desa else ''}")


def tps_areas(content: Content) -> dict[str, tuple[str, Bounds]]:
    """The boxes a TPS must lie in, by code: each region layer's (a kabupaten/kota code) and,
    in a national deployment, each province layer's that has `bounds`. A TPS of a region
    without them is checked against its province's, else the deployment's."""
    areas = {code: (layer.profile.name, layer.profile.bounds)
             for code, layer in content.province_layers.items() if layer.profile.bounds}
    areas |= {code: (layer.profile.name, layer.profile.bounds)
              for code, layer in content.layers.items() if layer.profile.bounds}
    return areas


def _area(code: str, regions: RegionTree, bounds: Bounds,
          areas: dict[str, tuple[str, Bounds]]) -> tuple[str, Bounds]:
    parts = code.split(".")
    return areas.get(".".join(parts[:2])) or areas.get(parts[0]) or (regions.root_name, bounds)


def parse_tps_csv(data: bytes, regions: RegionTree, bounds: Bounds,
                  areas: dict[str, tuple[str, Bounds]] | None = None) -> ImportResult:
    """`bounds`: the deployment's box; `areas` (tps_areas): its regions' own boxes, by code."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.errors.append(f"the file is not UTF-8 (byte {exc.start}); save it as "
                             "'CSV UTF-8' from the spreadsheet")
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append("line 1: the header row is missing")
        return result
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    # Universal newlines: CR alone ends a line too, and line numbers count it.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter, strict=True)
    rows = _rows(reader)
    try:
        header = next(rows)[1]
    except Unreadable as exc:
        result.errors.append(str(exc))
        return result
    for name in header:
        bad = _bad_character(name)
        if bad:
            result.errors.append(f"line 1: the header {name[:40]!r} {bad}")
            return result
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = _column(name)
        if canonical is None:
            if name.strip():
                result.ignored_columns.append(name.strip())
        elif canonical in positions:
            result.errors.append(f"line 1: columns {header[positions[canonical]]!r} and "
                                 f"{name!r} both mean {canonical}")
        else:
            positions[canonical] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        result.errors.append(f"line 1: required column(s) missing: {', '.join(missing)} "
                             f"(found: {', '.join(h.strip() for h in header)})")
    if ("lat" in positions) != ("lon" in positions):
        result.errors.append("line 1: lat and lon come together; one of them is missing")
    if result.errors:
        return result

    first_seen: dict[tuple[str, int], int] = {}
    try:
        for line, row in rows:
            _check_row(result, regions, bounds, areas or {}, header, positions, delimiter,
                       first_seen, line, row)
    except Unreadable as exc:
        result.errors.append(str(exc))
    if not result.rows and not result.errors:
        result.errors.append("the file has a header but no TPS rows")
    return result


def _check_row(result: ImportResult, regions: RegionTree, bounds: Bounds,
               areas: dict[str, tuple[str, Bounds]], header: list[str],
               positions: dict[str, int], delimiter: str,
               first_seen: dict[tuple[str, int], int], line: int, row: list[str]) -> None:
    if not any(cell.strip() for cell in row):
        return
    if len(row) > len(header):
        result.errors.append(f"line {line}: {len(row)} fields, but the header has "
                             f"{len(header)} (a stray {delimiter!r} in a field?)")
        return
    broken = [f"line {line}: {header[i].strip() or f'column {i + 1}'} {bad}"
              for i, value in enumerate(row) if (bad := _bad_character(value))]
    if broken:
        result.errors.extend(broken)
        return

    def cell(name: str, row: list[str] = row) -> str:
        index = positions.get(name)
        return restore(row[index].strip()) if index is not None and index < len(row) else ""

    problems: list[str] = []
    code = cell("kode_wilayah")
    region = regions.get(code)
    if not code:
        problems.append("kode_wilayah is empty")
    elif (level := _wrong_level(code, regions)) is not None:
        problems.append(level)
    elif region is None:
        problems.append(f"unknown region code {code!r} (not a desa/kelurahan of "
                        f"{regions.root_name})")
    number_text = cell("tps")
    match = TPS_NUMBER.match(number_text)
    number = int(match.group(1)) if match else 0
    if not number_text:
        problems.append("tps (number) is empty")
    elif not match or number == 0:
        problems.append(f"tps {number_text!r} is not a TPS number")
    alamat = cell("alamat")
    if not alamat:
        problems.append("alamat is empty")
    elif len(alamat) > MAX_TEXT:
        problems.append(f"alamat is longer than {MAX_TEXT} characters")
    lat = lon = None
    lat_text, lon_text = cell("lat"), cell("lon")
    if lat_text or lon_text:
        try:
            lat, lon = _number(lat_text), _number(lon_text)
        except ValueError:
            problems.append(f"lat/lon {lat_text!r}, {lon_text!r} are not both numbers")
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                swapped = " (lat and lon swapped?)" if bounds.contains(lon, lat) else ""
                problems.append(f"coordinates {lat}, {lon} are out of range{swapped}")
            elif not bounds.contains(lat, lon):
                problems.append(f"coordinates {lat}, {lon} are outside {regions.root_name}"
                                " (lat and lon swapped?)")
            elif region is not None and not (area := _area(code, regions, bounds, areas))[1] \
                    .contains(lat, lon):
                problems.append(f"coordinates {lat}, {lon} are outside {area[0]}, where "
                                f"{code} is (the wrong kode_wilayah, or the wrong coordinates?)")
    extras = {name: cell(name) or None for name in ("aksesibilitas", "keterangan")}
    for name, value in extras.items():
        if value and len(value) > MAX_TEXT:
            problems.append(f"{name} is longer than {MAX_TEXT} characters")
    if region is not None and match and number:
        key = (code, number)
        if key in first_seen:
            problems.append(f"TPS {number} of {code} is listed twice (also line "
                            f"{first_seen[key]})")
        else:
            first_seen[key] = line
    if problems:
        result.errors.extend(f"line {line}: {p}" for p in problems)
        return
    result.rows.append(Tps(code, number, alamat, lat, lon, extras["aksesibilitas"],
                           extras["keterangan"]))


def to_csv(rows: list[Tps]) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(CANONICAL)
    for t in rows:
        # Coordinates as numbers (negative latitudes stay numbers); text cells neutralised.
        writer.writerow([t.kode_wilayah, t.nomor, t.alamat, t.lat, t.lon,
                         t.aksesibilitas or "", t.keterangan or ""])
    return out.getvalue()
