"""What keeping one chat's updates in order and counting floods across processes costs per
update on PostgreSQL (bot/ordering.py, storage/turns.py, storage/flood.py), against the
duplicate check alone (storage/updates.py) that it replaces.

Each figure: ROUNDS rounds of N updates, one after another, of a few hundred chats, the three
kinds interleaved round by round, on the pgserver PostgreSQL of the tests (same host, fsync
off): the median round's wall time per update, and database round trips per update.
Also the wait a second process's update of a chat sees while the first holds the turn.

    python -m benchmarks.chat_order
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bot.storage import open_database, turns
from bot.storage.db import Database
from bot.storage.turns import FloodAsk
from bot.storage.updates import first_delivery
from tests.postgres import create_database, start_server, stop_server

N = 500
ROUNDS = 7
CHATS = 300
NOW = datetime(2024, 11, 1, tzinfo=UTC)


async def timed(step: object, db: Database, base: int) -> float:
    started = time.perf_counter()
    for n in range(N):
        await step(db, base + n, 1000 + n % CHATS)   # type: ignore[operator]
    return (time.perf_counter() - started) / N * 1000


async def dedup_only(db: Database, update_id: int, chat: int) -> None:
    await first_delivery(db, update_id, NOW)


async def in_order(db: Database, update_id: int, chat: int) -> None:
    admission = await turns.admit(db, update_id, chat, NOW)
    assert admission.turn
    await turns.release(db, update_id, chat)


async def in_order_with_flood(db: Database, update_id: int, chat: int) -> None:
    admission = await turns.admit(db, update_id, chat, NOW, FloodAsk(chat, 1_000_000, 60))
    assert admission.turn and admission.flood == "pass"
    await turns.release(db, update_id, chat)


async def main() -> None:
    server, admin = start_server()
    try:
        url = await create_database(admin)
        db, other = await open_database(url), await open_database(url)
        kinds = [("duplicate check only (before)", 1, dedup_only),
                 ("admission + release (in order)", 2, in_order),
                 ("admission + release, flood counted", 2, in_order_with_flood)]
        times: list[list[float]] = [[] for _ in kinds]
        for round_ in range(ROUNDS):
            for k, (_, _, step) in enumerate(kinds):
                times[k].append(await timed(step, db, (k + 1) * 1_000_000 + round_ * N))
        for (label, trips, _), per in zip(kinds, times, strict=True):
            per.sort()
            print(f"{label:<36} {trips} round trip(s)  {per[len(per) // 2]:.3f} ms per update"
                  f" (rounds {per[0]:.3f}-{per[-1]:.3f})")
        # Contended: the chat's turn is held at one process; the other's update waits for it.
        waits = []
        for n in range(50):
            first, second = 4_000_000 + 2 * n, 4_000_001 + 2 * n
            assert (await turns.admit(db, first, 7, NOW)).turn
            assert not (await turns.admit(other, second, 7, NOW)).turn
            asked = time.perf_counter()
            waiting = asyncio.create_task(_wait(other, second))
            await asyncio.sleep(0.02)                      # the first's handling
            await turns.release(db, first, 7)
            await waiting
            waits.append((time.perf_counter() - asked - 0.02) * 1000)
            await turns.release(other, second, 7)
        waits.sort()
        print(f"a waiting update starts after the turn ends: median {waits[25]:.1f} ms,"
              f" 90th percentile {waits[45]:.1f} ms")
        await db.close()
        await other.close()
    finally:
        stop_server(server)


async def _wait(db: Database, update_id: int) -> None:
    from bot.ordering import wait_turn
    assert await wait_turn(db, update_id, 7)


if __name__ == "__main__":
    asyncio.run(main())
