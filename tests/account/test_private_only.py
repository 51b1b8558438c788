"""/datasaya and /hapusdata in a group: nobody's data is posted there and no delete button is put
where anyone could press it; a line and a button lead to the private chat instead."""

from __future__ import annotations

from bot.storage.campaigns import create_campaign
from bot.storage.users import get_user
from tests.fakes.harness import Harness, texts

GROUP = {"id": -100789, "type": "supergroup", "title": "Warga Sukamaju"}


def private_button(call_params: dict[str, object]) -> str:
    markup = call_params["reply_markup"]
    assert isinstance(markup, dict)
    [[button]] = markup["inline_keyboard"]
    return str(button["url"])


async def test_my_data_in_a_group_moves_the_user_to_a_private_chat(harness: Harness) -> None:
    db = harness.app.services.db
    await create_campaign(db, "kampanye_sma1", "SMA 1", 900, harness.clock.now())
    await harness.text("/start kampanye_sma1")                       # in private: a user row
    calls = await harness.text("/datasaya@suara_test_bot", chat=GROUP)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [c.params["chat_id"] for c in sent] == [GROUP["id"]]
    shown = sent[0].params["text"]
    assert "chat pribadi" in shown and "/datasaya" in shown
    for private in ("501", "kampanye_sma1", "user_id", "language"):
        assert private not in shown
    assert private_button(sent[0].params) == "https://t.me/suara_test_bot"
    english = await harness.text("/mydata", chat=GROUP, user=harness.user(502, lang="en"))
    assert "/mydata" in texts(english)[0] and "private chat" in texts(english)[0]
    # In private, the data as before.
    assert "kampanye_sma1" in "\n".join(texts(await harness.text("/datasaya")))


async def test_delete_data_in_a_group_offers_no_button_and_deletes_nothing(
        harness: Harness) -> None:
    await harness.text("/start")
    calls = await harness.text("/hapusdata", chat=GROUP)
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert "/hapusdata" in sent.params["text"] and "Hapus semua data" not in sent.params["text"]
    assert private_button(sent.params).startswith("https://t.me/")
    # A delete button pressed in a group (an old message, or forged) deletes nothing.
    on_message = [m for (chat, _), m in harness.api.messages.items() if chat == GROUP["id"]][-1]
    pressed = await harness.press("1:d:y", message=on_message)
    assert "chat pribadi" in "\n".join(texts(pressed))
    assert await get_user(harness.app.services.db, 501) is not None
