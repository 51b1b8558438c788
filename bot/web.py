"""The bot's HTTP side (aiohttp): /livez (= /healthz), /readyz and /metrics always; in webhook
mode also the webhook path, where Telegram POSTs updates with its secret-token header.

Liveness (/livez, /healthz) is what an orchestrator restarts on: it answers 200 whenever the
process and its event loop answer, so neither a citizen's input nor a Telegram outage can get
the bot restarted. Readiness (/readyz) is what to alert on or route by: the database writable,
the delivery engine and the scheduler running, and with several processes the content the
deployment's (else the webhook answers 503 too: bot/reload.py). Handler errors are counted in
/metrics only.

Polling: served on HEALTH_PORT at WEBHOOK_LISTEN's address. Webhook: everything on
WEBHOOK_PORT; a reverse proxy should forward only the webhook path to the public."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from datetime import UTC, datetime

from aiohttp import web
from telegram import Update

from bot.context import SuaraApplication
from bot.ordering import admit_update, remember
from bot.storage.health import database_state

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20


class WebServer:
    def __init__(self, app: SuaraApplication, host: str, port: int,
                 webhook_path: str | None = None, secret: str | None = None) -> None:
        self.app, self.host, self.port = app, host, port
        self.webhook_path, self.secret = webhook_path, secret
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    async def start(self) -> None:
        http = web.Application(client_max_size=MAX_UPDATE_BYTES)
        http.router.add_get("/livez", self.livez)
        http.router.add_get("/healthz", self.livez)
        http.router.add_get("/readyz", self.readyz)
        http.router.add_get("/metrics", self.metrics)
        if self.webhook_path is not None:
            http.router.add_post(self.webhook_path, self.webhook)
        runner = web.AppRunner(http, access_log=None)   # access logs would carry the path only,
        await runner.setup()                             # but say nothing useful
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        log.info("http: /livez, /healthz, /readyz and /metrics on %s:%d%s", self.host, self.bound_port,
                 " and the webhook" if self.webhook_path else "")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def livez(self, request: web.Request) -> web.Response:
        """The process and its event loop answer (this coroutine ran): alive; and its role
        among the bot's processes (leader or follower) with the leadership epoch (PostgreSQL;
        null on SQLite, where the one process leads)."""
        lead = self.app.services.leadership
        return web.json_response({"status": "ok",
                                  "role": lead.role if lead else "leader",
                                  "epoch": lead.epoch if lead else None})

    async def readyz(self, request: web.Request) -> web.Response:
        services = self.app.services
        database = await database_state(services._db)
        # A follower runs neither (the leader does): ready all the same.
        follower = services.leadership is not None and not services.leadership.leading
        parts = {
            "database": database,
            "engine": "standby" if follower else _state(services.engine),
            "scheduler": "standby" if follower else _state(services.scheduler),
            "model": "ready" if services.answers.semantic else (
                "loading" if not services.semantic_ready.is_set() else "off"),
        }
        sync = services.content_sync     # several processes: the deployment's content?
        if sync is not None:
            parts["content"] = sync.state
        last = services.metrics.last_update
        ready = (database == "ok" and parts["engine"] != "stopped"
                 and parts["scheduler"] != "stopped" and parts.get("content") != "stale")
        body: dict[str, object] = {
            "status": "ok" if ready else "unready", **parts,
            "last_update": datetime.fromtimestamp(last, UTC).isoformat(timespec="seconds")
            if last else None}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.app.services.metrics.render(),
                            headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # bytes as sent: a header that is not UTF-8 is a wrong secret, not a server error
        if not self.secret or not hmac.compare_digest(given.encode(errors="surrogateescape"),
                                                      self.secret.encode()):
            return web.Response(status=403, text="forbidden")
        body = await request.read()     # over MAX_UPDATE_BYTES: aiohttp answers 413
        try:
            data = json.loads(body)
            update = Update.de_json(data, self.app.bot)
        except Exception:   # not JSON, or not an update: nothing to process
            return web.Response(status=400, text="bad update")
        if update is None:
            return web.Response(status=400, text="bad update")
        sync = self.app.services.content_sync
        if sync is not None and not sync.serving:   # other content than the deployment's
            return web.Response(status=503, text="content version stale")   # sent again
        # PostgreSQL: recorded under its chat before Telegram hears 200 and sends the chat's
        # next update, perhaps to another process (bot/ordering.py); a duplicate stops here.
        admission = await admit_update(self.app.services, self.app.bot_data.get("flood"), update, body)
        if admission is not None:
            if not admission.new:
                self.app.services.metrics.duplicates.inc()
                return web.Response(status=200)
            remember(self.app.services, admission)
        await self.app.update_queue.put(update)
        return web.Response(status=200)


def _state(component: object | None) -> str:
    if component is None:
        return "off"
    return "running" if getattr(component, "running", False) else "stopped"


async def run_webhook(app: SuaraApplication, url: str, secret: str,
                      allowed_updates: list[str]) -> None:
    """Webhook mode: start the application, register the webhook (with the secret Telegram
    sends back in SECRET_HEADER, and only the update kinds the bot handles) when this process
    leads (once per leadership: any process serves the webhook, one registers it), serve until
    SIGTERM or SIGINT, then stop taking updates and shut down cleanly."""
    import signal

    from bot.app import close_offline, open_offline  # the composition root's lifecycle

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def register() -> None:
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates,
                                  drop_pending_updates=False)
        log.info("webhook registered")

    assert app.services.leadership is not None
    app.services.leadership.on_elected.append(register)
    try:
        await open_offline(app)           # opens the database, the HTTP side; leads or not
        await app.start()
        log.info("serving")
        await stop.wait()
        log.info("stopping: no new updates are taken")
        if app.services.http is not None:
            await app.services.http.stop()   # nothing new arrives; what is queued is handled
        await app.stop()
    finally:
        await close_offline(app)
