"""The announcement flow through the real Application: compose, target, preview, confirm;
expiry, edits, cancellation, scheduling, the two-person rule and the progress message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.content.registry import Content
from bot.officials.progress import progress_text
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import (
    Outcome,
    get_broadcast,
    record_outcomes,
    start_sending,
)
from bot.storage.officials import recent_audit
from bot.storage.schedule import PlannedSend, sync_sends
from bot.storage.users import set_region
from tests.broadcasts.conftest import ScriptedSender, eventually
from tests.fakes.harness import Harness, buttons, offline_bot
from tests.fakes.subscribers import subscribe_through

SUPER, ANNOUNCER = 900, 901
KECAMATAN = "99.01.05"          # Air Hitam in the fixture regency
DESA = "99.01.05.2001"


async def setup(h: Harness, tmp_path: Path) -> None:
    db = h.app.services.db
    await subscribe_through(db, [1, 2, 3], clock(h).now(), lambda i: "en" if i == 3 else "id")
    await set_region(db, 1, DESA)
    await set_region(db, 3, DESA)
    await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))


def clock(h: Harness) -> FixedClock:
    c = h.app.services.clock
    assert isinstance(c, FixedClock)
    return c


async def compose_to_air_hitam(h: Harness, who: int, text: str = "Rapat <b>warga</b> besok") -> None:
    user = h.user(who)
    await h.text("/umumkan", user=user)
    options = await h.text(text, user=user)
    assert "langkah 2/3" in options[-1].params["text"], options[-1].params["text"]
    await h.press_label("Wilayah", user=user)
    await h.press_label("Air Hitam", user=user)
    await h.press_label("Seluruh Kec.", user=user)


async def test_announce_to_one_kecamatan_with_preview_then_confirm(tmp_path: Path,
                                                                   content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        await compose_to_air_hitam(h, ANNOUNCER)
        preview = await h.press_label("Pratinjau", user=h.user(ANNOUNCER))
        sent = [c.params["text"] for c in preview if c.method == "sendMessage"]
        # One sample per language of the audience, exactly the text, with the unsubscribe button.
        assert sent.count("Rapat <b>warga</b> besok") == 2
        summary = sent[-1]
        assert "Penerima:</b> 2" in summary and "English 1" in summary and "Indonesia 1" in summary
        await h.press_label("Kirim", user=h.user(ANNOUNCER))
        [b] = await list_broadcasts(h.app.services.db)
        assert (b.text, b.region, b.created_by, b.state) == (
            "Rapat <b>warga</b> besok", KECAMATAN, f"tg:{ANNOUNCER}", "scheduled")
        progress = [m for (chat, _), m in h.api.messages.items()
                    if chat == ANNOUNCER and "Pengumuman #" in m.get("text", "")]
        assert progress
        # The bot's own recipients list: the engine fixes it from the same audience.
        await start_sending(h.app.services.db, b, clock(h).now())
        await record_outcomes(h.app.services.db, b.id, [Outcome(1, "sent", None, 1),
                                                        Outcome(3, "blocked", None, 1)],
                              clock(h).now(), "2029-02-28", True)
        text, ended, _ = await progress_text(h.app.services, b.id, clock(h).now())
        assert "Penerima: 2" in text and "terkirim 1" in text and "memblokir bot 1" in text
        assert not ended


async def test_invalid_html_is_refused_with_the_reason_before_the_preview(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        user = h.user(ANNOUNCER)
        await h.text("/umumkan", user=user)
        refused = await h.text("Datang <script>x</script> ya", user=user)
        assert "Belum bisa dipakai" in refused[-1].params["text"]
        assert "script" in refused[-1].params["text"]
        refused = await h.text("Tom & Jerry {{ 7*7 }}", user=user)
        assert "&amp;" in refused[-1].params["text"]
        ok = await h.text("Tom &amp; Jerry {{ 7*7 }}", user=user)
        assert "langkah 2/3" in ok[-1].params["text"]
        preview = await h.press_label("Pratinjau", user=user)
        # Literal text, never a template: the braces go out as typed.
        assert "Tom &amp; Jerry {{ 7*7 }}" in [c.params.get("text") for c in preview]


async def test_an_abandoned_flow_expires_and_says_so(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        await compose_to_air_hitam(h, ANNOUNCER)
        clock(h).advance(timedelta(minutes=31))
        late = await h.press_label("Pratinjau", user=h.user(ANNOUNCER))
        assert any("kedaluwarsa" in (c.params.get("text") or "") for c in late)
        assert await list_broadcasts(h.app.services.db) == []


async def test_edit_then_cancel_sends_nothing(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        await compose_to_air_hitam(h, ANNOUNCER)
        user = h.user(ANNOUNCER)
        await h.press_label("Pratinjau", user=user)
        await h.press_label("Ubah", user=user)
        await h.press_label("Bahasa", user=user)
        back = await h.press_label("English", user=user)
        assert "bahasa en" in back[-1].params["text"]
        await h.press_label("Batal", user=user)
        assert await list_broadcasts(h.app.services.db) == []


async def test_a_template_scheduled_for_later(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        user = h.user(ANNOUNCER)
        await h.text("/umumkan", user=user)
        await h.press_label("countdown", user=user)
        await h.press_label("Jadwalkan", user=user)
        bad = await h.text("besok pagi", user=user)
        assert "2024-11-26 08:00" in bad[-1].params["text"]
        local = clock(h).now().astimezone(h.app.services.settings.tz) + timedelta(days=2)
        await h.text(local.strftime("%Y-%m-%d 08:00"), user=user)
        preview = await h.press_label("Pratinjau", user=user)
        assert any("hari lagi" in (c.params.get("text") or "") for c in preview)
        await h.press_label("Kirim", user=user)
        [b] = await list_broadcasts(h.app.services.db)
        assert b.template == "countdown" and b.topic == "countdown"
        assert b.not_before > clock(h).now().isoformat()
        due = clock(h).now() + timedelta(days=3)
        await sync_sends(h.app.services.db, {"countdown:h7": PlannedSend(
            "countdown:h7", due, "countdown", "countdown", None, None, False)}, clock(h).now())
        listing = await h.text("/jadwal", user=user)
        assert f"#{b.id}" in listing[-1].params["text"]
        assert "kalender konten" in listing[-1].params["text"]      # not yet a broadcast
        assert "countdown:h7" in listing[-1].params["text"]
        await h.press_label("Batalkan", user=user)
        assert (await get_broadcast(h.app.services.db, b.id)).state == "cancelled"  # type: ignore[union-attr]


async def test_a_scheduled_templates_preview_is_what_is_sent_on_its_day(
        tmp_path: Path, content: Content) -> None:
    """The preview renders as of the scheduled time, as the engine does: not "14 hari lagi"
    shown and "9 hari lagi" sent five days later."""
    sender = ScriptedSender()
    async with offline_bot(tmp_path, content, sender=sender, ADMIN_IDS=str(SUPER),
                           QUIET_HOURS="", DAILY_CAP="0") as h:
        await setup(h, tmp_path)
        user = h.user(ANNOUNCER)
        await h.text("/umumkan", user=user)
        await h.press_label("countdown", user=user)
        await h.press_label("Jadwalkan", user=user)
        local = clock(h).now().astimezone(h.app.services.settings.tz) + timedelta(days=5)
        await h.text(local.strftime("%Y-%m-%d 10:00"), user=user)
        preview = await h.press_label("Pratinjau", user=user)
        shown = [c.params["text"] for c in preview
                 if c.method == "sendMessage" and "hari lagi" in c.params["text"]]
        await h.press_label("Kirim", user=user)
        [b] = await list_broadcasts(h.app.services.db)
        clock(h).advance(timedelta(days=5, hours=2))
        assert h.app.services.engine is not None
        h.app.services.engine.poke()

        async def done() -> bool:
            sent = await get_broadcast(h.app.services.db, b.id)
            return sent is not None and sent.state == "done"
        await eventually(done, what="sent")
        by_chat = {p["chat_id"]: p["text"] for p in sender.payloads}
        assert shown == [by_chat[1]]        # citizen 1: Indonesian, in the sample desa


async def test_two_person_rule(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1") as h:
        await setup(h, tmp_path)
        await compose_to_air_hitam(h, ANNOUNCER)
        user = h.user(ANNOUNCER)
        summary = await h.press_label("Pratinjau", user=user)
        assert "persetujuan" in summary[-1].params["text"]
        asked = await h.press_label("Minta persetujuan", user=user)
        assert await list_broadcasts(h.app.services.db) == []
        assert any(c.params.get("chat_id") == SUPER and "Setujui" in str(c.params)
                   for c in asked)
        message = h.last_message_with_keyboard(SUPER)
        assert "Setujui" in buttons(message)[0]
        approve = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        # The requester cannot approve their own request.
        own = await h.press(approve, message=message, user=user)
        assert "sendiri" in str([c.params for c in own])
        assert await list_broadcasts(h.app.services.db) == []
        await h.press(approve, message=message, user=h.user(SUPER))
        [b] = await list_broadcasts(h.app.services.db)
        assert (b.created_by, b.approved_by, b.region) == (f"tg:{ANNOUNCER}", f"tg:{SUPER}",
                                                           KECAMATAN)
        again = await h.press(approve, message=message, user=h.user(SUPER))
        assert "sudah disetujui lebih dulu oleh Anda" in str([c.params for c in again])
        assert len(await list_broadcasts(h.app.services.db)) == 1
        audit = await h.text("/audit", user=h.user(SUPER))
        assert "broadcast.request" in audit[-1].params["text"]
        assert f"disetujui tg:{SUPER}" in audit[-1].params["text"]
        # The approval is an entry of its own, under the approver (as for a held broadcast).
        [approved] = [e for e in await recent_audit(h.app.services.db, 50)
                      if e.action == "broadcast.approve"]
        assert (approved.actor, approved.count) == (f"tg:{SUPER}", 2)
        assert approved.detail.startswith("permintaan ") and f"#{b.id} dari tg:{ANNOUNCER}" \
            in approved.detail


async def test_two_person_rule_without_a_second_official_says_so(tmp_path: Path,
                                                                 content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1") as h:
        await setup(h, tmp_path)
        await compose_to_air_hitam(h, SUPER)      # the only other announcer is 901...
        await h.text(f"/petugas hapus {ANNOUNCER}", user=h.user(SUPER))   # ...now gone
        await h.press_label("Pratinjau", user=h.user(SUPER))
        refused = await h.press_label("Minta persetujuan", user=h.user(SUPER))
        assert "belum ada petugas kedua" in str([c.params for c in refused])
        assert await list_broadcasts(h.app.services.db) == []


def button_data(h: Harness, who: int, label: str) -> tuple[dict[str, object], str]:
    """The last keyboard `who` got, and the data of its button labelled with `label`."""
    message = h.last_message_with_keyboard(who)
    [data] = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
              for b in row if label in b["text"]]
    return message, data


async def test_double_taps_neither_undo_a_choice_nor_hide_what_was_sent(
        tmp_path: Path, content: Content) -> None:
    """A button pressed twice before its message changes (a double tap): "urgent" stays set,
    and the second "send" leaves the first's answer (queued, #1) on the message instead of
    saying the draft expired (which reads as "not sent": the official would send it again)."""
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await setup(h, tmp_path)
        user = h.user(ANNOUNCER)
        await h.text("/umumkan", user=user)
        await h.text("Rapat warga", user=user)
        message, data = button_data(h, ANNOUNCER, "Mendesak")
        for _ in range(2):
            await h.press(data, message=message, user=user)
        assert h.app.bot_data["drafts"].last_seen(ANNOUNCER).urgent
        await h.press_label("Pratinjau", user=user)
        message, data = button_data(h, ANNOUNCER, "Kirim")
        await h.press(data, message=message, user=user)
        second = await h.press(data, message=message, user=user)
        assert not [c for c in second if c.method == "editMessageText"], second
        assert any("sudah dikirim" in str(c.params.get("text")) for c in second), second
        assert "Pengumuman #1 masuk antrean" in str(message["text"])
        assert len(await list_broadcasts(h.app.services.db)) == 1
