from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content.registry import Content
from bot.regions.loader import load_regions
from bot.regions.tps_import import parse_tps_csv, to_csv
from bot.storage import open_database
from bot.storage.tps import all_tps, dataset, replace_all
from tests.conftest import FIXTURE_TPS

GOOD = "kode_wilayah,tps,alamat,lat,lon,aksesibilitas,keterangan\n" \
       "99.01.01.1001,1,Balai Kelurahan,-1.001,110.502,Landai,\n" \
       "99.01.01.1001,2,SD Negeri,,,,\n"
NOW = datetime(2029, 2, 1, tzinfo=UTC)


def parse(content: Content, text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_tps_csv(data, load_regions(content), content.election.region.bounds)


def test_valid_file(content: Content) -> None:
    result = parse(content, GOOD)
    assert result.ok and len(result.rows) == 2
    assert result.rows[0].lat == -1.001 and result.rows[1].lat is None


@pytest.mark.parametrize("variant", [
    "\ufeff" + GOOD,                                                     # BOM
    GOOD.replace(",", ";"),                                              # semicolons
    GOOD.replace("kode_wilayah,tps,alamat,lat,lon", "KODE_DESA,No_TPS,Alamat,Latitude,LONGITUDE"),
    GOOD.replace(",tps,", ",nomor_tps,"),
    GOOD.replace("\n", "\r\n"),                                          # Windows line ends
])
def test_encodings_separators_and_aliases(content: Content, variant: str) -> None:
    result = parse(content, variant)
    assert result.ok, result.errors
    assert [r.nomor for r in result.rows] == [1, 2]


def test_comma_decimals_with_semicolons_and_tps_prefix(content: Content) -> None:
    text = "kode_desa;no_tps;alamat;lat;lon\n99.01.01.1001;TPS 001;Balai;-1,001;110,502\n"
    result = parse(content, text)
    assert result.ok and result.rows[0].nomor == 1 and result.rows[0].lon == 110.502


def test_extra_columns_are_ignored_and_reported(content: Content) -> None:
    result = parse(content, GOOD.replace("keterangan\n", "keterangan,jumlah_pemilih\n"))
    assert result.ok and result.ignored_columns == ["jumlah_pemilih"]


@pytest.mark.parametrize(("row", "message"), [
    ("99.99.99.9999,1,X,,", "line 2: unknown region code '99.99.99.9999'"),
    ("99.02.01.2001,1,X,,", "line 2: unknown region code '99.02.01.2001'"),  # another regency
    ("99.01.01,1,X,,", "line 2: 99.01.01 is a kecamatan"),
    (",1,X,,", "line 2: kode_wilayah is empty"),
    ("99.01.01.1001,,X,,", "line 2: tps (number) is empty"),
    ("99.01.01.1001,satu,X,,", "line 2: tps 'satu' is not a TPS number"),
    ("99.01.01.1001,0,X,,", "line 2: tps '0' is not a TPS number"),
    ("99.01.01.1001,1,,,", "line 2: alamat is empty"),
    ("99.01.01.1001,1,X,abc,110", "line 2: lat/lon 'abc', '110' are not both numbers"),
    ("99.01.01.1001,1,X,-1.2,", "line 2: lat/lon '-1.2', '' are not both numbers"),
    ("99.01.01.1001,1,X,110.44,-1.24",
     "line 2: coordinates 110.44, -1.24 are out of range (lat and lon swapped?)"),
    ("99.01.01.1001,1,X,-6.2,106.8", "line 2: coordinates -6.2, 106.8 are outside Kabupaten Lembah Contoh"),
    ("99.01.01.1001,1,X,,,extra", "line 2: 6 fields, but the header has 5"),
])
def test_each_row_rule(content: Content, row: str, message: str) -> None:
    result = parse(content, "kode_wilayah,tps,alamat,lat,lon\n" + row + "\n")
    assert not result.ok
    assert any(e.startswith(message) for e in result.errors), result.errors


def test_duplicate_tps_names_both_lines(content: Content) -> None:
    text = "kode_wilayah,tps,alamat\n99.01.01.1001,1,A\n99.01.01.1001,2,B\n99.01.01.1001,01,C\n"
    result = parse(content, text)
    assert result.errors == ["line 4: TPS 1 of 99.01.01.1001 is listed twice (also line 2)"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "line 1: the header row is missing"),
    ("kode_wilayah,alamat\n99.01.01.1001,X\n", "line 1: required column(s) missing: tps"),
    ("kode_wilayah,tps,alamat,lat\n99.01.01.1001,1,X,-1\n", "line 1: lat and lon come together"),
    ("kode_wilayah,tps,alamat\n", "the file has a header but no TPS rows"),
    ("kode,kode_desa,tps,alamat\n", "line 1: columns 'kode' and 'kode_desa' both mean kode_wilayah"),
])
def test_file_level_rules(content: Content, text: str, message: str) -> None:
    result = parse(content, text)
    assert any(e.startswith(message) for e in result.errors), result.errors


def test_not_utf8_is_refused(content: Content) -> None:
    result = parse(content, GOOD.replace("Balai", "Balai Désa").encode("latin-1"))
    assert not result.ok and "not UTF-8" in result.errors[0]


def test_errors_are_all_reported(content: Content) -> None:
    text = "kode_wilayah,tps,alamat\n" + "".join(f"99.99.99.{i:04},1,X\n" for i in range(5))
    assert len(parse(content, text).errors) == 5


async def test_replace_reports_changes_and_reimport_changes_nothing(content: Content,
                                                                    tmp_path: Path) -> None:
    db = await open_database(tmp_path / "t.sqlite3")
    first = parse(content, GOOD).rows
    changes = await replace_all(db, first, "a.csv", False, NOW)
    assert changes.totals() == (2, 0, 0)
    assert (await dataset(db)).version == 1  # type: ignore[union-attr]
    again = await replace_all(db, first, "a.csv", False, NOW)
    assert not again.any and (await dataset(db)).version == 1  # type: ignore[union-attr]
    edited = parse(content, GOOD.replace("SD Negeri", "SD Negeri 2").replace(
        "99.01.01.1001,1,", "99.01.01.1001,3,")).rows
    changes = await replace_all(db, edited, "b.csv", False, NOW)
    assert dict(changes.added) == {"99.01.01.1001": [3]}
    assert dict(changes.changed) == {"99.01.01.1001": [2]}
    assert dict(changes.removed) == {"99.01.01.1001": [1]}
    assert [t.nomor for t in await all_tps(db)] == [2, 3]
    await db.close()


def test_export_round_trips(content: Content) -> None:
    rows = parse(content, FIXTURE_TPS.read_text()).rows
    assert parse(content, to_csv(rows)).rows == rows
