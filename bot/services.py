"""The one typed object handlers get their collaborators from."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.broadcasts.engine import DeliveryEngine
from bot.broadcasts.limiter import RecentSends
from bot.clock import Clock
from bot.content.registry import Content
from bot.faq.cascade import AnswerCascade
from bot.faq.feedback import RecentAnswers
from bot.faq.matcher import Matcher
from bot.insights.recorder import StatsRecorder
from bot.metrics import Metrics
from bot.officials.roles import Roles
from bot.regions.directory import TpsDirectory
from bot.regions.tree import RegionTree
from bot.settings import Settings
from bot.storage import Database
from bot.storage.backup import RunLock

if TYPE_CHECKING:   # the HTTP side is Telegram's; services only keep a handle to stop it
    from bot.leadership import Leadership
    from bot.recovery import Recovery
    from bot.reload import ContentSync
    from bot.storage.changes import ChangeFeed
    from bot.web import WebServer


class Scheduled(Protocol):
    """The scheduler's lifecycle (scheduler/ is reached only through the composition root)."""

    async def start(self, epoch: int | None = None) -> object: ...
    async def stop(self) -> None: ...
    async def reload(self, content: Content) -> None: ...
    @property
    def running(self) -> bool: ...


@dataclass
class Services:
    settings: Settings
    content: Content
    matcher: Matcher
    clock: Clock
    regions: RegionTree
    answers: AnswerCascade      # the keywords, then the answer model once post_init trains it
    tps: TpsDirectory = field(default_factory=TpsDirectory)
    recent_answers: RecentAnswers = field(default_factory=RecentAnswers)
    sends: RecentSends = field(default_factory=RecentSends)   # replies, toward the limit
    semantic_task: asyncio.Task[None] | None = None   # loads the model (post_init)
    semantic_ready: asyncio.Event = field(default_factory=asyncio.Event)
    # the answer model's first stage answers (or it will not: training failed or stopped)
    model_ready: asyncio.Event = field(default_factory=asyncio.Event)
    answers_stop: threading.Event = field(default_factory=threading.Event)   # stops training
    run_lock: RunLock | None = None    # held while running: `restore` refuses meanwhile
    metrics: Metrics = field(default_factory=Metrics)
    roles: Roles = field(default_factory=lambda: Roles(()))   # ADMIN_IDS set by the root
    stats: StatsRecorder = field(default_factory=StatsRecorder)  # daily counters
    background: set[asyncio.Task[None]] = field(default_factory=set)  # e.g. progress messages
    http: WebServer | None = None       # health, /metrics (and the webhook), `run` only
    reload_on_signal: bool = False      # `run` only: SIGHUP reloads the content
    polling: bool = False               # `run` without --webhook: takes updates by getUpdates
    engine: DeliveryEngine | None = None       # started in post_init when broadcasts run here
    scheduler: Scheduled | None = None
    # Runs engine, scheduler and retention where this process leads (started in post_init).
    leadership: Leadership | None = None
    # Hears what other processes change (PostgreSQL; started in post_init: bot/sharing.py).
    changes: ChangeFeed | None = None
    content_sync: ContentSync | None = None    # PostgreSQL: one content version for all
    # PostgreSQL: handles the updates a process that died admitted and never handled.
    recovery: Recovery | None = None
    _db: Database | None = None  # opened in post_init, closed in post_shutdown

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("database is not open (post_init has not run)")
        return self._db
