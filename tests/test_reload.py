"""Content reload without a restart: `python -m bot content reload` validates the content
whole, then the running bot switches to it; invalid content is refused and the bot keeps the
content it has (also when SIGHUP arrives directly)."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

from tests.conftest import FIXTURE_CONTENT
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.test_cli import run

TOKEN = "818181:RELOAD-secret-token-for-tests"
ANSWER = "TPS buka pukul {{ election.hours }}."


async def ask(server: FakeBotApiServer, text: str) -> str:
    start = len(server.calls)
    server.push(message=updates.message(server.api, text, updates.user(8201)))
    call = await server.wait_for(lambda c: c.method == "sendMessage", start=start)
    return str(call.params["text"])


async def answered_with(server: FakeBotApiServer, text: str, expected: str) -> str:
    got = ""
    for _ in range(50):
        got = await ask(server, text)
        if expected in got:
            break
        await asyncio.sleep(0.2)
    return got


async def test_reload_switches_valid_content_and_refuses_broken_content(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    faq = content / "faq" / "1_contoh.yaml"
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, CONTENT_DIR=str(content), SEMANTIC_THREADS="0")
    process = await start_bot(server, env, tmp_path, tmp_path / "bot.log")
    cli_env = {"DATABASE_PATH": env["DATABASE_PATH"], "CONTENT_DIR": str(content)}
    try:
        assert "TPS buka pukul" in await ask(server, "jam berapa tps buka dan tutup?")
        faq.write_text(faq.read_text(encoding="utf-8").replace(
            ANSWER, "TPS dibuka pukul {{ election.hours }} (jawaban baru)."), encoding="utf-8")
        done = await asyncio.to_thread(run, "content", "reload", cwd=tmp_path, env=cli_env)
        assert done.returncode == 0 and "reloads it now" in done.stdout, done.stderr
        assert "jawaban baru" in await answered_with(server, "jam berapa tps buka dan tutup?",
                                                     "jawaban baru")
        faq.write_text(faq.read_text(encoding="utf-8").replace("    topic: hari_h\n",
                                                               "    topic: no_such_topic\n", 1),
                       encoding="utf-8")
        refused = await asyncio.to_thread(run, "content", "reload", cwd=tmp_path, env=cli_env)
        assert refused.returncode == 1 and "no_such_topic" in refused.stderr
        assert "keeps the content" in refused.stderr
        process.send_signal(signal.SIGHUP)          # directly, bypassing the check
        await asyncio.sleep(1.0)
        assert process.returncode is None
        assert "jawaban baru" in await ask(server, "jam berapa tps buka dan tutup?")
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "content reloaded" in log and "content reload refused" in log
