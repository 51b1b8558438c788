from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import MigrationError, open_database
from bot.storage.db import _migrations
from bot.storage.users import delete_user, get_user, set_campaign_if_unset, set_language, touch_user

NOW = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)


async def test_migrations_apply_once_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "d" / "x.sqlite3"
    db = await open_database(path)
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with db.conn.execute("PRAGMA user_version") as cur:
        assert (await cur.fetchone())[0] == len(_migrations())
    await db.close()
    db = await open_database(path)  # re-opening applies nothing again
    await db.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    async with aiosqlite.connect(path) as conn:
        await conn.execute("PRAGMA user_version = 999")
        await conn.commit()
    with pytest.raises(MigrationError, match="newer than this code"):
        await open_database(path)


async def test_user_lifecycle(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "x.sqlite3")
    user = await touch_user(db, 42, "en", NOW)
    assert (user.language, user.language_set, user.campaign) == ("en", False, None)
    # Telegram's language is followed until the user chooses one.
    assert (await touch_user(db, 42, "id", NOW)).language == "id"
    await set_language(db, 42, "en")
    assert (await touch_user(db, 42, "id", NOW)).language == "en"
    later = NOW + timedelta(hours=1)
    touched = await touch_user(db, 42, "id", later)
    assert touched.last_seen == later.isoformat(timespec="seconds")
    assert touched.first_seen == NOW.isoformat(timespec="seconds")
    assert await set_campaign_if_unset(db, 42, "a")
    assert not await set_campaign_if_unset(db, 42, "b")
    assert (await get_user(db, 42)).campaign == "a"  # type: ignore[union-attr]
    assert await delete_user(db, 42)
    assert await get_user(db, 42) is None
    assert not await delete_user(db, 42)
    await db.close()
