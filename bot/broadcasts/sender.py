"""Sending one broadcast message: a lean JSON POST, not PTB's object machinery.

At hundreds of messages a second, building and parsing PTB objects costs ~1 ms each; here a
send is one pooled aiohttp request and a glance at ok / error_code / retry_after.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bot.shell.botapi import ApiError


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int = 200
    retry_after: float | None = None   # 429
    blocked: bool = False              # 403, or chat not found: do not send again
    permanent: bool = False            # other 4xx: retrying will not help
    detail: str | None = None


def classify(status: int, body: dict[str, Any]) -> SendResult:
    if body.get("ok"):
        return SendResult(True, status)
    code = int(body.get("error_code") or status)
    description = str(body.get("description") or f"HTTP {status}")[:200]
    if code == 429:
        retry = (body.get("parameters") or {}).get("retry_after", 1)
        return SendResult(False, code, retry_after=float(retry), detail=description)
    if code == 403 or (code == 400 and "chat not found" in description.lower()):
        return SendResult(False, code, blocked=True, detail=description)
    if 400 <= code < 500:
        return SendResult(False, code, permanent=True, detail=description)
    return SendResult(False, code, detail=description)


class Sender(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def send(self, payload: dict[str, Any]) -> SendResult: ...


class HttpSender:
    def __init__(self, api_url: str, token: str, connections: int = 64, timeout: float = 10.0) -> None:
        self._url = f"{api_url}/bot{token}/sendMessage"
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, payload: dict[str, Any]) -> SendResult:
        assert self._session is not None, "sender not started"
        try:
            async with self._session.post(self._url, json=payload) as resp:
                raw = await resp.read()
                status = resp.status
        except TimeoutError:
            return SendResult(False, 0, detail="timeout")
        except aiohttp.ClientError as exc:
            return SendResult(False, 0, detail=type(exc).__name__)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"ok": False, "error_code": status, "description": f"HTTP {status}"}
        return classify(status, body)


class ApiSender:
    """Sends through an in-process LocalBotApi (the shell and tests)."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.sent: list[dict[str, Any]] = []

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, payload: dict[str, Any]) -> SendResult:
        await asyncio.sleep(0)
        try:
            self.api.call("sendMessage", payload)
        except ApiError as exc:
            return classify(exc.code, exc.payload())
        self.sent.append(payload)
        return SendResult(True)
