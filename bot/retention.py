"""Runs the retention purge at start-up and then every RETENTION_EVERY, off the handlers' path;
a failure is logged and retried next time (a locked or full database must not stop the bot)."""

from __future__ import annotations

import asyncio
import logging

from bot.services import Services
from bot.storage.retention import purge

log = logging.getLogger(__name__)

RETENTION_EVERY = 6 * 3600.0


async def run_retention(services: Services, every: float = RETENTION_EVERY) -> None:
    settings = services.settings
    while True:
        try:
            purged = await purge(services.db, services.clock.now(),
                                 settings.question_retention_days, settings.outcome_retention_days)
            if any(purged.values()):
                log.info("retention: purged %d unanswered questions, %d delivery records,"
                         " %d handled update ids, %d answers' questions and %d daily counts",
                         purged["questions"], purged["outcomes"], purged["updates"],
                         purged["answers"], purged["daily_counts"])
        except Exception as exc:  # e.g. the database locked or the disk full: try again later
            log.warning("retention purge failed (%s: %s); retrying later", type(exc).__name__, exc)
        await asyncio.sleep(every)
