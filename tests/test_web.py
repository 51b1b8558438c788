"""The HTTP side: liveness (/livez = /healthz), readiness (/readyz) and /metrics (in-process),
and webhook mode through
`python -m bot run --webhook` (secret checked on every request; SIGTERM exits cleanly)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp

from bot.content.registry import Content
from bot.web import SECRET_HEADER
from tests.fakes import updates
from tests.fakes.harness import offline_bot
from tests.fakes.process import bot_env, free_port, start_bot
from tests.fakes.server import FakeBotApiServer


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_health_and_metrics_report_the_running_bot(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, web=True) as h:
        app = h.app
        assert app.services.http is not None
        base = f"http://127.0.0.1:{app.services.http.bound_port}"
        status, body = await get(f"{base}/readyz")
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok" and health["database"] == "ok"
        assert health["engine"] == "off" and health["last_update"] is None
        for alive in ("/livez", "/healthz"):   # SQLite: the one process leads, no epoch
            status, body = await get(f"{base}{alive}")
            assert (status, json.loads(body)) == (
                200, {"status": "ok", "role": "leader", "epoch": None})
        await h.text("jam berapa tps buka dan tutup?")
        await h.text("resep rendang enak")
        status, metrics = await get(f"{base}/metrics")
        assert status == 200
        assert 'suara_updates_total{kind="message"} 2.0' in metrics
        assert 'suara_free_text_total{outcome="answer"} 1.0' in metrics
        assert 'suara_free_text_total{outcome="decline"} 1.0' in metrics   # the model's decline
        assert "suara_answer_seconds_bucket" in metrics and "suara_broadcast_429_total" in metrics
        assert json.loads((await get(f"{base}/readyz"))[1])["last_update"] is not None
        db, app.services._db = app.services._db, None   # the database goes away
        assert db is not None
        await db.close()
        status, body = await get(f"{base}/readyz")
        assert status == 503 and json.loads(body)["database"] == "unreachable"
        assert (await get(f"{base}/healthz"))[0] == 200      # not ready, but alive: no restart


FORGED = ("1:k:²", "1:c:99.01.01:²", "1:L:x:²")     # "²".isdigit() is true; int("²") fails


async def test_one_account_pressing_forged_buttons_cannot_make_the_bot_look_broken(
        tmp_path: Path, content: Content) -> None:
    """Twelve forged presses in three seconds from one account: each gets the stale-button
    answer, no handler raises, and neither liveness nor readiness moves."""
    async with offline_bot(tmp_path, content, web=True) as h:
        assert h.app.services.http is not None
        base = f"http://127.0.0.1:{h.app.services.http.bound_port}"
        prankster = h.user(8800)
        await h.text("/start", user=prankster)
        menu = h.last_message_with_keyboard(8800)
        stale = h.app.services.content.message("stale_button", "id")
        began = time.monotonic()
        for data in FORGED * 4:
            calls = await h.press(data, message=menu, user=prankster)
            assert [c.method for c in calls if c.method == "answerCallbackQuery"] == [
                "answerCallbackQuery"]
            assert any(stale in str(c.params.get("text")) for c in calls), calls
        assert time.monotonic() - began < 3
        assert h.app.services.metrics.handler_errors() == 0
        for path in ("/healthz", "/livez", "/readyz"):
            assert (await get(f"{base}{path}"))[0] == 200, path


async def test_handler_errors_are_counted_in_metrics_never_in_health(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, web=True) as h:
        assert h.app.services.http is not None
        base = f"http://127.0.0.1:{h.app.services.http.bound_port}"
        for _ in range(50):
            h.app.services.metrics.error("ValueError")
        for path in ("/healthz", "/livez", "/readyz"):
            assert (await get(f"{base}{path}"))[0] == 200, path
        assert "errors_last_minute" not in (await get(f"{base}/readyz"))[1]
        metrics = (await get(f"{base}/metrics"))[1]
        assert 'suara_handler_errors_total{type="ValueError"} 50.0' in metrics
        assert h.app.services.metrics.handler_errors() == 50


TOKEN = "717171:WEBHOOK-secret-token-for-tests"
SECRET = "hook_Secret-123"


async def post(port: int, payload: dict, secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/tg-hook", json=payload, headers=headers) as response:
        return response.status


async def raw_status(port: int, header: bytes, body: bytes) -> bytes:
    """The status code of a POST to the webhook written byte by byte (a client library would
    not send a header that is not UTF-8)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /tg-hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + header
                 + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n")
    try:
        writer.write(body)
        await writer.drain()
    except ConnectionError:       # refused before the whole body was read
        pass
    status = (await reader.readline()).split()[1]
    writer.close()
    return bytes(status)


async def test_webhook_mode_checks_the_secret_and_stops_cleanly(tmp_path: Path) -> None:
    server = FakeBotApiServer(TOKEN)
    await server.start()
    port = free_port()
    env = bot_env(server, tmp_path, SEMANTIC_THREADS="0", WEBHOOK_URL="https://bot.example.org/tg-hook",
                  WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
    process = await start_bot(server, env, tmp_path, tmp_path / "bot.log", "--webhook")
    try:
        hook = await server.wait_for(lambda c: c.method == "setWebhook")
        assert hook.params["secret_token"] == SECRET
        assert hook.params["url"] == "https://bot.example.org/tg-hook"
        allowed = hook.params["allowed_updates"]
        assert set(json.loads(allowed) if isinstance(allowed, str) else allowed) == {
            "message", "edited_message", "callback_query"}
        asker = updates.user(8101)
        for secret in (None, "wrong", SECRET.upper()):
            update = server.api.new_update(message=updates.message(server.api, "kapan pilkada?", asker))
            assert await post(port, update, secret) == 403
        # a secret that is not UTF-8 is a wrong one, and a body past 1 MB is refused as such
        assert await raw_status(port, SECRET_HEADER.encode() + b": \xff\xfe\r\n", b"{}") == b"403"
        oversized = b"{" + b" " * (2 << 20) + b"}"
        assert await raw_status(port, f"{SECRET_HEADER}: {SECRET}\r\n".encode(), oversized) == b"413"
        await asyncio.sleep(0.5)
        assert not [c for c in server.calls if c.method == "sendMessage"]   # none processed
        start = len(server.calls)
        update = server.api.new_update(message=updates.message(server.api, "kapan pilkada?", asker))
        assert await post(port, update, SECRET) == 200
        answer = await server.wait_for(lambda c: c.method == "sendMessage", start=start)
        assert str(answer.params["chat_id"]) == "8101"
        health = json.loads((await get(f"http://127.0.0.1:{port}/readyz"))[1])
        assert health["engine"] == "running" and health["scheduler"] == "running"
        assert "suara_updates_total" in (await get(f"http://127.0.0.1:{port}/metrics"))[1]
        assert await post(port, {"not": "an update"}, SECRET) in (200, 400)
    finally:
        began = time.monotonic()
        process.terminate()
        code = await asyncio.wait_for(process.wait(), 30)
        took = time.monotonic() - began
        await server.stop()
    assert code == 0 and took < 10, (code, took, (tmp_path / "bot.log").read_text()[-2000:])
