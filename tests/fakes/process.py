"""Run `python -m bot run` as a real process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from tests.conftest import EMBEDDINGS_CACHE, FIXTURE_CONTENT
from tests.fakes.server import FakeBotApiServer

READY_CALLS = 3  # post_init registers the command menu three times (id, en, default)


def bot_env(server: FakeBotApiServer, folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot process talking to `server`, on the fixture content; settings
    override the defaults."""
    return {**os.environ, "BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.url,
            "DATABASE_PATH": str(folder / "bot.sqlite3"), "PYTHONPATH": str(PROJECT_ROOT),
            "CONTENT_DIR": str(FIXTURE_CONTENT), "CACHE_DIR": str(EMBEDDINGS_CACHE),
            "HEALTH_PORT": "0", **settings}


async def start_bot(server: FakeBotApiServer, env: dict[str, str], folder: Path,
                    log: Path | None = None, *args: str) -> asyncio.subprocess.Process:
    """Start the bot and return once it is ready (its command menu is registered)."""
    server.accept_polls()
    before = server.ok_counts["setMyCommands"]
    output = log.open("wb") if log else None
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *args, cwd=folder, env=env,
            stdout=output or asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.STDOUT if output else asyncio.subprocess.DEVNULL)
    finally:
        if output:
            output.close()
    await server.wait_count("setMyCommands", before + READY_CALLS, within=60)
    return process


async def stop_bot(process: asyncio.subprocess.Process, server: FakeBotApiServer) -> int:
    """SIGTERM, as an operator or systemd would; the bot finishes its work and exits."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        server.release_polls()
    return await asyncio.wait_for(process.wait(), 30)


_HANDED: set[int] = set()


def free_port() -> int:
    """A local TCP port nobody listens on now (for the bot's or an emulator's HTTP side),
    below the range the system hands out to outgoing connections: a port from that range can
    be taken by a client socket (another bot's, PostgreSQL's) before the server binds it."""
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    start = max(1024, low - 12000)
    for _ in range(50 if start < low else 0):     # a range from 1024 leaves no port below it
        port = random.randrange(start, low)
        if port in _HANDED:       # not yet bound by whoever asked for it
            continue
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            _HANDED.add(port)
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
