"""/umumkan → Kampanye with many campaigns: the list comes in pages Telegram accepts (far
under its ~100 buttons), every button's data within 64 bytes, every campaign on one page,
and a campaign picked from a later page is the draft's audience."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bot.callbacks import MAX_CALLBACK_BYTES, decode
from bot.content.registry import Content
from bot.storage.campaigns import create_campaign
from tests.fakes.harness import buttons, offline_bot

SUPER = 900


def edited(calls: list[Any]) -> Any:
    [edit] = [c for c in calls if c.method == "editMessageText"]
    return edit


async def test_the_campaign_list_comes_in_pages(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        now = h.app.services.clock.now()
        names = [f"SMA Negeri {i} ({'x' * 40}{i:03})" for i in range(120)]
        for i in range(len(names)):
            await create_campaign(h.app.services.db, f"{'x' * 40}{i:03}", f"SMA Negeri {i}",
                                  SUPER, now)
        u = h.user(SUPER)
        await h.text("/umumkan", user=u)
        await h.text("Halo <b>semua</b>", user=u)
        screen = edited(await h.press_label("Kampanye", user=u))
        seen: list[str] = []
        for page in range(1, 8):
            labels = buttons(screen)
            assert len(labels) <= 24                      # Telegram refuses about 100
            assert f"halaman {page}/6" in screen.params["text"]
            for row in screen.params["reply_markup"]["inline_keyboard"]:
                for button in row:
                    data = button["callback_data"]
                    assert len(data.encode()) <= MAX_CALLBACK_BYTES and decode(data), data
            seen += [label for label in labels if label.startswith("SMA Negeri")]
            if page == 6:
                assert not any("Berikutnya" in label for label in labels)
                break
            screen = edited(await h.press_label("Berikutnya", user=u))
        assert seen == names                              # each once, in order
        back = edited(await h.press_label("Sebelumnya", user=u))
        assert "halaman 5/6" in back.params["text"]
        options = edited(await h.press_label("SMA Negeri 97 (", user=u))
        assert f"kampanye {'x' * 40}097" in options.params["text"]
        # A page past the end (an old or forged button) shows the last page.
        draft = decode(screen.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        assert draft is not None
        last = edited(await h.press(f"1:A:{draft.text}:c9999", user=u))
        assert "halaman 6/6" in last.params["text"]


async def test_a_campaign_button_from_before_the_template_list_picks_no_template(
        tmp_path: Path, content: Content) -> None:
    """The campaign list, then "change content" (the template list, which reuses the draft's
    list of choices), then a campaign button of the earlier list: it no longer points into
    the list it was made for, so it changes nothing (it made a template's name the
    campaign), and a template button from before the campaign list the same."""
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await create_campaign(h.app.services.db, "kampusA", "Kampus A", SUPER,
                              h.app.services.clock.now())
        u = h.user(SUPER)
        await h.text("/umumkan", user=u)
        templates = copy.deepcopy(h.last_message_with_keyboard(SUPER))
        template = next(b["callback_data"] for row in templates["reply_markup"]["inline_keyboard"]
                        for b in row if b["text"].startswith("🧩"))
        await h.text("Halo semua", user=u)
        await h.press_label("Kampanye", user=u)
        campaigns = copy.deepcopy(h.last_message_with_keyboard(SUPER))   # as the client has it
        await h.press(template, message=templates, user=u)     # stale: the campaigns' list
        drafts = h.app.bot_data["drafts"]
        assert (drafts.last_seen(SUPER).template, drafts.last_seen(SUPER).text) == (
            None, "Halo semua")
        await h.press_label("Kembali", user=u)
        await h.press_label("Ganti isi", user=u)                 # the template list again
        pick = next(b["callback_data"] for row in campaigns["reply_markup"]["inline_keyboard"]
                    for b in row if b["text"].startswith("Kampus A"))
        await h.press(pick, message=campaigns, user=u)
        assert drafts.last_seen(SUPER).campaign is None
