"""The composition root: build_application(settings) wires everything; nothing else does."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
from typing import Literal
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot import sharing
from bot.broadcasts.compose import Composer
from bot.broadcasts.engine import PAID_LIMIT, TELEGRAM_LIMIT, DeliveryEngine, concurrency_for
from bot.broadcasts.limiter import RecentSends
from bot.broadcasts.pacing import SharedSends
from bot.broadcasts.sender import HttpSender, Sender
from bot.clock import Clock, SystemClock
from bot.content.registry import Content, load_content
from bot.context import SuaraApplication, SuaraContext
from bot.faq.cascade import AnswerCascade
from bot.faq.matcher import Matcher
from bot.faq.startup import start_semantic
from bot.handlers import register_all
from bot.insights import charts
from bot.leadership import Leadership
from bot.leanbot import SuaraBot
from bot.officials.held import held_notifier
from bot.officials.menus import register_official_menus
from bot.officials.roles import Roles
from bot.ordering import PerChatUpdateProcessor
from bot.recovery import Recovery
from bot.regions.directory import TpsDirectory
from bot.regions.loader import load_regions
from bot.reload import reload_on_sighup, start_content_sync, stop_content_sync
from bot.retention import run_retention
from bot.services import Services
from bot.settings import Settings
from bot.storage import open_database
from bot.storage.backup import RunLock
from bot.tasks import cancel_and_wait
from bot.transport import AiohttpRequest
from bot.web import WebServer
from scheduler.runner import ScheduleRunner

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64


async def _post_init(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    services = app.services
    services.run_lock = RunLock(services.settings.database_path)
    if not services.run_lock.acquire():
        # On PostgreSQL the lock only marks this host's process for `content reload`.
        log.log(logging.INFO if services.settings.on_postgres else logging.WARNING,
                "another bot process holds %s.lock: two bots on one database will compete",
                services.settings.database_path)
        services.run_lock = None
    services._db = await open_database(services.settings.database)
    await services.roles.load(services._db)
    await sharing.start(app)     # drafts read; on PostgreSQL, other processes' changes heard
    await start_content_sync(app)       # PostgreSQL: every process serves one content version
    services.stats.start(services._db)
    if isinstance(services.sends, SharedSends):    # several processes share the bot's limit
        services.sends.start(services._db)
        services.recovery = Recovery()   # and take over each other's unhandled updates
        services.recovery.start(app)
    services.recent_answers.start(services._db)
    # The answer model trains in the background (a first start trains the first stage in
    # seconds and embeds the content and training texts for the second, about a minute here;
    # later starts read both from CACHE_DIR): the keywords answer until the first stage is
    # ready, and `services.semantic_ready` is set when the second is.
    services.semantic_task = asyncio.create_task(start_semantic(services), name="semantic")
    await register_commands(app, services.content)
    await register_official_menus(app)
    if services.roles.officials():      # someone may ask for a chart: import its library now
        services.background.add(asyncio.create_task(asyncio.to_thread(charts.preload)))
    if services.http is not None:       # `python -m bot run`: the HTTP side
        await services.http.start()
    if services.reload_on_signal:       # `python -m bot run`: SIGHUP reloads the content
        reload_on_sighup(app)
    # The delivery engine, the scheduler and retention run where this process leads: here,
    # now, on SQLite; on PostgreSQL in the one process holding the leader lock.
    assert services.leadership is not None
    await services.leadership.start()
    # Content, matcher indexes and the region tree live as long as the process: keep them out
    # of the garbage collector's full passes, which otherwise pause the loop for tens of ms.
    gc.collect()
    gc.freeze()
    log.info("ready: %d FAQ entries, %d topics", len(services.content.entries),
             len(services.content.topics))


async def _post_shutdown(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    if app.services.http is not None:
        await app.services.http.stop()
    app.services.answers_stop.set()     # training stops at its next step
    task = app.services.semantic_task
    if task is not None and not task.done():
        await cancel_and_wait(task)   # training stops at its next step (answers_stop)
    if app.services.answers.pool is not None:
        app.services.answers.pool.shutdown(wait=False, cancel_futures=True)
        # How the free-text questions were answered (the load benchmark reads this line).
        log.info("answers since start: %s", " ".join(
            f"{k}={v}" for k, v in app.services.answers.stats.items()))
    for task in list(app.services.background):
        task.cancel()
    await app.services.stats.stop()
    await sharing.stop(app)
    if app.services.leadership is not None:
        await app.services.leadership.stop()
    await app.services.recent_answers.stop()
    if app.services.recovery is not None:
        await app.services.recovery.stop()
    if isinstance(app.services.sends, SharedSends):
        await app.services.sends.stop()
    await stop_content_sync(app)
    if app.services._db is not None:
        await app.services._db.close()
        app.services._db = None
    if app.services.run_lock is not None:
        app.services.run_lock.release()
        app.services.run_lock = None
    # PTB shuts the bot down only if the application initialized: when getMe failed at start
    # (the Bot API unreachable), the bot's HTTP sessions were left open ("Unclosed client
    # session" at exit). Bot.shutdown closes them, and does nothing if they are closed.
    await app.bot.shutdown()


async def register_commands(app: Application, content: Content) -> None:
    """The command menu in both languages, from content; Indonesian is the default."""
    for lang in ("id", "en"):
        commands = [BotCommand(c.command, c.description) for c in getattr(content.commands, lang)]
        await app.bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)
    default = [BotCommand(c.command, c.description) for c in content.commands.id]
    await app.bot.set_my_commands(default, scope=BotCommandScopeDefault())


def build_application(settings: Settings, *, token: str | None = None,
                      request: BaseRequest | None = None,
                      get_updates_request: BaseRequest | None = None,
                      clock: Clock | None = None,
                      content: Content | None = None,
                      broadcast_sender: Sender | None = None,
                      serve: Literal["polling", "webhook"] | None = None) -> SuaraApplication:
    """Wire settings, content, matcher, storage and handlers into one PTB Application.

    `serve` (python -m bot run only): the HTTP side, health and /metrics on HEALTH_PORT when
    polling (0: none), or with the webhook on WEBHOOK_PORT.
    `request`/`get_updates_request` replace the HTTP transport (the shell and tests pass an
    in-process Bot API); `token` overrides settings for the offline shell. The delivery engine
    and scheduler run with `broadcast_sender`, or with the Bot API over HTTP when the transport
    is real; offline without a sender (shell, most tests) they do not run.
    """
    content = content or load_content(settings.content_dir)
    regions = load_regions(content)
    clock = clock or SystemClock()
    # Answers read the election's phase on the bot's clock; a copy, so that content shared by
    # several applications (tests) keeps each one's clock.
    content = dataclasses.replace(content, clock=clock)
    matcher = Matcher(content)
    services = Services(settings=settings, content=content, matcher=matcher, clock=clock,
                        regions=regions, answers=AnswerCascade(matcher),
                        roles=Roles(settings.admin_ids))
    sender = broadcast_sender
    if sender is None and request is None:
        sender = HttpSender(settings.telegram_api_url, token or settings.token,
                            connections=concurrency_for(settings.broadcast_rate))
    # Replies count toward the bot's limit, which broadcasts share; on PostgreSQL with the
    # other processes' replies (broadcasts/pacing.py).
    limit = PAID_LIMIT if settings.paid_broadcast else TELEGRAM_LIMIT
    replies = SharedSends(limit) if settings.on_postgres else RecentSends()
    services.sends = replies
    if sender is not None:
        composer = Composer(content, regions, TpsDirectory(), settings.paid_broadcast)
        engine = DeliveryEngine(settings, composer, clock, sender, content.election.timezone,
                                replies=replies)
        services.engine = engine
        services.scheduler = ScheduleRunner(settings, content, clock, on_enqueue=engine.poke)
    processor = PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES, services)
    defaults = Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz,
                        link_preview_options=LinkPreviewOptions(is_disabled=True))
    root = settings.telegram_api_url
    # The bot object: PTB's ExtBot with lean replies (leanbot.py). getUpdates gets its own
    # session: a long poll must never wait behind replies.
    bot = SuaraBot(token or settings.token, base_url=f"{root}/bot",
                   base_file_url=f"{root}/file/bot", defaults=defaults,
                   request=request or AiohttpRequest(connection_pool_size=32, sends=replies),
                   get_updates_request=get_updates_request or AiohttpRequest(
                       connection_pool_size=1, read_timeout=5.0, retries=False))
    builder = (
        ApplicationBuilder()
        .application_class(SuaraApplication)
        .bot(bot)
        .context_types(ContextTypes(context=SuaraContext))
        .concurrent_updates(processor)
        .job_queue(None)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app = builder.build()
    assert isinstance(app, SuaraApplication)
    app.services = services
    services.metrics.bind(services, app.update_queue.qsize)
    services.reload_on_signal = serve is not None
    services.polling = serve == "polling"
    if serve == "webhook":
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        services.http = WebServer(app, settings.webhook_listen, settings.webhook_port,
                                  webhook_path(settings), secret)
    elif serve == "polling" and settings.health_port:
        services.http = WebServer(app, settings.webhook_listen, settings.health_port)
    services.leadership = Leadership(settings.database, clock, services.engine,
                                     services.scheduler, lambda: run_retention(services))
    register_all(app)
    processor.gate = app.bot_data["flood"]     # counted as each update is admitted
    if services.engine is not None:     # a broadcast the two-person rule holds: ask officials
        services.engine.on_hold = held_notifier(app)
    return app


def webhook_path(settings: Settings) -> str:
    """The path Telegram POSTs to: WEBHOOK_URL's own path (/ when it has none)."""
    return urlsplit(settings.webhook_url or "").path or "/"


async def open_offline(app: Application) -> None:
    """Initialise without polling (shell, tests, webhook mode): what run_polling does before
    its loop."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)


async def close_offline(app: Application) -> None:
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
