from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.content.registry import Content, load_content
from bot.regions.loader import load_regions
from bot.regions.tps_import import parse_tps_csv, to_csv, tps_areas
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


# -- a row is one line: nothing merged, nothing crashes (the review's findings) --------------

HEADER = "kode_wilayah,tps,alamat\n"


def test_an_unclosed_quote_refuses_the_file_naming_its_line(content: Content) -> None:
    # It used to swallow every row after it into one alamat and report "1 added".
    text = HEADER + '99.01.01.1001,1,"Balai Desa\n99.01.01.1001,2,SD 1\n99.01.01.1002,1,SD 2\n'
    result = parse(content, text)
    assert not result.ok and not result.rows
    assert result.errors == ["line 2 (to line 4): a quote opened here is never closed (it runs "
                             "to the end of the file); nothing after it was read"]


def test_a_quote_closed_lines_later_is_a_line_break_in_the_field(content: Content) -> None:
    text = HEADER + '99.01.01.1001,1,"Balai Desa\n99.01.01.1001,2,SD 1"\n99.01.01.1002,1,SD 2\n'
    result = parse(content, text)
    assert not result.ok
    assert result.errors[0].startswith("line 2: alamat holds a line break: a TPS is one line")


def test_a_stray_quote_is_refused(content: Content) -> None:
    result = parse(content, HEADER + '99.01.01.1001,1,"Balai" Desa\n')
    assert result.errors == ['line 2: a quote (") inside a field that is not quoted as a whole; '
                             "nothing after it was read"]


def test_cr_only_line_ends_are_read_with_their_line_numbers(content: Content) -> None:
    result = parse(content, GOOD.replace("\n", "\r"))
    assert result.ok, result.errors
    assert [r.nomor for r in result.rows] == [1, 2]
    bad = parse(content, (GOOD + "99.01.01.1001,1,Again,,,,\n").replace("\n", "\r"))
    assert bad.errors == ["line 4: TPS 1 of 99.01.01.1001 is listed twice (also line 2)"]


@pytest.mark.parametrize("quoted", [True, False])
def test_a_huge_field_is_one_problem_not_a_crash(content: Content, quoted: bool) -> None:
    huge = "x" * 140_000
    result = parse(content, HEADER + f"99.01.01.1001,1,{chr(34) * quoted}{huge}{chr(34) * quoted}\n")
    assert result.errors == ["line 2: a field is longer than 128 KB (a quote left open?); "
                             "nothing after it was read"]


@pytest.mark.parametrize(("char", "shown"), [("\x00", "U+0000"), ("\x07", "U+0007"),
                                             ("\t", "U+0009"), ("\x85", "U+0085")])
def test_a_control_character_is_refused_with_line_and_field(content: Content, char: str,
                                                            shown: str) -> None:
    result = parse(content, HEADER + "99.01.01.1001,1,SD 1\n" + f"99.01.01.1001,2,Balai{char}Desa\n")
    assert result.errors == [f"line 3: alamat holds the control character {shown}"]


@pytest.mark.parametrize(("code", "message"), [
    ("99.01", "line 2: 99.01 is a kabupaten/kota (Kabupaten Lembah Contoh); kode_wilayah must "
              "be the code of a desa/kelurahan (e.g. 99.01.01.1001)"),
    ("99.01.01", "line 2: 99.01.01 is a kecamatan (Sungai Rotan); kode_wilayah must be the code "
                 "of a desa/kelurahan (e.g. 99.01.01.1001)"),
])
def test_a_code_of_another_level_says_which_level(content: Content, code: str,
                                                  message: str) -> None:
    assert parse(content, HEADER + f"{code},1,X\n").errors == [message]


def test_a_province_deployment_names_the_province_and_kabupaten_levels() -> None:
    province = load_content(PROJECT_ROOT / "tests" / "fixtures" / "province")
    result = parse(province, HEADER + "98,1,X\n98.01,1,Y\n")
    assert result.errors[0].startswith("line 2: 98 is a province (")
    assert result.errors[1].startswith("line 3: 98.01 is a kabupaten/kota (Kabupaten Bukit Contoh)")


# -- each TPS within its own regency's bounds (the review's finding) -------------------------

def parse_province(province: Content, text: str):  # type: ignore[no-untyped-def]
    return parse_tps_csv(text.encode(), load_regions(province),
                         province.election.region.bounds, tps_areas(province))


def test_each_regency_with_bounds_has_its_own_box(bundled_province: Content) -> None:
    assert set(tps_areas(bundled_province)) == {"16.03", "16.71"}
    assert tps_areas(bundled_province)["16.71"][0] == "Kota Palembang"


def test_a_tps_outside_its_own_regency_is_refused(bundled_province: Content) -> None:
    # A Palembang kelurahan placed 150 km away in Muara Enim: inside the province's box.
    result = parse_province(bundled_province, "kode_wilayah,tps,alamat,lat,lon\n"
                            "16.71.01.1001,1,Balai Kelurahan,-3.70,103.80\n")
    assert result.errors == ["line 2: coordinates -3.7, 103.8 are outside Kota Palembang, where "
                             "16.71.01.1001 is (the wrong kode_wilayah, or the wrong coordinates?)"]


def test_tps_inside_their_regency_or_the_province_are_accepted(bundled_province: Content) -> None:
    result = parse_province(bundled_province, "kode_wilayah,tps,alamat,lat,lon\n"
                            "16.71.01.1001,1,Balai Kelurahan,-2.98,104.75\n"   # Palembang
                            "16.03.01.2011,1,Balai Desa,-3.70,103.80\n"        # Muara Enim
                            "16.01.07.2001,1,Balai Desa,-3.10,104.50\n")       # no bounds: the province's
    assert result.ok, result.errors
