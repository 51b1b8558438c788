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

