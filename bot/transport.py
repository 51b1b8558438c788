"""HTTP transport for interactive replies: survives a short 429 or a passing 5xx.

A 429 is honoured exactly (its retry_after) when short; a 5xx means Telegram did not take the
message, so it is retried with backoff. A timeout is an unknown outcome: sendMessage has no
idempotency key, so it is not retried (that could duplicate an answer).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram.request import HTTPXRequest, RequestData

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


class RetryingRequest(HTTPXRequest):
    def __init__(self, *args: Any, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backoff = backoff

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status, body = await super().do_request(
                url, method, request_data, read_timeout=read_timeout,
                write_timeout=write_timeout, connect_timeout=connect_timeout,
                pool_timeout=pool_timeout)
            if attempt == MAX_ATTEMPTS:
                return status, body
            if status == 429:
                wait = _retry_after(body)
                if wait is None or wait > MAX_RETRY_AFTER:
                    return status, body
                log.warning("%s: 429, retrying after %.0f s", api_method, wait)
                await asyncio.sleep(wait)
            elif status in RETRY_STATUSES:
                wait = self._backoff * 2 ** (attempt - 1)
                log.warning("%s: HTTP %d, retrying in %.1f s", api_method, status, wait)
                await asyncio.sleep(wait)
            else:
                return status, body
        raise AssertionError("unreachable")
