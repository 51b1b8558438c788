"""Faults of a chosen length against `python -m bot run` (the local fake Bot API over HTTP):
the Bot API answering 502, the Bot API slower than the bot waits, another process holding the
database; and a full disk (in-process: SQLite's max_page_count on the bot's own connection).
Citizens ask 4 times a second throughout. Prints, per fault: questions answered, latency, what
/readyz and /livez said during it, how soon answers and readiness returned after it cleared,
duplicates.

The test suite runs the same scenarios with short faults (FAULT_SECONDS, default 3).

    python -m benchmarks.faults [--seconds 60] [--only api_5xx,db_locked,...]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot import PROJECT_ROOT
from bot.content.registry import load_content
from tests.fakes.faultrun import KINDS, run_fault
from tests.fakes.harness import offline_bot, texts

QUESTION = "jam berapa tps buka?"


async def disk_full(seconds: float) -> str:
    """In-process: the disk fills for `seconds` while citizens ask; then space returns."""
    content = load_content(PROJECT_ROOT / "tests" / "fixtures" / "content")
    with tempfile.TemporaryDirectory() as folder:
        async with offline_bot(Path(folder), content, FLOOD_LIMIT="0") as h:
            db = h.app.services.db
            async with db.conn.execute("PRAGMA page_count") as cur:
                pages = (await cur.fetchone())[0]
            await db.conn.execute(f"PRAGMA max_page_count = {pages}")
            try:                                # fill the last free pages: the disk is full
                for _ in range(100_000):
                    await db.conn.execute("INSERT INTO unanswered_questions (text, language,"
                                          " asked_at) VALUES (?, 'id', 'x')", ("x" * 500,))
                    await db.conn.commit()
            except Exception:
                await db.conn.rollback()
            try:                                # and the users' pages, to the last byte
                for filler in range(1, 50_000):
                    await db.conn.execute("INSERT INTO users (user_id, language, first_seen,"
                                          " last_seen) VALUES (?, 'id', 'x', 'x')", (filler,))
                    await db.conn.commit()
            except Exception:
                await db.conn.rollback()
            asked = answered = 0
            stored_during = 0
            uid = 50_000
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                uid += 1
                asked += 1
                shown = texts(await h.text(QUESTION, user=h.user(uid)))
                answered += any("TPS buka pukul" in t for t in shown)
                await asyncio.sleep(0.25)
            state_during = db.write_trouble()
            await db.conn.execute("PRAGMA max_page_count = 1073741823")
            cleared = time.monotonic()
            while True:                        # until a new citizen is stored again
                uid += 1
                await h.text(QUESTION, user=h.user(uid))
                async with db.conn.execute("SELECT COUNT(*) FROM users WHERE user_id = ?",
                                           (uid,)) as cur:
                    if (await cur.fetchone())[0]:
                        break
                await asyncio.sleep(0.1)
            back = time.monotonic() - cleared
            async with db.conn.execute("SELECT COUNT(*) FROM users WHERE user_id > 50000") as cur:
                stored_during = (await cur.fetchone())[0] - 1
    return (f"{'disk_full':<12} {seconds:>4.0f} s fault: answered {answered}/{asked} (in-process); "
            f"writes during: {'failing: ' + str(state_during) if state_during else 'ok'}; "
            f"{stored_during} users stored during it; writes back {back:.1f} s after space returned")


async def main(seconds: float, only: list[str]) -> None:
    print(f"faults of {seconds:.0f} s; citizens ask 4 times a second")
    for kind in only:
        if kind == "disk_full":
            print(await disk_full(seconds))
            continue
        with tempfile.TemporaryDirectory() as folder:
            outcome = await run_fault(kind, seconds, Path(folder))
        print(outcome.line())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--only", default=",".join([*KINDS, "disk_full"]))
    args = parser.parse_args()
    asyncio.run(main(args.seconds, [k.strip() for k in args.only.split(",") if k.strip()]))
