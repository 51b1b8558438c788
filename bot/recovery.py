"""Updates another process admitted and never handled, handled here (PostgreSQL, several
processes; storage/recovered.py says when an update counts as lost).

Every process looks every EVERY seconds, so whichever survives takes over, leader or not; a
taken update goes through this process's update processor like any other, admitted already
(it claims its chat's turn as usual; flood control counted it when it came, and one it
dropped keeps nothing to take; the one that got the notice is answered instead). One chat's
updates stay in order among themselves, but an update taken over runs after the later ones of
its chat that live processes handled meanwhile. Only while PTB reads this process's update
queue (app.running): once app.stop() has begun (before the recovery stops) an update put there
would never be handled; what was taken as it began to stop stays queued under this process's
id, for another once this one has left."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING

from telegram import Update

from bot.ordering import remember
from bot.storage import recovered
from bot.storage.db import DatabaseError
from bot.storage.turns import Admission
from bot.tasks import cancel_and_wait

if TYPE_CHECKING:
    from bot.context import SuaraApplication

log = logging.getLogger(__name__)

EVERY = 2.0     # seconds between looks: an update is handled at most about 10 s late


class Recovery:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self.taken = 0        # updates taken over since start

    def start(self, app: SuaraApplication) -> None:
        self._task = asyncio.create_task(self._run(app), name="update-recovery")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _run(self, app: SuaraApplication) -> None:
        while True:
            await asyncio.sleep(EVERY)
            try:
                await self.take_over(app)
            except DatabaseError as exc:     # the database away: look again later
                log.warning("update recovery: %s", type(exc).__name__)

    async def take_over(self, app: SuaraApplication) -> int:
        """Handle the updates that lost their process; how many were taken."""
        me = getattr(app.services.sends, "id", None)
        if me is None or not app.running:     # not yet, or no longer, reading its queue
            return 0
        rows = await recovered.take_lost(app.services.db, me)
        if rows and not app.running:     # stopped meanwhile: nobody would read them here
            log.warning("update recovery: %d updates taken as this process stopped are left "
                        "for another", len(rows))
            return 0
        for update_id, payload in rows:
            try:
                update = Update.de_json(json.loads(payload), app.bot)
            except Exception:    # cannot be: it was read once already
                log.warning("update recovery: update %d could not be read", update_id)
                continue
            if update is None:
                continue
            remember(app.services, Admission(update_id, new=True, turn=False, flood="pass"))
            await app.update_queue.put(update)
        if rows:
            self.taken += len(rows)
            log.warning("handling %d updates whose process died or hangs before handling them",
                        len(rows))
        return len(rows)
