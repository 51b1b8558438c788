"""Nearest polling stations to a point: a grid of cells, searched ring by ring."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
EARTH_KM = 6371.0088
CELL_DEG = 0.02  # ~2.2 km at the equator


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class NearestIndex(Generic[T]):
    def __init__(self, points: Sequence[tuple[float, float, T]]) -> None:
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = defaultdict(list)
        for lat, lon, item in points:
            self._cells[self._cell(lat, lon)].append((lat, lon, item))
        self._size = len(points)
        if self._cells:
            rows = [c[0] for c in self._cells]
            cols = [c[1] for c in self._cells]
            self._span = max(max(rows) - min(rows), max(cols) - min(cols)) + 1
        else:
            self._span = 0

    def __len__(self) -> int:
        return self._size

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))

    def nearest(self, lat: float, lon: float, k: int = 3) -> list[tuple[float, T]]:
        """Up to k (distance_km, item), nearest first."""
        if not self._size:
            return []
        row, col = self._cell(lat, lon)
        found: list[tuple[float, T]] = []
        ring = 0
        # The query may be far outside the grid: start at the ring that reaches it.
        max_ring = self._span + abs(row) + abs(col)
        while ring <= max_ring:
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if max(abs(r - row), abs(c - col)) != ring:
                        continue
                    for plat, plon, item in self._cells.get((r, c), ()):
                        found.append((distance_km(lat, lon, plat, plon), item))
            if len(found) >= k:
                found.sort(key=lambda x: x[0])
                # Anything outside the rings searched so far is at least this far away.
                reach_km = ring * CELL_DEG * 111.0 * math.cos(math.radians(min(abs(lat), 89)))
                if found[k - 1][0] <= reach_km:
                    return found[:k]
            ring += 1
            if ring > 4 and len(found) == 0 and ring < max_ring:
                # Nothing close: jump straight to a brute-force answer rather than ring-walk.
                return self._brute(lat, lon, k)
        found.sort(key=lambda x: x[0])
        return found[:k]

    def _brute(self, lat: float, lon: float, k: int) -> list[tuple[float, T]]:
        every = [(distance_km(lat, lon, plat, plon), item)
                 for cell in self._cells.values() for plat, plon, item in cell]
        every.sort(key=lambda x: x[0])
        return every[:k]
