"""A local fake Bot API over HTTP, for end-to-end tests of `python -m bot run`.

It speaks the real wire protocol (POST /bot<token>/<method>, form or JSON bodies, long-polled
getUpdates), answers through the same LocalBotApi emulator as the in-process tests, and can
inject faults: 429 with retry_after, 403 blocked, 5xx, slow answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.shell.botapi import ApiError, Call, LocalBotApi


@dataclass
class Fault:
    method: str            # Bot API method it applies to, or "*"
    status: int = 500      # 429, 403, 500, 502...
    retry_after: int = 1   # for 429
    delay: float = 0.0     # seconds before answering (0 = immediately)
    times: int = 1         # how many calls it hits


class FakeBotApiServer:
    def __init__(self, token: str, api: LocalBotApi | None = None) -> None:
        self.token = token
        self.api = api or LocalBotApi()
        self.calls: list[Call] = []
        self.ok_counts: Counter[str] = Counter()  # successful calls per method
        self.faults: list[Fault] = []
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._released = False
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.url = f"http://{host}:{sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- driving ----------------------------------------------------------------------------

    def release_polls(self) -> None:
        """Answer pending and future long polls at once (a bot is shutting down)."""
        self._released = True
        self._new_update.set()

    def push(self, **payload: Any) -> dict[str, Any]:
        update = self.api.new_update(**payload)
        self._new_update.set()
        return update

    async def wait_for(self, predicate: Callable[[Call], bool], within: float = 10.0,
                       start: int = 0) -> Call:
        """The first call from index `start` on that satisfies `predicate`."""
        deadline = time.monotonic() + within
        index = start
        while True:
            while index < len(self.calls):
                if predicate(self.calls[index]):
                    return self.calls[index]
                index += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching Bot API call in {within}s; saw "
                                   f"{[c.method for c in self.calls[start:]]}")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    async def wait_count(self, method: str, count: int, within: float) -> None:
        """Until `count` calls of `method` have succeeded."""
        deadline = time.monotonic() + within
        while self.ok_counts[method] < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.ok_counts[method]}/{count} {method} in {within}s")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.error is None]

    # -- HTTP -------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body or {})
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("reply_markup", "scope", "allowed_updates", "commands",
                    "link_preview_options", "reply_parameters"):
            value = params.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        if method == "getUpdates":
            return await self._get_updates(params)
        self.calls.append(call)
        try:
            fault = self._take_fault(method)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status == 429:
                    raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                                   {"retry_after": fault.retry_after})
                if fault.status == 403:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if fault.status >= 500:
                    raise ApiError(fault.status, "Internal Server Error")
            result = self.api.call(method, params)
            body, status = {"ok": True, "result": result}, 200
            self.ok_counts[method] += 1
        except ApiError as exc:
            call.error = exc.description
            body, status = exc.payload(), exc.code
        finally:
            self._new_call.set()
        return web.json_response(body, status=status)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        timeout = float(params.get("timeout", 0) or 0)
        deadline = time.monotonic() + timeout
        while True:
            result = self.api.call("getUpdates", params)
            remaining = deadline - time.monotonic()
            if result or remaining <= 0 or self._released:
                return web.json_response({"ok": True, "result": result})
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)
