"""HttpSender over real sockets: a request that never left is `not sent` (retried), one that
may have reached the server is `unknown` (never resent)."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web

from bot.broadcasts.sender import HttpSender

PAYLOAD = {"chat_id": 1, "text": "x"}


async def serve(handler: object) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", handler)  # type: ignore[arg-type]
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def send_once(url: str, read_timeout: float = 5.0) -> object:
    sender = HttpSender(url, "1:T", read_timeout=read_timeout, connect_timeout=1.0)
    await sender.start()
    try:
        return await sender.send(PAYLOAD)
    finally:
        await sender.close()


async def test_read_timeout_after_the_request_was_written_is_unknown() -> None:
    arrived = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        arrived.set()
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": {}})

    runner, url = await serve(slow)
    try:
        result = await send_once(url, read_timeout=0.3)
    finally:
        await runner.cleanup()
    assert arrived.is_set()
    assert result.unknown and not result.ok  # type: ignore[attr-defined]


async def test_a_disconnect_after_the_request_is_unknown() -> None:
    async def drop(request: web.Request) -> web.Response:
        await request.read()
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(0.1)
        return web.json_response({"ok": True})

    runner, url = await serve(drop)
    try:
        result = await send_once(url)
    finally:
        await runner.cleanup()
    assert result.unknown  # type: ignore[attr-defined]


async def test_no_connection_is_not_sent_and_may_be_retried() -> None:
    with socket.socket() as probe:   # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await send_once(f"http://127.0.0.1:{port}")
    assert not result.ok and not result.unknown  # type: ignore[attr-defined]
    assert "not sent" in (result.detail or "")  # type: ignore[attr-defined]


async def test_telegram_answers_are_classified() -> None:
    async def blocked(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 403,
                                  "description": "Forbidden: bot was blocked by the user"},
                                 status=403)

    runner, url = await serve(blocked)
    try:
        result = await send_once(url)
    finally:
        await runner.cleanup()
    assert result.blocked and not result.unknown  # type: ignore[attr-defined]
