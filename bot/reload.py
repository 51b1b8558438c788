"""Content reload without a restart (SIGHUP, sent by `python -m bot content reload`): the new
content is loaded and validated whole first; if anything is wrong the bot keeps the content
it has and logs the problems. Otherwise every holder of content switches at once: answers,
places, the broadcast composer, the calendar and the command menu. The answer model for the
new content trains in the background; the old one answers until the new one's first stage is
ready (an answer naming an entry the new content lacks is treated as unknown).

Several processes (PostgreSQL): the deployment serves one content version, the fingerprint of
the content files (storage/content_state.py). `content reload` sets it and notifies every
process; a process that reloads on SIGHUP sets it to what it loaded (the latest wins), and so
does one that starts, unless a running process has the deployment's files: a stray process
started with other files (a host not yet updated) would otherwise take every other out of
service; it is the one that stops serving. Each process hears it on its one listening
connection (storage/changes.py), which also wakes it when that connection was lost and is back
(a notification may have been missed); it then reads the row through the pool: nothing while
nothing changes. When the deployment's version is not the one it serves, it reloads its
CONTENT_DIR if the files there are that version (and, while they are not, looks again every
POLL seconds). A process whose content has differed from the deployment's for RELOAD_BOUND
seconds (its reload failed, or its files are another version) stops serving until they agree:
/readyz says `content: stale` (503) and the webhook answers 503, so Telegram delivers the
update again, through the load balancer to a process that serves the deployment's content."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

from bot.broadcasts.compose import Composer
from bot.content.registry import Content, ContentError, load_content
from bot.content.version import content_version
from bot.context import SuaraApplication
from bot.faq.matcher import Matcher
from bot.regions.loader import load_regions
from bot.storage.content_state import (
    PROBE,
    PROBE_SECONDS,
    Wanted,
    announce,
    answer_probe,
    probe_files,
    read_wanted,
)
from bot.storage.db import DatabaseError
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

RELOAD_BOUND = 30.0   # seconds a process serves content other than the deployment's, at most
POLL = 5.0            # seconds between two reads of the deployment's version, while it differs


def _load(root: Path) -> tuple[str, Content]:
    version = content_version(root)    # of the files as loaded (before: a later edit shows)
    return version, load_content(root)


async def reload_content(app: SuaraApplication, announce: bool = True) -> bool:
    """Load CONTENT_DIR and switch to it; with several processes, also make it the
    deployment's content (`announce`; not when following the deployment's)."""
    from bot.app import register_commands  # the composition root's helper
    from bot.faq.startup import start_semantic

    services = app.services
    try:
        version, content = await asyncio.to_thread(_load, services.settings.content_dir)
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
    log.info("content reloaded: %d FAQ entries, %d topics (version %s)", len(content.entries),
             len(content.topics), version)
    if services.content_sync is not None:
        await services.content_sync.loaded_now(version, announce)
    return True


def reload_on_sighup(app: SuaraApplication) -> None:
    """SIGHUP reloads the content (one reload at a time; a second waits its turn)."""
    sync = app.services.content_sync
    lock = sync.lock if sync is not None else asyncio.Lock()

    async def reload() -> None:
        async with lock:
            await reload_content(app)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, lambda: app.create_task(reload(), name="reload"))


class ContentSync:
    """One content version across the processes (PostgreSQL): see the module's text."""

    def __init__(self, app: SuaraApplication) -> None:
        self.app = app
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.loaded = ""                  # the version this process serves
        self.wanted: Wanted | None = None  # the deployment's, as last read
        self.differs_since: float | None = None
        self.lock = asyncio.Lock()        # one reload at a time, SIGHUP's too
        self._tried: tuple[str, str] | None = None   # (wanted, files) already tried
        self._unserved: tuple[str, float] | None = None  # (wanted, since) no process has it
        self._wake = asyncio.Event()
        self._heard = False               # the change feed wakes this process (PostgreSQL)
        self._task: asyncio.Task[None] | None = None

    @property
    def serving(self) -> bool:
        """False once this process's content has differed from the deployment's too long."""
        since = self.differs_since
        return since is None or time.monotonic() - since < RELOAD_BOUND

    @property
    def state(self) -> str:
        """current, reloading (differs, within the bound) or stale (for /readyz)."""
        if self.differs_since is None:
            return "current"
        return "reloading" if self.serving else "stale"

    async def start(self, version: str) -> None:
        self.loaded = version
        feed = self.app.services.changes
        if feed is not None:      # a notification, or the feed's connection lost or back
            feed.on("content", lambda _key: self._wake.set())
            feed.on(PROBE, self._answer_probe)
        self._heard = feed is not None
        wanted = await read_wanted(self.app.services.db)
        if wanted is not None and wanted.version != version and await self._others_have(
                wanted.version):
            log.error("content: CONTENT_DIR here is version %s; the deployment serves %s, and"
                      " running processes have its files: this process follows it (stops"
                      " serving %.0f s from now unless its files become that version); to"
                      " switch every process, `python -m bot content reload`", version,
                      wanted.version, RELOAD_BOUND)
        else:
            await self._announce()
        self._task = asyncio.create_task(self._watch(), name="content-sync")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _others_have(self, version: str) -> bool:
        try:
            _, answers = await probe_files(self.app.services.settings.database, PROBE_SECONDS)
        except DatabaseError:
            return False
        return any(files == version for _process, files in answers)

    async def _orphaned(self, wanted: str) -> bool:
        """No running process has the files of `wanted`, seen on two looks POLL apart (a
        process whose listening connection is reconnecting does not answer the first)."""
        if await self._others_have(wanted):
            self._unserved = None
            return False
        now = time.monotonic()
        if self._unserved is None or self._unserved[0] != wanted:
            self._unserved = (wanted, now)
        return now - self._unserved[1] >= POLL

    async def _answer_probe(self, token: str | None) -> None:
        """`content reload` asks, before it changes anything, which version our files are."""
        if token:
            files = await asyncio.to_thread(content_version,
                                            self.app.services.settings.content_dir)
            await answer_probe(self.app.services.db, token, files, self.name)

    async def loaded_now(self, version: str, announce: bool) -> None:
        """After a reload: this process serves `version` (the deployment's too if `announce`)."""
        self.loaded = version
        if announce:
            try:
                await self._announce()
            except DatabaseError as exc:   # the others follow once the row can be set
                log.warning("content sync: version not announced (%s)", type(exc).__name__)
        self._agrees()

    async def _announce(self) -> None:
        wanted = await announce(self.app.services.db, self.loaded, self.name,
                                self.app.services.clock.now())
        if wanted is not None:
            self.wanted = wanted
            log.info("content version %s is now the deployment's (generation %d)",
                     wanted.version, wanted.generation)

    async def _watch(self) -> None:
        while True:
            # Agreeing, a process reads the row again only when the feed wakes it; else (its
            # files another version, a failed read) every POLL seconds too.
            wait: float | None = POLL
            try:
                self._wake.clear()
                self.wanted = await read_wanted(self.app.services.db)
                await self._follow()
                if self._heard and self._agrees():
                    wait = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # the database unreachable: read again (the bound runs)
                log.warning("content sync: %s: %s", type(exc).__name__, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _agrees(self) -> bool:
        """Whether this process serves the deployment's version (and when it stopped to)."""
        wanted = self.wanted
        if wanted is None or wanted.version == self.loaded:
            if self.differs_since is not None:
                log.info("content: serving the deployment's version %s", self.loaded)
            self.differs_since, self._tried = None, None
            return True
        if self.differs_since is None:
            self.differs_since = time.monotonic()
            log.info("content: the deployment serves version %s (set by %s at %s); this process"
                     " serves %s: reloading", wanted.version, wanted.set_by, wanted.set_at,
                     self.loaded)
        return False

    async def _follow(self) -> None:
        if self._agrees():
            return
        assert self.wanted is not None
        wanted = self.wanted.version
        files = await asyncio.to_thread(content_version, self.app.services.settings.content_dir)
        if files != wanted and await self._orphaned(wanted):
            # Nobody runs the deployment's files (their processes stopped, or `content reload`
            # set files no process has): ours become the deployment's rather than none serving.
            log.warning("content: no running process has version %s; this process's %s becomes"
                        " the deployment's", wanted, files)
            async with self.lock:
                if files == self.loaded:
                    await self._announce()
                else:
                    await reload_content(self.app, announce=True)
            self._agrees()
            return
        if self._tried == (wanted, files):
            return                        # tried already: waits for other files or version
        self._tried = (wanted, files)
        if files != wanted:
            log.error("content: CONTENT_DIR here is version %s, the deployment serves %s: "
                      "this process stops serving %.0f s after the change, until they agree",
                      files, wanted, RELOAD_BOUND)
            return
        async with self.lock:
            await reload_content(self.app, announce=False)


async def start_content_sync(app: SuaraApplication) -> None:
    """PostgreSQL: follow the deployment's content version (and make this one's the
    deployment's). SQLite: nothing (one process)."""
    settings = app.services.settings
    if not settings.on_postgres:
        return
    sync = ContentSync(app)
    version = await asyncio.to_thread(content_version, settings.content_dir)
    await sync.start(version)
    app.services.content_sync = sync


async def stop_content_sync(app: SuaraApplication) -> None:
    sync, app.services.content_sync = app.services.content_sync, None
    if sync is not None:
        await sync.stop()
