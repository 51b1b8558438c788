"""Subscribing and unsubscribing, as a citizen does it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.storage.subscriptions import get_subscription
from tests.fakes.harness import Harness, buttons, first, texts


async def test_subscribe_refine_and_unsubscribe(harness: Harness) -> None:
    db = harness.app.services.db
    calls = await harness.text("/langganan")
    sent = first(calls, "sendMessage")
    assert "Kamu berlangganan" in sent.params["text"]
    assert "Paling banyak 2 pesan biasa per hari" in sent.params["text"]
    assert "✅ Hitung mundur" in buttons(sent)
    sub = await get_subscription(db, 501)
    assert sub is not None and sub.active and sub.topics == {"countdown", "socialisation", "announcements"}
    calls = await harness.press_label("Info & pengingat")
    assert "⬜️ Info & pengingat" in buttons(first(calls, "editMessageText"))
    sub = await get_subscription(db, 501)
    assert sub is not None and sub.topics == {"countdown", "announcements"}
    assert "berhenti berlangganan" in texts(await harness.text("/berhenti"))[0]
    sub = await get_subscription(db, 501)
    assert sub is not None and not sub.active and sub.inactive_reason == "unsubscribed"
    assert "belum berlangganan" in texts(await harness.text("/unsubscribe"))[0]
    # /subscribe again turns every topic back on.
    await harness.text("/subscribe", user=harness.user(lang="en"))
    sub = await get_subscription(db, 501)
    assert sub is not None and sub.active and len(sub.topics) == 3


async def test_subscribe_button_in_menu_and_answers_and_one_tap_unsubscribe(harness: Harness) -> None:
    calls = await harness.text("/menu")
    assert "🔔 Langganan info pemilu" in buttons(first(calls, "sendMessage"))
    calls = await harness.text("jam brp tps buka")
    assert "🔔 Langganan info pemilu" in buttons(first(calls, "sendMessage"))
    calls = await harness.press_label("Langganan info pemilu")
    assert "Kamu berlangganan" in texts(calls)[0]
    # The button every broadcast carries.
    calls = await harness.press("1:u")
    assert "berhenti berlangganan" in texts(calls, "sendMessage")[0]
    sub = await get_subscription(harness.app.services.db, 501)
    assert sub is not None and not sub.active


async def test_deleting_data_removes_the_subscription(harness: Harness) -> None:
    await harness.text("/langganan")
    await harness.text("/hapusdata")
    await harness.press_label("Ya, hapus")
    assert await get_subscription(harness.app.services.db, 501) is None


def _topic_button(message: dict[str, Any], label: str) -> str:
    return next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                for b in row if label in b["text"])


async def test_an_old_topic_button_never_subscribes_again(harness: Harness) -> None:
    """Consent (UU 27/2022): after /berhenti or /hapusdata, a topic button of an older message
    changes nothing and says so; only /langganan subscribes."""
    db = harness.app.services.db
    await harness.text("/langganan")
    old = harness.last_message_with_keyboard(501)
    await harness.text("/berhenti")
    calls = await harness.press(_topic_button(old, "Info & pengingat"), message=old)
    notice = first(calls, "answerCallbackQuery").params
    assert "tidak sedang berlangganan" in notice["text"] and notice["show_alert"]
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    sub = await get_subscription(db, 501)
    assert sub is not None and not sub.active and sub.inactive_reason == "unsubscribed"
    await harness.text("/hapusdata")
    await harness.press_label("Ya, hapus")
    calls = await harness.press(_topic_button(old, "Hitung mundur"), message=old,
                                user=harness.user(lang="en"))
    assert "not subscribed" in first(calls, "answerCallbackQuery").params["text"]
    assert await get_subscription(db, 501) is None


async def test_subscribing_again_keeps_the_chosen_topics(harness: Harness) -> None:
    db = harness.app.services.db
    await harness.text("/langganan")
    await harness.press_label("Info & pengingat")
    calls = await harness.text("/langganan")
    sent = first(calls, "sendMessage")
    assert "⬜️ Info & pengingat" in buttons(sent) and "✅ Hitung mundur" in buttons(sent)
    assert "info dan pengingat" not in sent.params["text"] and "pengumuman resmi" in sent.params["text"]
    sub = await get_subscription(db, 501)
    assert sub is not None and sub.topics == {"countdown", "announcements"}
    # Subscribing again is no new subscriber in /statistik.
    pending = harness.app.services.stats._pending
    assert sum(n for key, n in pending.items() if "subscribed" in key) == 1


async def test_the_last_topic_cannot_be_turned_off(harness: Harness) -> None:
    """An active subscription to nothing would read "you will get:" and then nothing: the last
    topic stays on, and the notice says how to stop instead."""
    db = harness.app.services.db
    await harness.text("/langganan")
    await harness.press_label("Info & pengingat")
    await harness.press_label("Pengumuman resmi")
    calls = await harness.press_label("Hitung mundur")
    notice = first(calls, "answerCallbackQuery").params
    assert "/berhenti" in notice["text"] and notice["show_alert"]
    assert "editMessageText" not in [c.method for c in calls]
    sub = await get_subscription(db, 501)
    assert sub is not None and sub.active and sub.topics == {"countdown"}


async def test_after_voting_day_the_countdown_is_not_promised(harness: Harness) -> None:
    """The countdown topic is offered until voting day (subscription_topics.yaml `phases`);
    /help says what /hitungmundur does in each phase."""
    assert "berapa hari lagi ke hari pencoblosan" in texts(await harness.text("/help"))[0]
    harness.clock.set(datetime(2029, 3, 20, 3, 0, tzinfo=UTC))     # voting day was 14 March
    help_text = texts(await harness.text("/help"))[0]
    assert "berapa hari lagi" not in help_text and "tahapan sesudah pencoblosan\n• /bahasa" in help_text
    assert "hitung mundur" not in texts(await harness.text("/berhenti"))[0]
    sent = first(await harness.text("/langganan"), "sendMessage")
    assert "hitung mundur" not in sent.params["text"] and "pengumuman resmi" in sent.params["text"]
    assert not any("Hitung mundur" in b for b in buttons(sent))
    sub = await get_subscription(harness.app.services.db, 501)
    assert sub is not None and sub.topics == {"socialisation", "announcements"}


def count_reads(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements reading a subscription (its row or its topics), as they are made."""
    conn = harness.app.services.db.conn
    execute, reads = conn.execute, []

    def counting(sql: str, *args: Any) -> Any:
        if re.search(r"^\s*SELECT\b.*\bFROM\s+subscription(s|_topics)\b", sql, re.I | re.S):
            reads.append(sql)
        return execute(sql, *args)

    monkeypatch.setattr(conn, "execute", counting)
    return reads


