"""The sentence-embedding model's cost, on questions that need it (issue 7 targets).

1. In-process: distinct, uncached development-set questions through the full Application,
   SEMANTIC_THREADS=2 (two workers sharing two engine threads): p50 and p99 per update, over
   all of them (the target's measure) and over only those the model must read (the worst case).
2. `python -m bot run` over HTTP: distinct, uncached free-text questions that all need the
   model, sent at a fixed rate: achieved rate and p99 answer latency.
3. Start-up of `python -m bot run` with a warm embeddings cache, and its peak RSS.

Targets: in-process p50 < 25 ms, p99 < 80 ms; >= 60 questions/s with p99 < 250 ms; start-up
< 5 s; RSS < 300 MB.

    python -m benchmarks.semantic [--rate 60] [--count 600]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update

from benchmarks import devset
from benchmarks.faq_accuracy import DEVSET, DURING_CAMPAIGN
from benchmarks.stats import pct, peak_rss_kb
from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import load_content
from bot.faq.hybrid import HybridThresholds
from bot.faq.matcher import Matcher
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.strict_api import StrictBotApi

TOKEN = "575757:BENCH-semantic-token-for-the-fake-server"
CONTENT = PROJECT_ROOT / "content"


def needs_model(questions: list[str]) -> list[str]:
    lexical, th = Matcher(load_content(CONTENT)), HybridThresholds()
    out = []
    for q in questions:
        m = lexical.match(q)
        if not (m.kind == "answer" and m.score >= th.lexical_sure_score
                and m.coverage >= th.lexical_sure_coverage):
            out.append(q)
    return out


async def in_process(questions: list[str], cache: Path, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(BOT_TOKEN=TOKEN, DATABASE_PATH=f"{tmp}/s.sqlite3",
                                 SEMANTIC_THREADS="2", CACHE_DIR=str(cache))
        api = StrictBotApi()
        request = LocalRequest(api)
        app = build_application(settings, request=request, get_updates_request=request,
                                clock=FixedClock(DURING_CAMPAIGN))
        await open_offline(app)
        await app.services.semantic_ready.wait()
        times = []
        try:
            for i, q in enumerate(questions):
                sender = updates.user(20_000 + i)
                update = Update.de_json(api.new_update(message=updates.message(api, q, sender)),
                                        app.bot)
                t0 = time.perf_counter()
                await app.process_update(update)
                times.append((time.perf_counter() - t0) * 1000)
            stats = app.services.answers.stats
        finally:
            await close_offline(app)
    print(f"in-process, {len(questions)} distinct uncached dev-set questions ({label}), "
          "SEMANTIC_THREADS=2: "
          f"p50 {statistics.median(times):.1f} ms, p99 {pct(times, 0.99):.1f} ms "
          f"(model ran for {stats['model']}, keywords sure for {stats['lexical_only']})   "
          "target p50 < 25 ms, p99 < 80 ms")


async def end_to_end(questions: list[str], rate: float, count: int, cache: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    server.record_calls = True
    await server.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = bot_env(server, Path(tmp), LOG_LEVEL="INFO", CONTENT_DIR=str(CONTENT),
                      CACHE_DIR=str(cache), SEMANTIC_THREADS=os.environ.get("SEMANTIC_THREADS", "2"))
        t0 = time.monotonic()
        output = Path(tmp) / "bot.log"
        process = await start_bot(server, env, Path(tmp), log=output)
        startup = time.monotonic() - t0
        latencies: list[float] = []
        try:
            pending: dict[str, float] = {}
            start = len(server.calls)
            for i in range(count):
                chat = 3_000_000 + i
                q = f"{questions[i % len(questions)]} ({i})"   # distinct: never from the LRU
                pending[str(chat)] = time.monotonic()
                server.push(message=updates.message(server.api, q, updates.user(chat)))
                await asyncio.sleep(1 / rate)
            t_end = time.monotonic()
            await server.wait_count("sendMessage", count, within=120)
            for call in server.calls[start:]:
                chat = str(call.params.get("chat_id"))
                if call.method == "sendMessage" and chat in pending:
                    latencies.append(call.at - pending.pop(chat))
            achieved = count / (max(c.at for c in server.calls[start:]) - (t_end - count / rate))
            rss = peak_rss_kb(process.pid) / 1024
        finally:
            await stop_bot(process, server)
            await server.stop()
        answered = [line.split("answers since start: ")[1] for line in
                    output.read_text().splitlines() if "answers since start: " in line]
    print(f"python -m bot run, {count} distinct questions that all need the model, sent at "
          f"{rate:g}/s: {achieved:.0f}/s answered, p50 {pct(latencies, 0.5) * 1000:.0f} ms,"
          f" p99 {pct(latencies, 0.99) * 1000:.0f} ms   target >= 60/s, p99 < 250 ms\n"
          f"  how they were answered: {answered[0] if answered else '?'} (busy: the model's"
          " queue was full, answered from the keywords)")
    print(f"start-up with a warm embeddings cache: {startup:.2f} s (to the command menu); peak RSS "
          f"{rss:.0f} MB   targets < 5 s, < 300 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=60)
    parser.add_argument("--count", type=int, default=600)
    args = parser.parse_args()
    items, _ = devset.load(DEVSET)
    everyone = list(dict.fromkeys(i.q for i in items))
    questions = needs_model(everyone)
    cache = Path(tempfile.gettempdir()) / "suara-bench"
    asyncio.run(in_process(everyone, cache, "all of them"))
    asyncio.run(in_process(questions, cache, "only those the keywords are not sure of"))
    asyncio.run(end_to_end(questions, args.rate, args.count, cache))


if __name__ == "__main__":
    main()
