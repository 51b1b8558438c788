"""Officials' numeric arguments (issue 16, item 8): user ids typed after /petugas and
/kampanye pemilik are Telegram's (positive, at most 52 bits), ids carried by buttons are
positive 64-bit integers; anything else gets the usage line or the stale-button answer, and
no handler raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.registry import Content
from bot.ids import USER_ID_MAX
from tests.fakes.harness import Harness, offline_bot, texts

SUPER, ANNOUNCER, MANAGER = 900, 901, 902
NOT_IDS = ["99999999999999999999", "²", "٣", "-5", "0", "12a", str(USER_ID_MAX + 1)]


def errors(h: Harness) -> int:
    return h.app.services.metrics.handler_errors()


@pytest.mark.parametrize("verb", ["tambah", "hapus"])
async def test_petugas_refuses_what_is_not_a_telegram_user_id(tmp_path: Path, content: Content,
                                                              verb: str) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        admin = h.user(SUPER)
        before = dict(h.app.services.roles.officials())
        for bad in NOT_IDS:
            shown = texts(await h.text(f"/petugas {verb} {bad} pengumum", user=admin))
            assert len(shown) == 1 and "ID Telegram" in shown[0], (bad, shown)
            assert "/petugas tambah ID peran" in shown[0]          # the usage line
        assert dict(h.app.services.roles.officials()) == before
        assert errors(h) == 0
        shown = texts(await h.text(f"/petugas tambah {USER_ID_MAX} pengumum", user=admin))
        assert "sekarang" in shown[0]                                 # the largest one is fine


async def test_forged_ids_in_officials_buttons_are_stale_buttons(tmp_path: Path,
                                                                 content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        admin = h.user(SUPER)
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=admin)
        await h.text("/umumkan", user=admin)
        draft = h.last_message_with_keyboard(SUPER)
        draft_id = draft["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2]
        stale = content.message("stale_button", "id")
        roles_before = dict(h.app.services.roles.officials())
        for who, data in [
                (ANNOUNCER, "1:P:99999999999999999999:y"),   # OverflowError in SQLite
                (ANNOUNCER, "1:P:²:n"), (SUPER, "1:J:²:p"),     # ValueError
                (SUPER, "1:J:9223372036854775808:c"),
                (SUPER, "1:O:99999999999999999999:a"), (SUPER, f"1:O:{USER_ID_MAX + 1}:v"),
                (SUPER, "1:O:٣:a"),
                (SUPER, f"1:A:{draft_id}:K²"), (SUPER, f"1:A:{draft_id}:D1.²"),
                (SUPER, f"1:A:{draft_id}:P٣"), (SUPER, f"1:A:{draft_id}:T99999999999")]:
            calls = await h.press(data, message=draft, user=h.user(who))
            assert any(c.method == "answerCallbackQuery" for c in calls), data
            assert stale in texts(calls), (data, texts(calls))
        # Well formed but pointing past the list: the draft says it no longer fits.
        calls = await h.press(f"1:A:{draft_id}:K9999", message=draft, user=admin)
        assert any("kedaluwarsa" in t for t in texts(calls))
        assert dict(h.app.services.roles.officials()) == roles_before
        assert errors(h) == 0


async def test_a_campaign_goes_only_to_a_real_user_id(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        admin = h.user(SUPER)
        await h.text(f"/petugas tambah {MANAGER} kampanye", user=admin)
        await h.text("/kampanye baru desa_1 Desa Satu", user=h.user(MANAGER))
        for bad in [*NOT_IDS, f"{MANAGER} lagi"]:
            shown = texts(await h.text(f"/kampanye pemilik desa_1 {bad}", user=admin))
            assert len(shown) == 1 and "ID Telegram" in shown[0], (bad, shown)
            assert "/kampanye pemilik KODE ID" in shown[0]        # the usage line
        assert errors(h) == 0
        shown = texts(await h.text(f"/kampanye pemilik desa_1 {MANAGER}", user=admin))
        assert "pemilik sekarang" in shown[0]


async def test_many_officials_are_listed_within_one_message(tmp_path: Path, content: Content) -> None:
    # A province's officials outgrow one message: as many as fit, and how many more.
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        admin = h.user(SUPER)
        for n in range(150):
            for role in ("pengumum", "pengamat"):
                await h.text(f"/petugas tambah {1_000_000_000 + n} {role}", user=admin)
        shown = texts(await h.text("/petugas", user=admin))
        assert len(shown) == 1 and len(shown[0]) <= 4096 and "lagi" in shown[0]
        assert "/petugas tambah ID peran" in shown[0]              # the usage line kept
