"""A subscriber whose Telegram account was deleted can never send /hapusdata: when a broadcast
hears so from Telegram (403 "user is deactivated"), the bot erases what it holds on them, as
/hapusdata would. One who only blocked the bot may unblock it and come back: kept, inactive.
Through the real Application and its delivery engine, on both backends."""

from __future__ import annotations

from pathlib import Path

from bot.broadcasts.sender import SendResult
from bot.content.registry import Content
from bot.storage.broadcasts import create_broadcast
from bot.storage.subscriptions import get_subscription
from bot.storage.users import export_user
from tests.broadcasts.conftest import ScriptedSender, in_state
from tests.conftest import database_env
from tests.fakes.harness import offline_bot

DELETED, BLOCKED, FINE = 7601, 7602, 7603


async def test_a_deleted_account_is_erased_a_blocked_one_kept(
        tmp_path: Path, content: Content, database: str) -> None:
    sender = ScriptedSender()
    sender.script[DELETED].append(SendResult(False, 403, blocked=True,
                                             detail="Forbidden: user is deactivated"))
    sender.script[BLOCKED].append(SendResult(False, 403, blocked=True,
                                             detail="Forbidden: bot was blocked by the user"))
    async with offline_bot(tmp_path, content, sender=sender, QUIET_HOURS="",
                           **database_env(database)) as h:
        await h.text("/start kampus", user=h.user(DELETED))
        for citizen in (DELETED, BLOCKED, FINE):
            await h.text("/langganan", user=h.user(citizen))
        db, now = h.app.services.db, h.app.services.clock.now()
        bid = await create_broadcast(db, created_by="cli", topic="announcements", text="Rapat",
                                     not_before=now, now=now)
        assert h.app.services.engine is not None
        h.app.services.engine.poke()
        await in_state(db, bid, "done")
        assert sender.delivered[FINE] == 1
        assert await export_user(db, DELETED) == {}
        kept = await get_subscription(db, BLOCKED)
        assert kept is not None and not kept.active
        assert "users" in await export_user(db, BLOCKED)
