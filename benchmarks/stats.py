"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

from pathlib import Path


def pct(values: list[float], q: float) -> float:
    """The q-th quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def peak_rss_kb(pid: int) -> int:
    """A process's peak resident memory (VmHWM), in kB; 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
