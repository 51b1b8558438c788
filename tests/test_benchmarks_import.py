"""Every benchmark still imports: a module split that moves a name a benchmark uses (the
engine's FLUSH_INTERVAL moved to bot/broadcasts/outcomes.py) breaks it long before anyone runs it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = sorted(p.stem for p in (Path(__file__).parent.parent / "benchmarks").glob("*.py")
                    if p.stem != "__init__")


@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_imports(name: str) -> None:
    importlib.import_module(f"benchmarks.{name}")
