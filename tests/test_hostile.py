"""Hostile input (property-based, hypothesis): any text, any callback data, names and texts
that try HTML or template injection, replayed and unknown updates, malformed CSV. The bot
never crashes, never shows an exception to a user, every reply is one Telegram accepts (the
strict fake API refuses anything else), and nothing inconsistent is stored."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.content.registry import Content
from bot.regions.tps_import import parse_tps_csv
from tests.fakes import updates
from tests.fakes.harness import texts
from tests.fakes.syncbot import SyncBot

OFFICIAL = 9400
FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Iterator[SyncBot]:
    running = SyncBot(tmp_path_factory.mktemp("hostile"), content, ADMIN_IDS=str(OFFICIAL))
    try:
        yield running
    finally:
        running.close()


def check_replies(bot: SyncBot, before: tuple[int, int], replied: bool = True) -> list[str]:
    """What the user was shown since `before`: nothing raised (the error counter did not move),
    Telegram accepted every call, an answer came, and no internals leaked."""
    calls = bot.since(before, replied)
    shown = [str(c.params.get("text", "")) for c in calls]
    assert not any("Traceback" in t or "Error:" in t or "Exception" in t for t in shown)
    return shown


@FAST
@given(st.text(min_size=0, max_size=4096))
def test_any_text_gets_a_reply_telegram_accepts(bot: SyncBot, text: str) -> None:
    before = bot.mark()
    bot.run(bot.h.text(text, user=bot.h.user(9301)))
    check_replies(bot, before)


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
       st.sampled_from(["<b>{{ 7*7 }}</b>", "{% for x in range(10**9) %}x{% endfor %}",
                        "<script>alert(1)</script>", "&amp;<i>", "{{ config }}"]))
def test_injection_in_names_and_questions_stays_text(bot: SyncBot, noise: str, attack: str) -> None:
    before = bot.mark()
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
def test_officials_texts_are_literal_or_refused_with_a_reason(bot: SyncBot, noise: str,
                                                              attack: str) -> None:
    """An announcement's text and a campaign's welcome: refused with the reason, or shown in
    the preview exactly as typed (never evaluated as a template), and Telegram accepts it."""
    official = bot.h.user(OFFICIAL)
    before = bot.mark()
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
def test_forged_or_oversized_callback_data_is_a_stale_button(bot: SyncBot, data: bytes | str) -> None:
    value = data.decode("latin-1") if isinstance(data, bytes) else data
    bot.run(bot.h.text("/menu", user=bot.h.user(9303)))
    message = bot.h.last_message_with_keyboard(9303)
    before = bot.mark()
    bot.run(bot.h.press(value, message=message, user=bot.h.user(9303)))
    check_replies(bot, before)
    assert "answerCallbackQuery" in [c.method for c in bot.since(before)]   # no spinner left


def test_a_replayed_update_is_handled_once_and_unknown_kinds_are_ignored(bot: SyncBot) -> None:
    payload = bot.h.api.new_update(message=updates.message(bot.h.api, "jam berapa tps buka?",
                                                            bot.h.user(9304)))
    before = bot.mark()
    for _ in range(3):
        bot.run(bot.app.process_update(Update.de_json(payload, bot.app.bot)))
    assert len(texts(bot.since(before), "sendMessage")) == 1
    # An update kind this bot does not know (a future one): ignored, nothing sent.
    odd = {"update_id": payload["update_id"] + 1000,
           "some_future_kind": {"id": "x", "from": bot.h.user(9305), "value": 1}}
    before = bot.mark()
    bot.run(bot.app.process_update(Update.de_json(odd, bot.app.bot)))
    assert check_replies(bot, before, replied=False) == []


@FAST
@given(st.binary(max_size=2000))
def test_malformed_csv_is_refused_with_reasons_never_a_crash(
        regions: Any, content: Content, data: bytes) -> None:
    result = parse_tps_csv(data, regions, content.election.region.bounds)
    # Never an exception: either the reasons, each a line for the operator, or sound rows.
    assert all(isinstance(e, str) and e.strip() for e in result.errors)
    if not result.errors:
        assert all(regions.get(row.kode_wilayah) is not None for row in result.rows)
