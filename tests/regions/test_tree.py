from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.registry import Content, ContentError, load_content
from bot.regions.loader import load_regions
from tests.conftest import FIXTURE_CONTENT


def names(content: Content, text: str) -> list[tuple[str, str, str]]:
    tree = load_regions(content)
    return [(m.region.name, m.region.level, tree.kecamatan_of(m.region).name)
            for m in tree.find_place(text).matches]


def test_tree_from_the_region_codes(content: Content) -> None:
    tree = load_regions(content)
    assert tree.root_name == "Kabupaten Lembah Contoh"
    assert len(tree.kecamatan) == 12 and tree.desa_count == 31
    assert [k.name for k in tree.kecamatan][:3] == ["Air Hitam", "Batu Gajah", "Bukit Sejuk Ilir"]
    assert "99.02.01" not in tree.regions  # the neighbouring regency is not ours


@pytest.mark.parametrize(("typed", "expected"), [
    ("sungai rotan", {("Sungai Rotan", "desa_kelurahan", "Sungai Rotan"),
                      ("Sungai Rotan", "kecamatan", "Sungai Rotan")}),
    ("tps di sungai rotn", {("Sungai Rotan", "desa_kelurahan", "Sungai Rotan"),
                            ("Sungai Rotan", "kecamatan", "Sungai Rotan")}),
    ("tanjungharapan", {("Tanjung Harapan", "desa_kelurahan", "Sungai Rotan"),
                        ("Tanjung Harapan", "desa_kelurahan", "Tanjung Harapan"),
                        ("Tanjung Harapan", "kecamatan", "Tanjung Harapan")}),
    ("desa pagar batu", {("Pagar Batu", "desa_kelurahan", "Sungai Rotan"),
                         ("Pagar Batu", "desa_kelurahan", "Tanjung Harapan"),
                         ("Pagar Batu", "desa_kelurahan", "Bukit Sejuk Ulu")}),
    ("tps desa pagar batu kec bukit sejuk ulu", {("Pagar Batu", "desa_kelurahan", "Bukit Sejuk Ulu")}),
    ("kecamatan bukit sejok ilir", {("Bukit Sejuk Ilir", "kecamatan", "Bukit Sejuk Ilir")}),
    ("dimana tps di pasar 2 sungai rotan", {("Pasar II Sungai Rotan", "desa_kelurahan", "Sungai Rotan")}),
])
def test_place_search_as_people_type(content: Content, typed: str,
                                     expected: set[tuple[str, str, str]]) -> None:
    assert set(names(content, typed)) == expected


@pytest.mark.parametrize("text", ["kapan pilkada lembah contoh", "lembah contoh ada brp kecamatan",
                                  "dimana tps ku", "tps sungai rotan buka jam brp", "halo"])
def test_not_place_questions(content: Content, text: str) -> None:
    assert not load_regions(content).find_place(text).is_place_question


def test_unknown_named_place_is_still_a_place_question(content: Content) -> None:
    query = load_regions(content).find_place("tps di desa sukamakmurjaya")
    assert query.is_place_question and query.matches == []


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def region_problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_regions(load_content(root))
    return [str(p) for p in info.value.problems]


def test_bad_region_rows_are_refused_with_line(content_copy: Path) -> None:
    path = content_copy / "regions" / "wilayah_contoh.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = "99.01.99.2001,Desa Hilang Induk,desa_kelurahan,99.01.99"
    lines[6] = "99.01.1,Salah Kode,kecamatan,99.01"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = region_problems(content_copy)
    assert any("wilayah_contoh.csv:6" in p and "99.01.99" in p for p in found)
    assert any("wilayah_contoh.csv:7" in p and "does not fit" in p for p in found)


def test_kecamatan_count_must_agree(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    election.write_text(election.read_text().replace("kecamatan_count: 12", "kecamatan_count: 11"))
    assert any("says 11 kecamatan" in p for p in region_problems(content_copy))


def test_another_regency_is_a_content_change(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    text = election.read_text().replace('code: "99.01"', 'code: "99.02"')
    election.write_text(text.replace("kecamatan_count: 12", "kecamatan_count: 1"))
    content = load_content(content_copy)
    assert load_regions(content).root_name == "Kabupaten Tetangga"


def test_a_long_message_is_never_taken_for_a_place(content: Content) -> None:
    tree = load_regions(content)
    rambling = ("saya tinggal di desa yang jauh dari kota dan kemarin tetangga bilang tps "
                "dipindah ke balai desa apa benar begitu")
    query = tree.find_place(rambling)
    assert not query.is_place_question and query.named == ""
    assert not tree.find_place("tps desa " + "x" * 400).is_place_question


def test_a_place_of_the_deployment_is_never_elsewhere(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    scope = root / "scope.yaml"
    scope.write_text(scope.read_text().replace("elsewhere:\n", "elsewhere:\n  - lembah contoh\n"))
    with pytest.raises(ContentError) as info:
        load_regions(load_content(root))
    assert any("elsewhere[0]" in str(p) and "lembah contoh" in str(p)
               for p in info.value.problems)


def test_a_word_the_content_uses_is_not_taken_for_a_village_it_nearly_spells(tmp_path: Path) -> None:
    # A province has thousands of village names: "umur" (age) is one letter from "Sumur".
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    csv = root / "regions" / "wilayah_contoh.csv"
    csv.write_text(csv.read_text() + "99.01.05.2009,Sumur,desa_kelurahan,99.01.05\n")
    tree = load_regions(load_content(root))
    assert tree.find_place("umur min nyoblos").is_place_question          # without the words
    ordinary = frozenset({"umur", "nyoblos"})
    assert not tree.find_place("umur min nyoblos", ordinary).is_place_question
    assert [m.region.name for m in tree.find_place("tps di sumur", ordinary).matches] == ["Sumur"]
