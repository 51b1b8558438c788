"""Hostile input (property-based, hypothesis): any text, any callback data, names and texts
that try HTML or template injection, replayed and unknown updates, malformed CSV. The bot
never crashes, never shows an exception to a user, every reply is one Telegram accepts (the
strict fake API refuses anything else), and nothing inconsistent is stored."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.regions.tps_import import parse_tps_csv
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN
from tests.fakes import updates
from tests.fakes.harness import BOT_USERNAME, Harness, texts
from tests.fakes.strict_api import StrictBotApi

OFFICIAL = 9400
FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


class Bot:
    """One Application for the whole module, driven from synchronous hypothesis tests."""

    def __init__(self, tmp: Path, content: Content) -> None:
        self.loop = asyncio.Runner()
        config = load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_PATH=str(tmp / "h.sqlite3"),
                               CACHE_DIR=str(EMBEDDINGS_CACHE), SEMANTIC_THREADS="0",
                               FLOOD_LIMIT="0", ADMIN_IDS=str(OFFICIAL))
        self.request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
        self.app = build_application(config, request=self.request,
                                     get_updates_request=self.request,
                                     clock=FixedClock(DURING_CAMPAIGN), content=content)
        self.loop.run(open_offline(self.app))
        self.h = Harness(self.app, self.request, FixedClock(DURING_CAMPAIGN))

    def run(self, coro: Any) -> Any:
        return self.loop.run(coro)

    def refused(self) -> list[tuple[str, str | None]]:
        return [(c.method, c.error) for c in self.request.calls
                if c.error and "not modified" not in c.error]

    def close(self) -> None:
        self.loop.run(close_offline(self.app))
        self.loop.close()


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Iterator[Bot]:
    running = Bot(tmp_path_factory.mktemp("hostile"), content)
    try:
        yield running
    finally:
        running.close()


def check_replies(bot: Bot, before: int) -> list[str]:
    calls = bot.request.calls[before:]
    assert bot.refused() == []
    shown = [str(c.params.get("text", "")) for c in calls]
    assert not any("Traceback" in t or "Error:" in t or "Exception" in t for t in shown)
    return shown


@FAST
@given(st.text(min_size=0, max_size=4096))
def test_any_text_gets_a_reply_telegram_accepts(bot: Bot, text: str) -> None:
    before = len(bot.request.calls)
    bot.run(bot.h.text(text, user=bot.h.user(9301)))
    check_replies(bot, before)


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
       st.sampled_from(["<b>{{ 7*7 }}</b>", "{% for x in range(10**9) %}x{% endfor %}",
                        "<script>alert(1)</script>", "&amp;<i>", "{{ config }}"]))
def test_injection_in_names_and_questions_stays_text(bot: Bot, noise: str, attack: str) -> None:
    before = len(bot.request.calls)
    user = {"id": 9302, "is_bot": False, "first_name": attack, "language_code": "id"}
    bot.run(bot.h.text("/start", user=user))
    bot.run(bot.h.text(f"{noise} {attack}", user=user))
    shown = check_replies(bot, before)
    assert not any("49" in t and "7*7" not in html.unescape(t) for t in shown)
    assert not any("<script>" in t for t in shown)


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=600),
       st.sampled_from(["<b>{{ 7*7 }}</b>", "{% for x in range(10**9) %}x{% endfor %}",
                        "<script>alert(1)</script>", "&amp;<i>", "<a href=\"javascript:x\">",
                        "<b><i>x</b></i>", "", "{{ config }}"]))
def test_officials_texts_are_literal_or_refused_with_a_reason(bot: Bot, noise: str,
                                                              attack: str) -> None:
    """An announcement's text and a campaign's welcome: refused with the reason, or shown in
    the preview exactly as typed (never evaluated as a template), and Telegram accepts it."""
    official = bot.h.user(OFFICIAL)
    before = len(bot.request.calls)
    bot.run(bot.h.text("/umumkan", user=official))
    typed = f"{noise}{attack}"
    got = bot.run(bot.h.text(typed, user=official))
    if any("langkah 2/3" in str(c.params.get("text")) for c in got):
        preview = bot.run(bot.h.press_label("Pratinjau", user=official))
        shown = [str(c.params.get("text")) for c in preview]
        assert typed.strip() in [t.strip() for t in shown] or html.escape(
            typed, quote=False).strip() in [t.strip() for t in shown]
    shown = check_replies(bot, before)
    assert not any("49" in t and "7*7" not in html.unescape(t) for t in shown)
    bot.run(bot.h.text(f"/kampanye sambutan nope {typed}", user=official))
    check_replies(bot, before)


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_forged_or_oversized_callback_data_is_a_stale_button(bot: Bot, data: bytes | str) -> None:
    value = data.decode("latin-1") if isinstance(data, bytes) else data
    before = len(bot.request.calls)
    bot.run(bot.h.text("/menu", user=bot.h.user(9303)))
    message = bot.h.last_message_with_keyboard(9303)
    bot.run(bot.h.press(value, message=message, user=bot.h.user(9303)))
    check_replies(bot, before)


def test_a_replayed_update_is_handled_once_and_unknown_kinds_are_ignored(bot: Bot) -> None:
    payload = bot.h.api.new_update(message=updates.message(bot.h.api, "jam berapa tps buka?",
                                                            bot.h.user(9304)))
    before = len(bot.request.calls)
    for _ in range(3):
        bot.run(bot.app.process_update(Update.de_json(payload, bot.app.bot)))
    assert len(texts(bot.request.calls[before:], "sendMessage")) == 1
    # An update kind this bot does not know (a future one): ignored, nothing sent.
    odd = {"update_id": payload["update_id"] + 1000,
           "some_future_kind": {"id": "x", "from": bot.h.user(9305), "value": 1}}
    before = len(bot.request.calls)
    bot.run(bot.app.process_update(Update.de_json(odd, bot.app.bot)))
    assert check_replies(bot, before) == []


@FAST
@given(st.binary(max_size=2000))
def test_malformed_csv_is_refused_with_reasons_never_a_crash(
        regions: Any, content: Content, data: bytes) -> None:
    result = parse_tps_csv(data, regions, content.election.region.bounds)
    # Never an exception: either the reasons, each a line for the operator, or sound rows.
    assert all(isinstance(e, str) and e.strip() for e in result.errors)
    if not result.errors:
        assert all(regions.get(row.kode_wilayah) is not None for row in result.rows)
