"""No message can stall the event loop: the cost of one message of any length, and a flood.

1. Event-loop time of one free-text message through the full Application in-process, for
   messages of every length up to Telegram's 4,096 characters (random words, one long word,
   one repeated letter), including just under and over the question cap (MAX_QUESTION_CHARS).
   Measured as the main thread's CPU time (the database works on its own thread).
2. A flood against `python -m bot run` over HTTP: 10 users each send a different long message
   at once, then one citizen asks an ordinary question; how long until that answer arrives.

Targets (issue 7): a few milliseconds per message at any length; the ordinary answer < 0.3 s.

    python -m benchmarks.flood
"""

from __future__ import annotations

import asyncio
import random
import string
import tempfile
import time
from pathlib import Path

from telegram import Update

from benchmarks.stats import pct
from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import load_content
from bot.router import MAX_QUESTION_CHARS
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from tests.conftest import DURING_CAMPAIGN
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.strict_api import StrictBotApi

TOKEN = "565656:BENCH-flood-token-for-the-fake-server"
LENGTHS = (10, 50, 100, 200, 300, MAX_QUESTION_CHARS - 1, MAX_QUESTION_CHARS,
           MAX_QUESTION_CHARS + 1, 1000, 2000, 4096)


def random_words(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 12))))
    return " ".join(words)[:length]


def messages(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for length in LENGTHS:
        found.append((f"{length} chars, random words", random_words(rng, length)))
        found.append((f"{length} chars, one word", "".join(rng.choice(string.ascii_lowercase)
                                                           for _ in range(length))))
        found.append((f"{length} chars, one letter", "a" * length))
        found.append((f"{length} chars, tps + place-like words",
                      ("tps desa " + random_words(rng, length))[:length]))
    return found


async def per_message(rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(BOT_TOKEN="123456:FLOOD-token-for-the-benchmark",
                                 DATABASE_PATH=str(Path(tmp) / "f.sqlite3"))
        api = StrictBotApi()
        request = LocalRequest(api)
        app = build_application(settings, request=request, get_updates_request=request,
                                clock=FixedClock(DURING_CAMPAIGN),
                                content=load_content(PROJECT_ROOT / "content"))
        await open_offline(app)
        await app.services.semantic_ready.wait()
        worst: list[tuple[float, str]] = []
        try:
            for n, (label, text) in enumerate(messages(rng)):
                sender = updates.user(50_000 + n)
                update = Update.de_json(api.new_update(
                    message=updates.message(api, text, sender)), app.bot)
                cpu = time.thread_time()
                await app.process_update(update)
                worst.append(((time.thread_time() - cpu) * 1000, label))
        finally:
            await close_offline(app)
    worst.sort(reverse=True)
    print(f"event-loop CPU per message, {len(worst)} messages of lengths {LENGTHS}: "
          f"max {worst[0][0]:.1f} ms ({worst[0][1]}); the 5 costliest:")
    for ms, label in worst[:5]:
        print(f"  {ms:6.1f} ms  {label}")


async def flood(rng: random.Random, rounds: int) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    latencies = []
    with tempfile.TemporaryDirectory() as tmp:
        env = bot_env(server, Path(tmp), LOG_LEVEL="WARNING",
                      CONTENT_DIR=str(PROJECT_ROOT / "content"))
        process = await start_bot(server, env, Path(tmp))
        try:
            for r in range(rounds):
                for u in range(10):
                    length = rng.choice((MAX_QUESTION_CHARS - 1, MAX_QUESTION_CHARS, 1000, 4096))
                    text = random_words(rng, length) if u % 2 else "x" * length
                    sender = updates.user(60_000 + r * 10 + u)
                    server.push(message=updates.message(server.api, text, sender))
                citizen = updates.user(70_000 + r, "id", "Warga")
                start = len(server.calls)
                asked = time.monotonic()
                server.push(message=updates.message(server.api, "jam berapa tps buka", citizen))
                chat = str(citizen["id"])
                await server.wait_for(lambda c, chat=chat: c.method == "sendMessage"
                                      and str(c.params.get("chat_id")) == chat, start=start)
                latencies.append(time.monotonic() - asked)
                await asyncio.sleep(0.5)
        finally:
            await stop_bot(process, server)
            await server.stop()
    print(f"flood ({rounds} rounds: 10 long messages at once, then an ordinary question): "
          f"answer in median {pct(latencies, 0.5) * 1000:.0f} ms, "
          f"worst {max(latencies) * 1000:.0f} ms   target < 300 ms")


def main() -> None:
    rng = random.Random(7)
    asyncio.run(per_message(rng))
    asyncio.run(flood(rng, rounds=10))


if __name__ == "__main__":
    main()
