"""A scheduled countdown, end to end: `python -m bot run` against the fake Bot API server."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.broadcasts.conftest import eventually
from tests.conftest import FIXTURE_CONTENT, database_env
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.subscribers import query

TOKEN = "818181:E2E-schedule-token-for-the-tests"


def content_with_countdown_in(seconds: int, folder: Path) -> Path:
    """The fixture content, with voting day tomorrow and one countdown due shortly."""
    target = folder / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    due = now + timedelta(seconds=seconds)
    election = target / "election.yaml"
    voting_day = (due + timedelta(days=1)).date().isoformat()
    election.write_text(re.sub(r"^voting_day: .*$", f"voting_day: {voting_day}",
                               election.read_text(), flags=re.M))
    schedule = target / "schedule.yaml"
    text = schedule.read_text()
    head = text[: text.index("\ncountdown:\n") + 1]
    schedule.write_text(head + "countdown:\n"
                        f'  soon: {{days_before: 1, time: "{due:%H:%M:%S}", template: countdown}}\n'
                        "calendar: {}\n")
    return target


async def test_scheduled_countdown_reaches_a_subscriber_once(tmp_path: Path, database: str) -> None:
    content_dir = content_with_countdown_in(8, tmp_path)
    server = FakeBotApiServer(TOKEN)
    await server.start()
    env = bot_env(server, tmp_path, **database_env(database), CONTENT_DIR=str(content_dir),
                  QUIET_HOURS="")
    process = await start_bot(server, env, tmp_path)
    try:
        citizen = updates.user(5150, "id", "Nur")
        start = len(server.calls)
        server.push(message=updates.message(server.api, "/langganan", citizen))
        confirmation = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.error is None, start=start)
        assert "Kamu berlangganan" in confirmation.params["text"]
        countdown = await server.wait_for(
            lambda c: c.method == "sendMessage" and "1 hari lagi" in str(c.params.get("text")),
            within=30)
        assert countdown.params["chat_id"] in (5150, "5150")
        assert countdown.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1:u:"

        async def done() -> bool:
            return await query(database, "SELECT state FROM broadcasts") == [("done",)]

        await eventually(done, what="the broadcast recorded as done")
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()
    # Once the bot has stopped (everything it was going to send is sent): exactly one copy.
    copies = [c for c in server.calls if c.method == "sendMessage"
              and "1 hari lagi" in str(c.params.get("text"))]
    assert len(copies) == 1
    assert await query(database, "SELECT state FROM scheduled_sends WHERE key = 'countdown:soon'"
                       ) == [("enqueued",)]
    assert await query(database, "SELECT outcome FROM deliveries") == [("sent",)]
