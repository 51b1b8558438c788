"""Fault scenarios against `python -m bot run` as a real process, shared by the fault tests
(short faults, FAULT_SECONDS, default 3) and benchmarks/faults.py (a minute each).

Citizens ask at a steady rate before, during and after the fault; /readyz and /livez are
sampled twice a second. Measured: questions answered and how late, what readiness and liveness
said during the fault, how long after the fault cleared until answers and readiness were back,
and what the log said.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.fakes import updates
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer, Fault

TOKEN = "848484:FAULTRUN-secret-token-for-tests"
QUESTION = "jam berapa tps buka?"
KINDS = ("api_5xx", "api_timeout", "db_locked")
TIMEOUT_DELAY = 12.0     # the slow Bot API answers after this long (the bot waits less)


@dataclass
class Outcome:
    kind: str
    seconds: float
    asked: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)        # of answered questions
    health_during: set[str] = field(default_factory=set)        # /readyz seen in the fault
    alive_during: set[str] = field(default_factory=set)         # /livez seen in the fault
    answers_back_after: float | None = None    # fault end -> first answer to a new question
    healthy_after: float | None = None         # fault end -> /readyz 200 again
    log_mentions: int = 0                      # log lines about the fault (warnings, errors)
    exit_code: int | None = None
    unanswered_after: int = 0                  # asked after recovery, never answered
    duplicates: int = 0                        # citizens who got the answer more than once

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = lat[len(lat) // 2] if lat else float("nan")
        worst = lat[-1] if lat else float("nan")
        back = f"{self.answers_back_after:.1f} s" if self.answers_back_after is not None else "never"
        healthy = f"{self.healthy_after:.1f} s" if self.healthy_after is not None else "never"
        return (f"{self.kind:<12} {self.seconds:>4.0f} s fault: answered {self.answered}/"
                f"{self.asked}, median {p50:.2f} s, worst {worst:.1f} s; /readyz during: "
                f"{'/'.join(sorted(self.health_during)) or '-'}, /livez "
                f"{'/'.join(sorted(self.alive_during)) or '-'}; answers back {back}, "
                f"ready {healthy} after it cleared; {self.duplicates} duplicates; "
                f"{self.log_mentions} log lines; exit {self.exit_code}")


class _Lock:
    """Another process's exclusive hold on the database (e.g. a careless sqlite3 shell)."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.taken = threading.Event()

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            self.taken.set()
            time.sleep(self.seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()


async def _health(session: aiohttp.ClientSession, port: int, path: str = "/readyz") -> str:
    try:
        async with session.get(f"http://127.0.0.1:{port}{path}",
                               timeout=aiohttp.ClientTimeout(total=2)) as response:
            return "200" if response.status == 200 else str(response.status)
    except Exception:
        return "no answer"


async def run_fault(kind: str, seconds: float, folder: Path, rate: float = 4.0,
                    before: float = 2.0) -> Outcome:
    if kind not in KINDS:
        raise ValueError(f"unknown fault {kind!r}; one of {KINDS}")
    outcome = Outcome(kind, seconds)
    server = FakeBotApiServer(TOKEN)
    await server.start()
    port = free_port()
    log = folder / f"bot-{kind}.log"
    env = bot_env(server, folder, SEMANTIC_THREADS="0", FLOOD_LIMIT="0", HEALTH_PORT=str(port),
                  LOG_FORMAT="json")
    process = await start_bot(server, env, folder, log)
    asked: dict[int, float] = {}
    answered: dict[int, float] = {}
    fault_start = fault_end = 0.0
    user_ids = iter(range(10_000, 1_000_000))
    health: list[tuple[float, str]] = []
    alive: list[tuple[float, str]] = []
    lock: _Lock | None = None
    try:
        async with aiohttp.ClientSession() as session:
            start = time.monotonic()
            deadline = start + before + seconds + max(30.0, seconds)
            next_health = start
            while time.monotonic() < deadline:
                now = time.monotonic()
                if not fault_start and now - start >= before:
                    fault_start, fault_end = now, now + seconds
                    if kind == "api_5xx":
                        server.faults.append(Fault("sendMessage", status=502, until=fault_end))
                    elif kind == "api_timeout":   # slower than the bot waits: may still deliver
                        server.faults.append(Fault("sendMessage", status=200,
                                                   delay=TIMEOUT_DELAY, until=fault_end))
                    else:
                        lock = _Lock(Path(env["DATABASE_PATH"]), seconds)
                        lock.thread.start()
                        await asyncio.to_thread(lock.taken.wait, 10)
                uid = next(user_ids)
                asked[uid] = now
                server.push(message=updates.message(server.api, QUESTION, updates.user(uid)))
                if now >= next_health:
                    health.append((now, await _health(session, port)))
                    alive.append((now, await _health(session, port, "/livez")))
                    next_health = now + 0.5
                for call in server.sent():
                    chat = int(call.params.get("chat_id", 0))
                    if chat in asked and chat not in answered and call.done \
                            and QUESTION_REPLY(call):
                        answered[chat] = call.done
                if fault_end and now > fault_end + 2 and _recovered(asked, answered, fault_end) \
                        and any(t > fault_end and h == "200" for t, h in health):
                    break
                await asyncio.sleep(1 / rate)
            # Requests held by the slow server are answered late (and may still deliver).
            await asyncio.sleep(TIMEOUT_DELAY + 1 if kind == "api_timeout" else 2)
            replies: dict[int, int] = {}
            for call in server.sent():
                chat = int(call.params.get("chat_id", 0))
                if chat in asked and call.done and QUESTION_REPLY(call):
                    replies[chat] = replies.get(chat, 0) + 1
                    answered.setdefault(chat, call.done)
            outcome.duplicates = sum(1 for n in replies.values() if n > 1)
    finally:
        outcome.exit_code = await stop_bot(process, server)
        await server.stop()
        if lock is not None:
            lock.thread.join(timeout=seconds + 5)
    outcome.asked, outcome.answered = len(asked), len(answered)
    outcome.latencies = [answered[u] - asked[u] for u in answered]
    # Samples well inside the fault (the first and last half second may straddle its edges).
    outcome.health_during = {h for t, h in health if fault_start + 0.5 <= t <= fault_end - 0.5}
    outcome.alive_during = {h for t, h in alive if fault_start + 0.5 <= t <= fault_end - 0.5}
    after = [a for u, a in answered.items() if asked[u] >= fault_end]
    outcome.answers_back_after = (min(after) - fault_end) if after else None
    healthy = [t for t, h in health if t >= fault_end and h == "200"]
    outcome.healthy_after = (healthy[0] - fault_end) if healthy else None
    late = [u for u, t in asked.items() if t >= fault_end + 5 and u not in answered]
    outcome.unanswered_after = len(late)
    outcome.log_mentions = _log_mentions(log)
    return outcome


def QUESTION_REPLY(call: object) -> bool:
    return "TPS buka pukul" in str(getattr(call, "params", {}).get("text", ""))


def _recovered(asked: dict[int, float], answered: dict[int, float], fault_end: float) -> bool:
    """Three questions asked after the fault have been answered."""
    return sum(1 for u, t in asked.items() if t >= fault_end and u in answered) >= 3


def _log_mentions(log: Path) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                if json.loads(line).get("level") in ("WARNING", "ERROR"):
                    count += 1
    return count
