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
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.shell.botapi import ApiError, Call, LocalBotApi
from tests.fakes.strict_api import StrictBotApi


def is_message(method: str) -> bool:
    """Methods that send a message, which count toward the bot's limits."""
    return method.startswith("send") and method != "sendChatAction"


@dataclass
class Limits:
    """Telegram's broadcast limits, enforced like Telegram does: 429 with retry_after.

    Counted as messages arrive, over any one-second interval (a sliding window, not clock
    seconds), across all of the bot's messages: replies and broadcasts alike. A paid broadcast
    message counts toward the paid limit; every message counts toward it too."""
    per_second: int = 30            # messages per second for the whole bot
    paid_per_second: int = 1000     # with allow_paid_broadcast
    per_chat_interval: float = 1.0  # seconds between messages to one chat


@dataclass
class Fault:
    method: str            # Bot API method it applies to, or "*"
    status: int = 500      # 429, 403, 500, 502...
    retry_after: int = 1   # for 429
    delay: float = 0.0     # seconds before answering (0 = immediately)
    times: int = 1         # how many calls it hits
    until: float = 0.0     # if set (time.monotonic()), every call until then instead


def most_in_one_second(times: list[float]) -> int:
    """The most arrivals in any one-second interval (sliding, not clock seconds)."""
    most, start = 0, 0
    ordered = sorted(times)
    for end, t in enumerate(ordered):
        while t - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


class FakeBotApiServer:
    def __init__(self, token: str, api: LocalBotApi | None = None) -> None:
        self.token = token
        self.api = api or StrictBotApi()
        self.calls: list[Call] = []
        self.ok_counts: Counter[str] = Counter()  # successful calls per method
        self.delivered: Counter[int] = Counter()  # sendMessage successes per chat
        self.faults: list[Fault] = []
        self.limits: Limits | None = None
        self.blocked_chats: set[int] = set()       # 403 for ever
        self.fail_once_chats: set[int] = set()     # one 500, then fine
        self.storm_until = 0.0                     # every sendMessage gets 429 until then
        self.too_many = 0                          # 429s answered
        self.record_calls = True                   # False for long benchmark runs
        self._free: deque[float] = deque()          # arrival times in the last second
        self._all: deque[float] = deque()
        self.arrivals: list[float] = []            # every accepted message's arrival time
        self.refused_at: list[float] = []          # when the limits answered 429
        self.first_sent_at = 0.0
        self.last_sent_at = 0.0
        self._chat_last: dict[int, float] = {}
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

    def accept_polls(self) -> None:
        """Long polls wait for updates again (a bot is starting)."""
        self._released = False

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
            files = {k: (v.filename, v.file.read()) for k, v in form.items()
                     if isinstance(v, web.FileField)}
            if files:
                params["_files"] = files
        for key in ("reply_markup", "scope", "allowed_updates", "commands",
                    "link_preview_options", "reply_parameters"):
            value = params.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    def _take_fault(self, method: str) -> Fault | None:
        for fault in list(self.faults):
            if fault.until:
                if time.monotonic() >= fault.until:
                    self.faults.remove(fault)
                elif fault.method in (method, "*"):
                    return fault
                continue
            if fault.method in (method, "*") and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _check_limits(self, method: str, params: dict[str, Any]) -> None:
        if not is_message(method):
            return
        now = time.monotonic()
        chat = int(params.get("chat_id", 0))
        if now < self.storm_until:
            self.too_many += 1
            raise ApiError(429, "Too Many Requests: retry after 2", {"retry_after": 2})
        if chat in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat in self.fail_once_chats:
            self.fail_once_chats.discard(chat)
            raise ApiError(500, "Internal Server Error")
        if self.limits is None:
            return
        for window in (self._free, self._all):
            while window and now - window[0] >= 1.0:
                window.popleft()
        is_paid = str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")
        over = (len(self._all) >= self.limits.paid_per_second if is_paid
                else len(self._free) >= self.limits.per_second)
        last = self._chat_last.get(chat)
        if over or (last is not None and now - last < self.limits.per_chat_interval):
            self.too_many += 1
            self.refused_at.append(now)
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if not is_paid:
            self._free.append(now)
        self._all.append(now)
        self.arrivals.append(now)
        self._chat_last[chat] = now

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        if method == "getUpdates":
            return await self._get_updates(params)
        if self.record_calls:
            self.calls.append(call)
        try:
            self._check_limits(method, params)
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
            if method == "sendMessage" and not self.record_calls:
                # Long benchmark runs: answer like Telegram without keeping every message.
                self.api.check_text(params.get("text"), params.get("parse_mode"))
                result = {"message_id": 1, "date": int(time.time()),
                          "chat": {"id": int(params["chat_id"]), "type": "private"},
                          "text": params.get("text")}
            else:
                result = self.api.call(method, params)
            body, status = {"ok": True, "result": result}, 200
            self.ok_counts[method] += 1
            if method == "sendMessage":
                self.delivered[int(params["chat_id"])] += 1
                self.last_sent_at = time.monotonic()
                self.first_sent_at = self.first_sent_at or self.last_sent_at
        except ApiError as exc:
            call.error = exc.description
            body, status = exc.payload(), exc.code
        finally:
            call.done = time.monotonic()
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
