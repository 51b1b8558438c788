"""Per-user flood control, before anything else runs: a user sending more than FLOOD_LIMIT
messages or button presses in any 60 seconds gets one polite notice and is then ignored for
FLOOD_COOLDOWN_SECONDS. Everyone else is served as usual; officials
(ADMIN_IDS and every official with a role) are exempt.

Work and memory are bounded: one deque of at most FLOOD_LIMIT + 1 times per recently active
user, and users idle for a window are forgotten (at most MAX_TRACKED at once).

On PostgreSQL (several processes) the counting is shared (storage/flood.py): each update is
counted on its user's row in the database, as part of its admission (bot/ordering.py, no
round trip of its own), so a user is counted across all processes and the notice is sent once,
by whichever process has the update that went over."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Container

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import SuaraApplication, SuaraContext, language_from_telegram
from bot.storage import flood as shared
from bot.storage.db import DatabaseError
from bot.storage.turns import FloodAsk, admitted

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

    def counted(self, verdict: str) -> str:
        """A verdict decided elsewhere (shared counts), in this gate's statistics."""
        if verdict == "notice":
            self.stats["notices"] += 1
        elif verdict == "drop":
            self.stats["dropped"] += 1
        return verdict

    def _forget(self, now: float) -> None:
        while self._seen:
            user, times = next(iter(self._seen.items()))
            if len(self._seen) <= MAX_TRACKED and now - times[-1] < WINDOW:
                break
            self._seen.popitem(last=False)
        for user in [u for u, until in self._blocked.items() if until <= now]:
            del self._blocked[user]


def ask(flood: FloodGate, update: Update) -> FloodAsk | None:
    """What to count in an update's admission: None if nobody is counted for it."""
    user = update.effective_user
    if user is None or not flood.limit or user.id in flood.exempt:
        return None
    return FloodAsk(user.id, flood.limit, flood.cooldown)


async def decide(flood: FloodGate, update: Update, context: SuaraContext) -> str:
    user = update.effective_user
    assert user is not None
    db = context.services.db
    if db.dialect != "postgres" or ask(flood, update) is None:
        return flood.check(user.id)
    known = admitted(update.update_id)
    if known is not None and known.flood is not None:
        return flood.counted(known.flood)
    try:      # not admitted with its count (an update of no chat): counted on its own
        return flood.counted(await shared.count(db, update.update_id, user.id, flood.limit,
                                                flood.cooldown))
    except DatabaseError:
        return flood.check(user.id)


async def gate(update: Update, context: SuaraContext) -> None:
    user = update.effective_user
    if user is None:
        return
    flood: FloodGate = context.bot_data["flood"]
    verdict = await decide(flood, update, context)
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
