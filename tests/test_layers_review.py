"""Broken layers `python -m bot check` must refuse (found in review)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.registry import load_content
from tests.test_layers import PROVINCE, problems


@pytest.fixture
def province_copy(tmp_path: Path) -> Path:
    target = tmp_path / "province"
    shutil.copytree(PROVINCE, target)
    return target


def test_an_override_under_another_topic_is_refused(province_copy: Path) -> None:
    faq = province_copy / "layers" / "98.71" / "faq" / "kandidat.yaml"
    text = faq.read_text()
    assert "topic: persiapan" in text
    faq.write_text(text.replace("topic: persiapan", "topic: kandidat", 1))
    found = problems(province_copy)
    assert any("98.71/faq/kandidat.yaml" in p and "lokasi_tps.topic" in p and "persiapan" in p
               for p in found), found


def test_a_city_layer_with_a_regents_race_is_refused(province_copy: Path) -> None:
    region = province_copy / "layers" / "98.71" / "region.yaml"
    region.write_text(region.read_text().replace("race: walikota", "race: bupati"))
    found = problems(province_copy)
    assert any("98.71/region.yaml" in p and "race" in p and "walikota" in p
               for p in found), found
    region = province_copy / "layers" / "98.01" / "region.yaml"
    region.write_text(region.read_text().replace("race: bupati", "race: walikota"))
    region71 = province_copy / "layers" / "98.71" / "region.yaml"
    region71.write_text(region71.read_text().replace("race: bupati", "race: walikota"))
    found = problems(province_copy)
    assert any("98.01/region.yaml" in p and "race" in p for p in found), found


NEW_ENTRY = """
  debat_bukit:
    topic: kandidat
    sources: [bukit_paslon]
    id:
      title: Debat calon Bukit Contoh
      questions: ["Kapan debat calon bupati Bukit Contoh?"]
      answer: "Debat calon bupati diadakan KPU Kabupaten Bukit Contoh."
    en:
      title: Bukit Contoh debates
      questions: ["When are the Bukit Contoh debates?"]
      answer: "The regent debates are held by KPU Bukit Contoh."
"""


def add_layer_entry(root: Path) -> None:
    """An entry only the 98.01 layer has, citing the layer's own source."""
    faq = root / "layers" / "98.01" / "faq" / "kandidat.yaml"
    faq.write_text(faq.read_text().rstrip("\n") + "\n" + NEW_ENTRY.lstrip("\n"))


def test_an_entry_a_layer_adds_with_its_own_source_loads(province_copy: Path) -> None:
    add_layer_entry(province_copy)
    assert problems(province_copy) == []
    content = load_content(province_copy)
    assert "Penetapan paslon Bukit Contoh" in content.region_answer("debat_bukit", "id", "98.01")
    assert "belum dimuat" in content.region_answer("debat_bukit", "id", "98.71")
