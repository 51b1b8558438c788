"""Sending one broadcast message: a lean JSON POST, not PTB's object machinery.

At hundreds of messages a second, building and parsing PTB objects costs ~1 ms each; here a
send is one pooled aiohttp request and a glance at ok / error_code / retry_after.

What matters most is telling apart a request that never left (safe to retry) from one whose
outcome is unknown (it may have been delivered; sendMessage has no idempotency key, so it must
not be resent). So the timeouts are split: waiting for a pooled connection and connecting are
bounded by `connect_timeout`, and failures there are `not_sent`; once the request is written,
a read timeout, a disconnect or an OS error is `unknown`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int = 200
    retry_after: float | None = None   # 429
    blocked: bool = False              # 403, or chat not found: do not send again
    permanent: bool = False            # other 4xx: retrying will not help
    unknown: bool = False              # the request may have reached Telegram: never resend
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


def not_sent(reason: str) -> SendResult:
    """Nothing reached the server (no connection): retrying cannot duplicate."""
    return SendResult(False, 0, detail=f"not sent: {reason}")


def unknown(reason: str) -> SendResult:
    return SendResult(False, 0, unknown=True, detail=f"unknown outcome: {reason}")


class Sender(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def send(self, payload: dict[str, Any]) -> SendResult: ...


class HttpSender:
    def __init__(self, api_url: str, token: str, connections: int = 64,
                 connect_timeout: float = 5.0, read_timeout: float = 10.0) -> None:
        self._url = f"{api_url}/bot{token}/sendMessage"
        self._connections = connections
        # `connect` covers waiting for a pooled connection plus connecting; `sock_read` starts
        # once the request is on the wire. No total: it would blur the two.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout,
                                              sock_connect=connect_timeout, sock_read=read_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def send(self, payload: dict[str, Any]) -> SendResult:
        assert self._session is not None, "sender not started"
        try:
            async with self._session.post(self._url, json=payload) as resp:
                raw = await resp.read()
                status = resp.status
        except aiohttp.ConnectionTimeoutError:
            return not_sent("connect timeout")
        except aiohttp.ClientConnectorError as exc:
            return not_sent(type(exc).__name__)
        except TimeoutError:
            return unknown("read timeout")
        except (aiohttp.ClientError, OSError) as exc:
            # Written, then disconnected or broken: it may have been delivered.
            return unknown(type(exc).__name__)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"ok": False, "error_code": status, "description": f"HTTP {status}"}
        return classify(status, body)
