"""Polling stations: importing a 10,000-row list, and nearest-TPS lookup over 10,000 stations.

The list is synthetic (spread over every desa of the deployment, coordinates inside its box);
it is generated into a temporary folder and never shown to users.
Targets (issue 3, on a 2-core machine): import under 3 s; lookup under 5 ms median.

    python -m benchmarks.tps [--rows 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.stats import pct
from bot import PROJECT_ROOT
from bot.content.registry import Content, load_content
from bot.regions.directory import TpsDirectory
from bot.regions.loader import load_regions
from bot.regions.tps_import import parse_tps_csv
from bot.storage import open_database
from bot.storage.tps import replace_all


def synthetic_csv(content: Content, rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    bounds = content.election.region.bounds
    desas = [d for ds in load_regions(content).desa_of.values() for d in ds]
    lines = ["kode_wilayah,tps,alamat,lat,lon,aksesibilitas,keterangan"]
    for i in range(rows):
        desa = desas[i % len(desas)]
        number = i // len(desas) + 1
        lat = rng.uniform(bounds.min_lat + 0.05, bounds.max_lat - 0.05)
        lon = rng.uniform(bounds.min_lon + 0.05, bounds.max_lon - 0.05)
        lines.append(f"{desa.code},{number},Lokasi sintetis {i},{lat:.6f},{lon:.6f},Landai,")
    return ("\n".join(lines) + "\n").encode()


async def bench_import(content: Content, data: bytes, folder: Path) -> None:
    t0 = time.perf_counter()
    result = parse_tps_csv(data, load_regions(content), content.election.region.bounds)
    parsed = time.perf_counter()
    assert result.ok, result.errors[:3]
    db = await open_database(folder / "bench.sqlite3")
    t1 = time.perf_counter()
    changes = await replace_all(db, result.rows, "bench.csv", False, datetime.now(UTC))
    stored = time.perf_counter()
    again = await replace_all(db, result.rows, "bench.csv", False, datetime.now(UTC))
    reimport = time.perf_counter() - stored
    directory = TpsDirectory()
    t2 = time.perf_counter()
    await directory.refresh(db)
    loaded = time.perf_counter() - t2
    await db.close()
    print(f"import {len(result.rows)} rows in-process: parse+validate {parsed - t0:.3f} s, "
          f"write {stored - t1:.3f} s (added {changes.totals()[0]}), "
          f"total {parsed - t0 + stored - t1:.3f} s   target < 3 s")
    print(f"re-import of the same file: {reimport:.3f} s (changes: {again.any}); "
          f"bot reload of the list: {loaded:.3f} s")


def bench_cli(path: Path, folder: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(folder / "cli.sqlite3"),
           "PYTHONPATH": str(PROJECT_ROOT)}
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot", "tps", "import", str(path)], env=env,
                            cwd=folder, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    assert result.returncode == 0, result.stderr
    print(f"`python -m bot tps import` of the file, whole process (start-up, content, import): "
          f"{elapsed:.2f} s   target < 3 s")


async def bench_lookup(content: Content, data: bytes, folder: Path) -> None:
    result = parse_tps_csv(data, load_regions(content), content.election.region.bounds)
    db = await open_database(folder / "lookup.sqlite3")
    await replace_all(db, result.rows, "bench.csv", False, datetime.now(UTC))
    directory = TpsDirectory()
    await directory.refresh(db)
    await db.close()
    rng = random.Random(2)
    bounds = content.election.region.bounds
    times = []
    for _ in range(5000):
        lat = rng.uniform(bounds.min_lat, bounds.max_lat)
        lon = rng.uniform(bounds.min_lon, bounds.max_lon)
        t0 = time.perf_counter()
        directory.index.nearest(lat, lon, 3)
        times.append((time.perf_counter() - t0) * 1000)
    far = time.perf_counter()
    directory.index.nearest(-6.2, 106.8, 3)
    far_ms = (time.perf_counter() - far) * 1000
    print(f"nearest 3 of {len(directory.index)} stations: median {statistics.median(times):.3f} ms, "
          f"p99 {pct(times, 0.99):.3f} ms   target < 5 ms median; "
          f"a point 400 km away: {far_ms:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    content = load_content(PROJECT_ROOT / "content")
    data = synthetic_csv(content, args.rows)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "tps.csv"
        path.write_bytes(data)
        asyncio.run(bench_import(content, data, folder))
        bench_cli(path, folder)
        asyncio.run(bench_lookup(content, data, folder))


if __name__ == "__main__":
    main()