async def test_subscribing_reads_the_subscription_once(harness: Harness,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """/langganan reads the subscriber's row and topics once, in the transaction that
    subscribes (not once to see whether they were subscribed, again to subscribe, and again
    to show what they get): first, and again while subscribed, and after /berhenti."""
    reads = count_reads(harness, monkeypatch)
    for command in ("/langganan", "/langganan", "/berhenti", "/langganan"):
        reads.clear()
        calls = await harness.text(command)
        if command == "/langganan":
            assert "Kamu berlangganan" in texts(calls)[0]
            assert len(reads) == 1, reads
    sub = await get_subscription(harness.app.services.db, 501)
    assert sub is not None and sub.active and len(sub.topics) == 3
    pending = harness.app.services.stats._pending      # new twice, once more only a repeat
    assert sum(n for key, n in pending.items() if "subscribed" in key and "un" not in key) == 2


async def test_a_topic_button_reads_the_subscription_once(harness: Harness,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    await harness.text("/langganan")
    reads = count_reads(harness, monkeypatch)
    for label, shown in (("Info & pengingat", "⬜️ Info & pengingat"),
                         ("Info & pengingat", "✅ Info & pengingat")):
        reads.clear()
        calls = await harness.press_label(label)
        assert shown in buttons(first(calls, "editMessageText"))
        assert len(reads) == 1, reads
    sub = await get_subscription(harness.app.services.db, 501)
    assert sub is not None and sub.topics == {"countdown", "socialisation", "announcements"}
