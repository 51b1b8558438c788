"""Subscribing and unsubscribing, as a citizen does it."""

from __future__ import annotations

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
