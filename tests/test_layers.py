"""Region layers refused with file, line and field; a flat folder is one region."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.registry import load_content
from bot.regions.loader import load_regions
from tests.conftest import FIXTURE_CONTENT

PROVINCE = FIXTURE_CONTENT.parent / "province"


@pytest.fixture
def province_copy(tmp_path: Path) -> Path:
    target = tmp_path / "province"
    shutil.copytree(PROVINCE, target)
    return target


def problems(root: Path) -> list[str]:
    try:
        load_regions(load_content(root))
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_the_fixture_province_loads_with_its_layers(province_copy: Path) -> None:
    content = load_content(province_copy)
    load_regions(content)
    assert sorted(content.layers) == ["98.01", "98.71"]
    assert content.region_names["98.02"] == "Kabupaten Rawa Contoh"
    assert content.for_region("98.71").election.region.race == "walikota"
    assert content.for_region("98.02").election.region.race == "bupati"
    assert content.for_region("98.01") is content.for_region("98.01")       # cached


def test_a_layer_that_is_not_a_kabupaten_of_the_province_is_refused(province_copy: Path) -> None:
    layer = province_copy / "layers" / "98.09"
    shutil.copytree(province_copy / "layers" / "98.71", layer)
    text = (layer / "region.yaml").read_text().replace('"98.71"', '"98.09"')
    (layer / "region.yaml").write_text(text)
    found = problems(province_copy)
    assert any("layers/98.09/region.yaml" in p and "code" in p and "not a kabupaten/kota" in p
               for p in found), found


def test_a_layer_named_unlike_its_folder_or_its_region_code_is_refused(province_copy: Path) -> None:
    region = province_copy / "layers" / "98.71" / "region.yaml"
    region.write_text(region.read_text().replace("name: Kota Contoh Raya", "name: Kota Lain"))
    found = problems(province_copy)
    assert any("98.71/region.yaml" in p and "name" in p and "Kota Contoh Raya" in p
               for p in found), found
    region.write_text(region.read_text().replace('"98.71"', '"98.01"'))
    found = problems(province_copy)
    assert any("98.71/region.yaml:1: code" in p and "folder" in p for p in found), found


def test_a_layer_source_that_is_also_shared_is_refused_with_its_line(province_copy: Path) -> None:
    sources = province_copy / "layers" / "98.01" / "sources.yaml"
    sources.write_text(sources.read_text() + "contoh_jadwal:\n  title: Lain\n  date: 1 Jan 2029\n")
    found = problems(province_copy)
    assert any("98.01/sources.yaml:5: contoh_jadwal" in p and "shared" in p for p in found), found


def test_every_combination_is_rendered(province_copy: Path) -> None:
    faq = province_copy / "layers" / "98.71" / "faq" / "kandidat.yaml"
    faq.write_text(faq.read_text().replace("{{ election.region }}: 1. Eka",
                                           "{{ contacts.nowhere.name }}: 1. Eka"))
    found = problems(province_copy)
    assert any("98.71/faq/kandidat.yaml" in p and "paslon_bupati.id.answer" in p
               for p in found), found


def test_a_broadcast_template_is_rendered_with_each_layers_view(province_copy: Path) -> None:
    """A template naming a contact one layer lacks (98.01 has no bawaslu_kabupaten; a region
    without a layer has one by default) renders for the province yet would fail when sent to
    that layer's audience: refused, with the file, the template's line and the layer."""
    schedule = province_copy / "schedule.yaml"
    schedule.write_text(schedule.read_text().replace(
        '    id: "💡 Cek namamu di {{ links.cekdptonline }}."',
        '    id: "💡 Cek namamu di {{ links.cekdptonline }}.{% if election.race == \'bupati\' %}'
        ' Lapor: {{ contacts.bawaslu_kabupaten.name }}.{% endif %}"'))
    found = problems(province_copy)
    line = next(n for n, text in enumerate(schedule.read_text().splitlines(), 1)
                if text.startswith("  tips:"))
    assert [p for p in found if "98.01" in p] and all(
        f"schedule.yaml:{line}: templates.tips.id" in p and "Kabupaten Bukit Contoh (98.01" in p
        and "bawaslu_kabupaten" in p for p in found), found
    region = province_copy / "layers" / "98.01" / "region.yaml"
    region.write_text(region.read_text() + "  bawaslu_kabupaten:\n"
                      "    name: {id: Bawaslu Bukit Contoh, en: Bawaslu Bukit Contoh}\n")
    assert problems(province_copy) == []


def test_a_regional_entry_answered_in_the_shared_layer_is_refused(province_copy: Path) -> None:
    faq = province_copy / "faq" / "2_kandidat.yaml"
    faq.write_text(faq.read_text().replace(
        '      keywords: [calon bupati,', '      answer: "Semua calon."\n      keywords: [calon bupati,'))
    found = problems(province_copy)
    assert any("2_kandidat.yaml" in p and "regional entry has no answer" in p for p in found), found


def test_a_flat_folder_is_one_region() -> None:
    content = load_content(FIXTURE_CONTENT)
    load_regions(content)
    assert not content.is_province and not content.layers
    assert content.for_region("99.01") is content
    assert not any(content.needs_region(eid) for eid in content.entries)
