"""Broken layers `python -m bot check` must refuse (found in review)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
