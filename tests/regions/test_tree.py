from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.content.registry import Content, ContentError, load_content
from bot.faq.evaluation import load_labelled
from bot.regions.loader import load_regions


def names(content: Content, text: str) -> list[tuple[str, str, str]]:
    tree = load_regions(content)
    return [(m.region.name, m.region.level, tree.kecamatan_of(m.region).name)
            for m in tree.find_place(text).matches]


def test_muara_enim_tree_from_official_codes(content: Content) -> None:
    tree = load_regions(content)
    assert tree.root_name == "Kabupaten Muara Enim"
    assert len(tree.kecamatan) == 22 and tree.desa_count == 256
    assert [k.name for k in tree.kecamatan][:3] == ["Belida Darat", "Belimbing", "Benakat"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("gelumbang", {("Gelumbang", "desa_kelurahan", "Gelumbang"), ("Gelumbang", "kecamatan", "Gelumbang")}),
    ("tps di gelumbng", {("Gelumbang", "desa_kelurahan", "Gelumbang"),
                         ("Gelumbang", "kecamatan", "Gelumbang")}),
    ("tanjungagung", {("Tanjung Agung", "desa_kelurahan", "Tanjung Agung"),
                      ("Tanjung Agung", "desa_kelurahan", "Semende Darat Ulu"),
                      ("Tanjung Agung", "kecamatan", "Tanjung Agung")}),
    ("desa pagar dewa", {("Pagar Dewa", "desa_kelurahan", "Tanjung Agung"),
                         ("Pagar Dewa", "desa_kelurahan", "Benakat"),
                         ("Pagar Dewa", "desa_kelurahan", "Lubai Ulu")}),
    ("tps desa pagar dewa kec lubai ulu", {("Pagar Dewa", "desa_kelurahan", "Lubai Ulu")}),
    ("semendo darat laut", {("Semende Darat Laut", "kecamatan", "Semende Darat Laut")}),
    ("dimana tps di pasar 2 muara enim", {("Pasar II Muara Enim", "desa_kelurahan", "Muara Enim")}),
])
def test_place_search_as_people_type(content: Content, typed: str,
                                     expected: set[tuple[str, str, str]]) -> None:
    assert set(names(content, typed)) == expected


@pytest.mark.parametrize("text", ["kapan pilkada muara enim", "muara enim ada brp kecamatan",
                                  "dimana tps ku", "tps gelumbang buka jam brp", "halo"])
def test_not_place_questions(content: Content, text: str) -> None:
    assert not load_regions(content).find_place(text).is_place_question


def test_unknown_named_place_is_still_a_place_question(content: Content) -> None:
    query = load_regions(content).find_place("tps di desa sukamakmurjaya")
    assert query.is_place_question and query.matches == []


def test_no_faq_question_is_taken_for_a_place(content: Content) -> None:
    items = load_labelled(PROJECT_ROOT / "tests" / "faq" / "questions.tsv")
    diverted = [i.question for i in items if load_regions(content).find_place(i.question).is_place_question]
    assert diverted == []


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def region_problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_regions(load_content(root))
    return [str(p) for p in info.value.problems]


def test_bad_region_rows_are_refused_with_line(content_copy: Path) -> None:
    path = content_copy / "regions" / "wilayah_sumsel.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = "16.03.99.2001,Desa Hilang Induk,desa_kelurahan,16.03.99"
    lines[6] = "16.03.1,Salah Kode,kecamatan,16.03"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = region_problems(content_copy)
    assert any("wilayah_sumsel.csv:6" in p and "16.03.99" in p for p in found)
    assert any("wilayah_sumsel.csv:7" in p and "does not fit" in p for p in found)


def test_kecamatan_count_must_agree(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    election.write_text(election.read_text().replace("kecamatan_count: 22", "kecamatan_count: 21"))
    assert any("says 21 kecamatan" in p for p in region_problems(content_copy))


def test_another_regency_is_a_content_change(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    text = election.read_text().replace('code: "16.03"', 'code: "16.01"')
    election.write_text(text.replace("kecamatan_count: 22", "kecamatan_count: 13"))
    content = load_content(content_copy)
    assert load_regions(content).root_name == "Kabupaten Ogan Komering Ulu"
