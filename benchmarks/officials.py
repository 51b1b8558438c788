"""How long officials wait: /statistik (chart and summary), /statistik csv and /pertanyaan
with 200,000 subscribers, a year of daily counters and 100,000 stored unanswered questions,
each as one update through the full Application in-process (handlers, SQLite, grouping,
matplotlib, the offline Bot API), on the bundled content.

Target (issue 9, this 2-core machine): /statistik answers in under 2 s. Issue 20: the same
commands for a viewer of one kabupaten/kota (Muara Enim), whose reports read only its rows.

    python -m benchmarks.officials [--subscribers 200000] [--questions 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from telegram import Update

from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import load_content
from bot.regions.loader import load_regions
from bot.settings import load_settings
from bot.shell.botapi import LocalBotApi, LocalRequest
from bot.storage import open_database
from tests.fakes import updates

ADMIN = 4242
REGIONAL = 4343         # a viewer of Kabupaten Muara Enim only
NOW = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)
CAMPAIGNS = ["sman1", "sman2", "unsri_me", "karangtaruna", "pramuka"]
METRICS = ["answered", "suggested", "unknown", "declined", "helpful", "unhelpful",
           "subscribed", "start"]
PHRASES = ["berapa gaji kpps", "tps saya dimana", "kapan debat kedua", "boleh pakai ktp lama",
           "siapa yang menang di desa", "cara jadi saksi", "apakah ada libur nasional",
           "bisa nyoblos di kos", "harus bawa apa saja", "apa itu daftar pemilih khusus",
           "bagaimana kalau sakit", "kenapa nama saya tidak ada", "kok undangan belum datang"]
FILLER = "ya dong pak bu min tolong sih kak desa kami di sini besok lusa anak saya".split()


async def populate(database: Path, subscribers: int, questions: int) -> None:
    db = await open_database(database)
    await db.close()
    content = load_content(PROJECT_ROOT / "content")
    desa = [d.code for ds in load_regions(content).desa_of.values() for d in ds]
    topics = list(content.topics)
    rng = random.Random(7)
    # Half the questions repeat common needs in varied words; half are words drawn at random
    # from the content's own vocabulary (the worst case for grouping: few exact repeats).
    vocabulary = sorted({w.lower().strip("?.,!") for e in content.entries.values()
                         for q in e.entry.id.questions for w in q.split()})

    def question() -> str:
        if rng.random() < 0.5:
            return " ".join([rng.choice(PHRASES), *rng.sample(FILLER, rng.randint(0, 4))])
        return " ".join(rng.sample(vocabulary, rng.randint(3, 8)))

    stamp = NOW.isoformat(timespec="seconds")
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO users (user_id, language, first_seen, last_seen, campaign, region_code)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((i, "en" if rng.random() < 0.1 else "id", stamp, stamp,
              rng.choice(CAMPAIGNS) if rng.random() < 0.3 else None,
              rng.choice(desa) if rng.random() < 0.8 else None)
             for i in range(1, subscribers + 1)))
        conn.executemany(
            "INSERT INTO subscriptions (user_id, subscribed_at) VALUES (?, ?)",
            ((i, (NOW - timedelta(days=rng.randrange(365))).isoformat(timespec="seconds"))
             for i in range(1, subscribers + 1)))
        conn.executemany("INSERT INTO campaigns (code, name, owner_id, created_at)"
                         " VALUES (?, ?, ?, ?)", ((c, c.upper(), ADMIN, stamp) for c in CAMPAIGNS))
        kecamatan = sorted({".".join(d.split(".")[:3]) for d in desa})
        rows = set()
        for day in range(365):
            d = (NOW.date() - timedelta(days=day)).isoformat()
            for _ in range(400):
                metric = rng.choice(METRICS)
                rows.add((d, metric, rng.choice(topics) if metric in ("answered", "helpful",
                                                                      "unhelpful") else "",
                          rng.choice(kecamatan), rng.choice(("id", "en")),
                          rng.choice(CAMPAIGNS + [""] * 5)))
        conn.executemany("INSERT INTO daily_stats VALUES (?, ?, ?, ?, ?, ?, ?)",
                         ((*r, rng.randint(1, 50)) for r in rows))
        conn.executemany(
            "INSERT INTO unanswered_questions (text, language, asked_at, region)"
            " VALUES (?, 'id', ?, ?)",
            ((question(),
              (NOW - timedelta(minutes=rng.randrange(90 * 24 * 60))).isoformat(timespec="seconds"),
              rng.choice(desa)[:5])
             for _ in range(questions)))
    print(f"data: {subscribers} subscribers, {len(rows)} daily-counter rows over 365 days, "
          f"{questions} unanswered questions (half drawn from {len(vocabulary)} content words)")


async def run(database: Path, rounds: int) -> None:
    settings = load_settings(BOT_TOKEN="123456789:BENCH-token-offline-only", DATABASE_PATH=str(database),
                             SEMANTIC_THREADS="0", ADMIN_IDS=str(ADMIN))
    request = LocalRequest(LocalBotApi())
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=FixedClock(NOW))
    await open_offline(app)
    await app.services.roles.grant(app.services.db, REGIONAL, "viewer", "cli", NOW, "16.03")
    try:
        for who, command in ((ADMIN, "/statistik"), (ADMIN, "/statistik csv"),
                             (ADMIN, "/pertanyaan"), (REGIONAL, "/statistik"),
                             (REGIONAL, "/pertanyaan")):
            official = updates.user(who, "id", "Petugas")
            times = []
            for _ in range(rounds):
                payload = request.api.new_update(
                    message=updates.message(request.api, command, official))
                started = time.perf_counter()
                await app.process_update(Update.de_json(payload, app.bot))
                times.append(time.perf_counter() - started)
            sent = request.calls[-1]
            assert sent.error is None, sent.error
            print(f"{'16.03 ' if who == REGIONAL else ''}{command:<15} first "
                  f"{times[0] * 1000:7.0f} ms   then "
                  f"{', '.join(f'{t * 1000:.0f}' for t in times[1:])} ms   ({sent.method})")
    finally:
        await close_offline(app)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (data generation included): {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        asyncio.run(populate(database, args.subscribers, args.questions))
        asyncio.run(run(database, args.rounds))
    print(f"target: /statistik < 2000 ms on this machine ({date.today().isoformat()})")


if __name__ == "__main__":
    main()
