"""One broadcast message to one recipient, until it has an outcome: sent in the place taken
for it in the pacing (limiter.py), retried on a 5xx or a request that never left (MAX_ATTEMPTS,
backing off), a 429 honoured by the whole engine and bounded per recipient; what Telegram's
answer means is read in sender.py. Before each request it asks the lease: a leader no longer
sure to lead sends nothing (LeaseLapsed: no outcome, the recipient stays pending for the
leader)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.broadcasts.limiter import ChatSpacing, TokenBucket
from bot.broadcasts.sender import Sender, SendResult
from bot.storage.broadcasts import Outcome, Recipient

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4         # for 5xx and requests that never left
MAX_RATE_LIMITED = 5     # 429s one recipient may cost before it is given up ('rate_limited')
BACKOFF = 0.5            # first retry after this many seconds, doubling


class LeaseLapsed(Exception):
    """Not sent: this process is no longer sure to lead."""


class Messenger:
    """Sends a broadcast's messages, one recipient each, and says what became of them."""

    def __init__(self, sender: Sender, bucket: TokenBucket, spacing: ChatSpacing,
                 stats: Counter[str], lease: Callable[[], bool]) -> None:
        self.sender, self.bucket, self.spacing, self.stats = sender, bucket, spacing, stats
        self.lease = lease

    async def send(self, broadcast_id: int, recipient: Recipient, payload: dict[str, Any],
                   day: str, record: Callable[[Outcome], None]) -> None:
        """Send, then record the outcome (counted toward `day`), whatever happened."""
        try:
            outcome = dataclasses.replace(await self.attempt(recipient, payload), day=day)
        except LeaseLapsed:
            return      # not sent, no outcome: the recipient stays pending for the leader
        except Exception as exc:
            # Logged without the payload or the chat id (personal data).
            self.stats["send_errors"] += 1
            log.error("broadcast %d: a send raised %s", broadcast_id, type(exc).__name__)
            outcome = Outcome(recipient.user_id, "failed", f"error: {type(exc).__name__}",
                              recipient.attempts + 1)
        self.stats[f"outcome:{outcome.outcome}"] += 1
        record(outcome)

    async def attempt(self, recipient: Recipient, payload: dict[str, Any]) -> Outcome:
        attempts, limited = recipient.attempts, 0
        user = recipient.user_id
        while True:
            attempts += 1
            result = await self.request(user, payload)
            if result.ok:
                return Outcome(user, "sent", None, attempts)
            if result.retry_after is not None:
                # Honoured exactly, by the whole engine; not the recipient's fault, so it is
                # counted apart from attempts, and bounded.
                attempts -= 1
                limited += 1
                self.stats["429"] += 1
                self.bucket.pause(result.retry_after)
                if limited >= MAX_RATE_LIMITED:
                    self.stats["rate_limited"] += 1
                    return Outcome(user, "rate_limited", f"gave up after {limited} x 429", attempts)
                await self.bucket.acquire()
                continue
            if result.unknown:
                self.stats["unknown"] += 1
                return Outcome(user, "unknown", result.detail, attempts)
            if result.blocked:
                return Outcome(user, "blocked", result.detail, attempts)
            if result.permanent or attempts >= MAX_ATTEMPTS:
                return Outcome(user, "failed", result.detail, attempts)
            await asyncio.sleep(BACKOFF * 2 ** (attempts - 1))
            await self.bucket.acquire()

    async def request(self, user: int, payload: dict[str, Any]) -> SendResult:
        """One request, in the place taken for it in the bucket (just before, with nothing
        awaited since): the place is released when the answer is in, or it never left."""
        try:
            if not self.lease():
                raise LeaseLapsed
            return await self.sender.send(payload)
        finally:
            self.bucket.release()
            self.spacing.answered(user)
