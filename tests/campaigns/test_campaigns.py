"""Campaign links: creation (codes checked), the poster's QR decodes back to the link, credit
on arrival (first touch), per-campaign counts and the leaderboard."""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.content.registry import Content
from bot.storage.campaigns import campaign_counts
from tests.fakes.harness import Harness, buttons, offline_bot

SUPER, MANAGER, OTHER = 900, 902, 905
LINK = "https://t.me/suara_test_bot?start=sman1-pemula"


async def managers(h: Harness) -> None:
    for uid in (MANAGER, OTHER):
        await h.text(f"/petugas tambah {uid} kampanye", user=h.user(SUPER))


async def test_invalid_codes_are_refused_with_the_reason(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await managers(h)
        user = h.user(MANAGER)
        for code, reason in (("sma/1", "hanya boleh"), ("x" * 65, "64"), ("spasi.titik", ".")):
            got = await h.text(f"/kampanye baru {code} Nama", user=user)
            assert reason in got[-1].params["text"], got[-1].params["text"]
        assert await campaign_counts(h.app.services.db) == []
        await h.text("/kampanye baru ok_1 Satu", user=user)
        taken = await h.text("/kampanye baru ok_1 Dua", user=h.user(OTHER))
        assert "sudah dipakai" in taken[-1].params["text"]


async def test_a_new_campaign_gets_its_link_a_decodable_poster_and_a_share_button(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await managers(h)
        calls = await h.text("/kampanye baru sman1-pemula SMA Negeri 1 Pemilih Pemula",
                             user=h.user(MANAGER))
        info = [c for c in calls if c.method == "sendMessage"][-1]
        assert LINK in info.params["text"]
        assert "Bagikan" in buttons(info)[0]
        share = info.params["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert share.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2F")
        [doc] = [c for c in calls if c.method == "sendDocument"]
        name, png = doc.params["_files"]["document"]
        assert name == "poster-sman1-pemula.png"
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (1240, 1753)   # A4 at 150 dpi
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [LINK]


async def test_credit_on_arrival_first_touch_and_per_campaign_counts(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await managers(h)
        await h.text("/kampanye baru kampusA Kampus A", user=h.user(MANAGER))
        await h.text("/kampanye baru kampusB Kampus B", user=h.user(OTHER))
        await h.text("/kampanye topik kampusA hari_h", user=h.user(MANAGER))
        await h.text("/kampanye sambutan kampusA Selamat datang, <b>pemilih pemula</b>!",
                     user=h.user(MANAGER))
        citizen = h.user(700)
        welcome = await h.text("/start kampusA", user=citizen)
        assert welcome[-1].params["text"] == "Selamat datang, <b>pemilih pemula</b>!"
        labels = buttons(welcome[-1])
        assert labels[0].startswith("⭐") and len(labels) > 2     # its topic, then the menu
        await h.text("/start kampusA", user=citizen)            # counted once
        await h.text("/start kampusB", user=citizen)            # B: a start, not the citizen
        await h.text("/start kampusB", user=h.user(701))
        await h.text("/start bukan-kampanye", user=h.user(702))  # unknown: ignored
        await h.text("/langganan", user=citizen)
        await h.text("kapan hari pencoblosan?", user=citizen)
        await h.app.services.stats.flush()
        counts = {c.code: c for c in await campaign_counts(h.app.services.db)}
        a, b = counts["kampusA"], counts["kampusB"]
        assert (a.starts, a.brought_in, a.subscribers, a.questions) == (1, 1, 1, 1)
        assert (b.starts, b.brought_in, b.subscribers, b.questions) == (2, 1, 0, 0)
        await h.text("/start kampusA", user=h.user(703))
        board = await h.text("/kampanye", user=h.user(MANAGER))
        text = board[-1].params["text"]
        # Ranked by citizens brought in (A: 2, B: 1), though B had as many starts.
        assert text.index("Kampus A") < text.index("Kampus B")


async def test_a_manager_sees_only_their_own_campaigns_details(tmp_path: Path,
                                                                 content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await managers(h)
        await h.text("/kampanye baru milikA A", user=h.user(MANAGER))
        other = await h.text("/kampanye milikA", user=h.user(OTHER))
        assert "tidak ada di kampanye Anda" in other[-1].params["text"]
        changed = await h.text("/kampanye sambutan milikA halo", user=h.user(OTHER))
        assert "tidak ada di kampanye Anda" in changed[-1].params["text"]
        mine = await h.text("/kampanye milikA", user=h.user(SUPER))
        assert any(c.method == "sendDocument" for c in mine)
        # Handing over: only a super-admin, only to a campaign manager.
        refused = await h.text(f"/kampanye pemilik milikA {OTHER}", user=h.user(MANAGER))
        assert "Hanya super-admin" in refused[-1].params["text"]
        await h.text(f"/kampanye pemilik milikA {OTHER}", user=h.user(SUPER))
        now_theirs = await h.text("/kampanye milikA", user=h.user(OTHER))
        assert any(c.method == "sendDocument" for c in now_theirs)
        gone = await h.text("/kampanye milikA", user=h.user(MANAGER))
        assert "tidak ada di kampanye Anda" in gone[-1].params["text"]


async def test_a_citizen_who_used_the_bot_before_is_a_start_not_brought_in(
        tmp_path: Path, content: Content) -> None:
    """Brought in = came to the bot for the first time through the link: a citizen who already
    used it (and subscribed, and asked) and later taps a poster's link counts as a start only;
    their subscription and questions stay out of the campaign's counts."""
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await h.text("/kampanye baru kA Kampus A", user=h.user(SUPER))
        old = h.user(800)
        await h.text("/start", user=old)                  # came on their own, earlier
        await h.text("/langganan", user=old)
        await h.text("/start kA", user=old)               # later taps the link (same clock)
        await h.text("kapan hari pencoblosan?", user=old)
        new = h.user(801)
        welcome = await h.text("/start kA", user=new)     # their first update: brought in
        assert welcome[-1].params["text"]
        await h.text("/langganan", user=new)
        await h.app.services.stats.flush()
        [c] = await campaign_counts(h.app.services.db)
        assert (c.starts, c.brought_in, c.subscribers, c.questions) == (2, 1, 1, 0)


async def test_a_welcome_keeps_its_line_breaks_and_spaces(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        u = h.user(SUPER)
        await h.text("/kampanye baru kA Kampus A", user=u)
        welcome = "Halo!\n\n1. Cek DPT\n2. Datang ke TPS   <b>pukul 07.00</b>"
        await h.text(f"/kampanye sambutan kA  {welcome}\n", user=u)
        got = await h.text("/start kA", user=h.user(700))
        assert got[-1].params["text"] == welcome
        await h.text("/kampanye sambutan kA -", user=u)        # "-" still removes it
        got = await h.text("/start kA", user=h.user(701))
        assert got[-1].params["text"] != welcome
