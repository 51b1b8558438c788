"""Per-user flood control, before anything else runs: a user sending more than FLOOD_LIMIT
messages or button presses in any 60 seconds gets one polite notice and is then ignored for
FLOOD_COOLDOWN_SECONDS. Everyone else is served as usual; officials
(ADMIN_IDS and every official with a role) are exempt.

Work and memory are bounded: one deque of at most FLOOD_LIMIT + 1 times per recently active
user, and users idle for a window are forgotten (at most MAX_TRACKED at once)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Container

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import SuaraApplication, SuaraContext, language_from_telegram

log = logging.getLogger(__name__)

WINDOW = 60.0
MAX_TRACKED = 100_000
FLOOD_GROUP = -2     # before user tracking (-1): a flood costs no database write


class FloodGate:
    def __init__(self, limit: int, cooldown: float, exempt: Container[int],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.cooldown, self.exempt, self.clock = limit, cooldown, exempt, clock
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()
        self._blocked: dict[int, float] = {}     # user -> end of cool-down
        self.stats = {"notices": 0, "dropped": 0}

    def check(self, user_id: int) -> str:
        """'pass', 'notice' (the first update over the limit) or 'drop'."""
        if not self.limit or user_id in self.exempt:
            return "pass"
        now = self.clock()
        until = self._blocked.get(user_id)
        if until is not None:
            if now < until:
                self.stats["dropped"] += 1
                return "drop"
            del self._blocked[user_id]
            self._seen.pop(user_id, None)
        times = self._seen.pop(user_id, None) or deque(maxlen=self.limit + 1)
        self._seen[user_id] = times          # most recently active last
        times.append(now)
        self._forget(now)
        if len(times) > self.limit and now - times[0] < WINDOW:
            self._blocked[user_id] = now + self.cooldown
            self.stats["notices"] += 1
            return "notice"
        return "pass"

    def _forget(self, now: float) -> None:
        while self._seen:
            user, times = next(iter(self._seen.items()))
            if len(self._seen) <= MAX_TRACKED and now - times[-1] < WINDOW:
                break
            self._seen.popitem(last=False)
        for user in [u for u, until in self._blocked.items() if until <= now]:
            del self._blocked[user]


async def gate(update: Update, context: SuaraContext) -> None:
    user = update.effective_user
    if user is None:
        return
    flood: FloodGate = context.bot_data["flood"]
    verdict = flood.check(user.id)
    if verdict == "pass":
        return
    if verdict == "notice":
        log.warning("flood control: a user went over %d updates a minute; paused", flood.limit)
        message = update.effective_message
        if message is not None and update.effective_chat is not None:
            lang = language_from_telegram(user.language_code)
            minutes = max(1, round(flood.cooldown / 60))
            text = context.services.content.message("flood_notice", lang, limit=flood.limit,
                                                    minutes=minutes)
            await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    settings = app.services.settings
    app.bot_data["flood"] = FloodGate(settings.flood_limit, settings.flood_cooldown_seconds,
                                      app.services.roles)
    app.add_handler(TypeHandler(Update, gate), group=FLOOD_GROUP)
