"""Long polling takes the bot's updates alone (README, "Several processes"): on PostgreSQL,
`python -m bot run` (polling) refuses to start beside processes serving the webhook (PTB
deletes the webhook before its first getUpdates: every process would go deaf, and stay so
after the poller stops), and `run --webhook` refuses beside a polling process (the leader's
setWebhook would cut the poller off). One line each; nothing is sent to Telegram."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from tests.fakes.process import bot_env, free_port, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

TOKEN = "747474:E2E-polling-alone-token-for-tests"
HOOK = {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "alone_Secret-1",
        "WEBHOOK_LISTEN": "127.0.0.1"}


def run_briefly(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot run ...` that is expected to refuse at once (a bot that starts instead
    is stopped after 20 s and counts as not refused)."""
    try:
        return subprocess.run([sys.executable, "-m", "bot", "run", *args], cwd=cwd,
                              env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -1, "", "started instead of refusing")


async def test_polling_and_the_webhook_never_run_side_by_side(tmp_path: Path, pg_url: str) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = {k: v for k, v in bot_env(server, tmp_path, DATABASE_URL=pg_url, SEMANTIC_THREADS="0",
                                    **HOOK).items() if k != "WEBHOOK_PORT"}
    try:
        poller = await start_bot(server, env, tmp_path)
        try:
            hooked = run_briefly({**env, "WEBHOOK_PORT": str(free_port())}, tmp_path, "--webhook")
            assert hooked.returncode == 2, hooked.stderr
            assert "a long-polling bot process" in hooked.stderr
            second = run_briefly(env, tmp_path)
            assert second.returncode == 2, second.stderr
            assert "must be the only one" in second.stderr
        finally:
            assert await stop_bot(poller, server) == 0
        assert server.ok_counts["setWebhook"] == 0

        port = free_port()
        served = await start_bot(server, {**env, "WEBHOOK_PORT": str(port)}, tmp_path, None,
                                 "--webhook")
        try:
            await server.wait_count("setWebhook", 1, within=10)
            deletes = server.ok_counts["deleteWebhook"]
            polled = run_briefly(env, tmp_path)
            assert polled.returncode == 2, polled.stderr
            assert polled.stderr.count("\n") == 1, polled.stderr      # one line
            assert "already run on this PostgreSQL database" in polled.stderr
            await asyncio.sleep(0.5)
            assert server.ok_counts["deleteWebhook"] == deletes     # the webhook stays
            assert server.api.webhook is not None
        finally:
            assert await stop_bot(served, server) == 0
        # The processes gone, polling may start again (a killed one's connection goes with it).
        alone = run_briefly({**env, "TELEGRAM_API_URL": "http://127.0.0.1:1"}, tmp_path)
        assert "must be the only one" not in alone.stderr
    finally:
        await server.stop()
