"""What this process keeps in memory of rows another process may change, and how it stays
true: a user's language, village and campaign (storage/users.py's recent users), officials'
roles (officials/roles.py) and officials' drafts and progress messages (officials/drafts.py).

PostgreSQL (several processes): the storage functions that change those rows notify every
process (storage/changes.py, LISTEN/NOTIFY); this process's feed forgets the user, reloads the
roles, rereads the official's session, and wakes the progress keeper and the delivery engine
(if it leads: a broadcast was made runnable). Within
milliseconds of the commit, never more than the listening connection's recovery (about
CHECK_SECONDS), after which everything is read again. SQLite (one process): nothing to hear;
the drafts are read once at start (a restart keeps them)."""

from __future__ import annotations

from telegram.ext import Application

from bot.context import SuaraApplication
from bot.officials.drafts import Drafts
from bot.officials.progress import keeper_of
from bot.storage.changes import ChangeFeed, shared
from bot.storage.content_state import LISTENER, POLLING_LISTENER
from bot.storage.users import forget_user

# The leader's engine looks for new work this often when idle on PostgreSQL: a broadcast
# written runnable by any process (created, resumed, approved) wakes it through the feed
# (storage/broadcasts.py, officials.py), one due later wakes it at its time, and the feed
# reconnecting wakes it (a notification may have been missed); this look is a safety net.
ENGINE_IDLE_POLL = 5.0


async def start(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    services = app.services
    db = services.db
    drafts = app.bot_data.get("drafts")
    assert isinstance(drafts, Drafts)
    await drafts.load(db)
    if not shared(db):
        return
    # its connection's name tells other processes starting whether this one polls
    feed = services.changes = ChangeFeed(
        services.settings.database, POLLING_LISTENER if services.polling else LISTENER)

    def user_changed(key: str | None) -> None:
        forget_user(db, int(key) if key else None)

    async def roles_changed(_key: str | None) -> None:
        await services.roles.load(db)

    async def session_changed(key: str | None) -> None:
        if key:
            await drafts.refresh(db, int(key))
        else:
            await drafts.load(db)
        keeper_of(app).poke()

    def broadcast_changed(_key: str | None) -> None:
        if services.engine is not None:     # runs only where this process leads
            services.engine.poke()

    feed.on("users", user_changed)
    feed.on("broadcasts", broadcast_changed)
    feed.on("officials", roles_changed)
    feed.on("official_sessions", session_changed)
    await feed.start()
    if services.engine is not None:    # woken by the feed: its own look is a safety net
        services.engine.idle_poll = ENGINE_IDLE_POLL


async def stop(app: Application) -> None:
    assert isinstance(app, SuaraApplication)
    if app.services.changes is not None:
        await app.services.changes.stop()
        app.services.changes = None
