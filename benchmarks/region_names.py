"""How long finding the region a message names takes at national scale (514 kabupaten/kota, as
many everyday names): a short question, and a forward of ~4,000 characters, with the name
exact, misspelt, or absent. The namer runs on the event loop for every free-text message.

    python -m benchmarks.region_names
"""

from __future__ import annotations

import random
import time

from bot.regions.names import RegionNamer


def names(count: int = 514) -> dict[str, str]:
    rng = random.Random(1)
    syllables = ["ba", "ka", "ra", "ma", "ta", "lu", "ng", "si", "po", "de", "ne", "go", "la",
                 "wa", "ji", "su"]
    made: dict[str, str] = {}
    for i in range(count):
        name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 5)))
        if rng.random() < 0.4:
            name += " " + "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        made[f"{11 + i // 90}.{i % 90 + 1:02d}"] = ("Kota " if i % 5 == 0 else "Kabupaten ") + name
    made["16.03"] = "Kabupaten Muara Enim"
    return made


def main() -> None:
    regions = names()
    other = {code: [name.split()[-1] + "x"] for code, name in regions.items()}
    namer = RegionNamer(regions, other)
    rng = random.Random(2)
    filler = "kapan pemilihan bupati di daerah saya dan bagaimana cara memilih tolong min".split()
    story = " ".join(rng.choice(filler) for _ in range(300))
    cases = {
        "question, no region": "kapan pilkada dan jam berapa tps buka min",
        "question, exact name": "siapa calon bupati di kabupaten muara enim",
        "question, misspelt": "siapa calon bupati muaro enim",
        "forward ~4,000 chars, no region": (story + " " + story)[:4000],
        "forward, name in the middle": f"{story} di muara enim {story}"[:4000],
        "forward, misspelt at the end": f"{story} {story}"[:3970] + " di muaraenm?",
    }
    print(f"{len(regions)} kabupaten/kota, {sum(len(v) for v in other.values())} other names")
    for label, text in cases.items():
        runs = 20
        began = time.perf_counter()
        for _ in range(runs):
            found = namer.named(text)
        took = (time.perf_counter() - began) / runs * 1000
        print(f"  {label:34s} {len(text.split()):4d} words  {took:6.2f} ms  -> {found}")
    print("target: well under 10 ms per message (it runs on the event loop)")


if __name__ == "__main__":
    main()
