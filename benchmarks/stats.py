"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations


def pct(values: list[float], q: float) -> float:
    """The q-th quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
