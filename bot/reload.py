"""Content reload without a restart (SIGHUP, sent by `python -m bot content reload`): the new
content is loaded and validated whole first; if anything is wrong the bot keeps the content
it has and logs the problems. Otherwise every holder of content switches at once: answers,
places, the broadcast composer, the calendar and the command menu. The answer model for the
new content trains in the background; the old one answers until the new one's first stage is
ready (an answer naming an entry the new content lacks is treated as unknown)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from bot.broadcasts.compose import Composer
from bot.content.registry import ContentError, load_content
from bot.context import SuaraApplication
from bot.faq.matcher import Matcher
from bot.regions.loader import load_regions

log = logging.getLogger(__name__)


async def reload_content(app: SuaraApplication) -> bool:
    from bot.app import register_commands  # the composition root's helper
    from bot.faq.startup import start_semantic

    services = app.services
    try:
        content = await asyncio.to_thread(load_content, services.settings.content_dir)
        content.clock = services.clock
        regions = load_regions(content)
        matcher = await asyncio.to_thread(Matcher, content)
    except ContentError as exc:
        log.error("content reload refused, the content in use stays:\n%s", exc)
        return False
    services.answers_stop.set()           # a model still training for the old content stops
    if services.semantic_task is not None and not services.semantic_task.done():
        services.semantic_task.cancel()
    services.content, services.regions, services.matcher = content, regions, matcher
    services.semantic_ready = asyncio.Event()
    services.answers_stop = threading.Event()
    services.semantic_task = asyncio.create_task(start_semantic(services), name="semantic")
    engine = services.engine
    if engine is not None:
        engine.composer = Composer(content, regions, engine.composer.tps,
                                   services.settings.paid_broadcast)
    if services.scheduler is not None:
        await services.scheduler.reload(content)
    await register_commands(app, content)
    log.info("content reloaded: %d FAQ entries, %d topics", len(content.entries),
             len(content.topics))
    return True


def reload_on_sighup(app: SuaraApplication) -> None:
    """SIGHUP reloads the content (one reload at a time; a second waits its turn)."""
    lock = asyncio.Lock()

    async def reload() -> None:
        async with lock:
            await reload_content(app)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, lambda: app.create_task(reload(), name="reload"))
