from __future__ import annotations

import random

from bot.regions.nearest import NearestIndex, distance_km


def test_distance_km() -> None:
    # Muara Enim town to Palembang is about 135 km as the crow flies.
    assert 120 < distance_km(-3.66, 103.77, -2.99, 104.76) < 140
    assert distance_km(-3.0, 104.0, -3.0, 104.0) == 0


def test_matches_brute_force_inside_and_far_away() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(-4.5, -3.0), rng.uniform(103.3, 104.7), i) for i in range(3000)]
    index = NearestIndex(points)
    queries = [(rng.uniform(-4.6, -2.9), rng.uniform(103.2, 104.8)) for _ in range(200)]
    queries += [(-6.2, 106.8), (-3.0, 110.0), (5.0, 95.0)]
    for lat, lon in queries:
        brute = sorted((distance_km(lat, lon, a, b), i) for a, b, i in points)[:3]
        assert [i for _, i in index.nearest(lat, lon, 3)] == [i for _, i in brute]


def test_empty_and_small() -> None:
    assert NearestIndex([]).nearest(-3, 104) == []
    assert [i for _, i in NearestIndex([(-3.0, 104.0, "a")]).nearest(-3.5, 104.2, 3)] == ["a"]
