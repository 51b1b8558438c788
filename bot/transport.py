"""The HTTP transport PTB uses to reach the Bot API: one pooled aiohttp session.

Why not PTB's default (httpx): under load its connection pool rescans every connection, with a
syscall each, for every request; in the end-to-end benchmark that capped the bot at ~180
updates/s on this 2-core machine. aiohttp's connector does not, and the API is the same
(PTB's BaseRequest).

Retries, for interactive replies: a 429 is honoured exactly (its retry_after) when short; a
5xx means Telegram did not take the message, so it is retried with backoff. A timeout is an
unknown outcome: sendMessage has no idempotency key, so it is not retried (that could
duplicate an answer).

An update PTB cannot parse (from a Bot API version it does not know) would stop the whole batch
for good: PTB logs it and asks for the same batch again, forever. When getUpdates is asked for
the same offset after a batch came back, that batch was not processed: this time each update is
read on its own, and one that cannot be read is passed on as its bare update_id (so the offset
moves on), logged by id and error type only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from telegram import Update
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.broadcasts.limiter import RecentSends

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_RETRY_AFTER = 10.0  # longer waits are not worth holding a citizen's reply for
RETRY_STATUSES = {500, 502, 503, 504}


def _retry_after(body: bytes) -> float | None:
    try:
        parameters = json.loads(body).get("parameters") or {}
        return float(parameters["retry_after"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def readable_updates(batch: list[Any]) -> list[Any]:
    """The batch with each update PTB cannot parse replaced by its bare update_id."""
    readable = []
    for raw in batch:
        try:
            Update.de_json(raw, None)
        except Exception as exc:   # whatever PTB would have raised on it
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                raise
            log.warning("update %d could not be read (%s); skipped (its content is not "
                        "logged)", update_id, type(exc).__name__)
            raw = {"update_id": update_id}
        readable.append(raw)
    return readable


def _or(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    def __init__(self, connection_pool_size: int = 32, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, retries: bool = True,
                 backoff: float = 0.5, sends: RecentSends | None = None) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._retries = retries
        self._backoff = backoff
        # Messages sent count toward the bot's limit, which broadcasts share (limiter.py).
        self._sends = sends
        self._session: aiohttp.ClientSession | None = None
        self._unread_offset: object = None    # getUpdates: the offset of the last batch

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        timeout = aiohttp.ClientTimeout(
            sock_read=_or(read_timeout, self._read_timeout),
            sock_connect=_or(connect_timeout, self._connect_timeout),
            connect=_add(_or(connect_timeout, self._connect_timeout),
                         _or(pool_timeout, self._pool_timeout)),
        )
        api_method = url.rsplit("/", 1)[-1]
        attempts = MAX_ATTEMPTS if self._retries else 1
        counts = self._sends is not None and _is_message(api_method)
        for attempt in range(1, attempts + 1):
            if counts:   # several processes: waits for this process's share (pacing.py)
                assert self._sends is not None
                await self._sends.turn()
            try:
                status, body = await self._send(url, method, request_data, timeout)
            finally:
                if counts:   # its place at Telegram frees a second after the answer
                    assert self._sends is not None
                    self._sends.answered()
            if attempt == attempts:
                break
            if status == 429:
                wait = _retry_after(body)
                if wait is None or wait > MAX_RETRY_AFTER:
                    break
                log.warning("%s: 429, retrying after %.0f s", api_method, wait)
                await asyncio.sleep(wait)
            elif status in RETRY_STATUSES:
                wait = self._backoff * 2 ** (attempt - 1)
                log.warning("%s: HTTP %d, retrying in %.1f s", api_method, status, wait)
                await asyncio.sleep(wait)
            else:
                break
        if api_method == "getUpdates" and status == 200:
            body = self._unprocessed_batch_read_alone(request_data, body)
        return status, body

    def _unprocessed_batch_read_alone(self, request_data: RequestData | None, body: bytes
                                      ) -> bytes:
        offset = request_data.parameters.get("offset") if request_data else None
        try:
            payload = json.loads(body)
            batch = payload["result"]
        except (ValueError, KeyError, TypeError):
            return body                          # PTB reports a malformed answer itself
        if batch and offset is not None and offset == self._unread_offset:
            payload["result"] = readable_updates(batch)    # the same batch again: unread
            body = json.dumps(payload, ensure_ascii=False).encode()
        self._unread_offset = offset if batch else None
        return body

    async def _send(self, url: str, method: str, request_data: RequestData | None,
                    limits: aiohttp.ClientTimeout) -> tuple[int, bytes]:
        if self._session is None:
            raise NetworkError("transport is not initialised")
        data: Any = None
        headers = None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, part in request_data.multipart_data.items():
                    filename, content, mimetype = part[0], part[1], part[2] if len(part) > 2 else None
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:   # a JSON body: cheaper than URL-encoding every field, and nested as it is
                data = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                headers = JSON_HEADERS
        try:
            async with self._session.request(method, url, data=data, headers=headers,
                                             timeout=limits) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:
            raise TimedOut("Timed out talking to the Bot API") from exc
        except aiohttp.ClientError as exc:
            # The message names the server, never the token-bearing URL.
            raise NetworkError(f"{type(exc).__name__} talking to the Bot API") from exc


JSON_HEADERS = {"Content-Type": "application/json"}


def _is_message(api_method: str) -> bool:
    return api_method.startswith(("send", "copyMessage", "forwardMessage")) \
        and api_method != "sendChatAction"


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b
