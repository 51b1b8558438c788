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


def children_peak_rss_kb(pid: int) -> int:
    """The largest peak resident memory (VmHWM, kB) among a process's children now alive: the
    answer model trains in one (bot/faq/apart.py); call it often to catch one before it ends."""
    found = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found = max(found, peak_rss_kb(int(child)))
    except OSError:
        pass
    return found


def cpu_seconds(pid: int, main_thread: bool = False) -> float:
    """CPU time (user + system, all threads, or `main_thread`: only the thread the event loop
    runs on) a process has used so far; 0 when unreadable. Cost, unlike latency, holds when
    other work shares the machine."""
    import os

    path = f"/proc/{pid}/task/{pid}/stat" if main_thread else f"/proc/{pid}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
