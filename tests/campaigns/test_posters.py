"""The campaign poster: names (and every text) drawn as typed, never as mathtext; a name the
poster cannot draw leaves no campaign behind; long, wide and emoji names stay in their box and
the QR code still decodes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from matplotlib.text import Text
from PIL import Image

from bot.content.registry import Content
from bot.storage.campaigns import get_campaign
from tests.fakes.harness import Harness, offline_bot

SUPER = 900
LINK = "https://t.me/suara_test_bot?start="


def poster(calls: list[Any]) -> Image.Image:
    [doc] = [c for c in calls if c.method == "sendDocument"]
    return Image.open(io.BytesIO(doc.params["_files"]["document"][1]))


async def audit_text(h: Harness) -> str:
    got = await h.text("/audit", user=h.user(SUPER))
    return str(got[-1].params["text"])


async def test_a_name_with_dollar_signs_is_drawn_as_typed_and_the_campaign_stays_usable(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[str, bool]] = []
    draw = Text.draw

    def recording(self: Text, renderer: Any) -> None:
        drawn.append(self._preprocess_math(self.get_text()))    # what matplotlib will draw
        draw(self, renderer)

    monkeypatch.setattr(Text, "draw", recording)
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        u = h.user(SUPER)
        made = await h.text("/kampanye baru promo Hadiah $100 #pemilu $200", user=u)
        assert f"{LINK}promo" in made[-2].params["text"]
        assert [r.text for r in zxingcpp.read_barcodes(poster(made))] == [f"{LINK}promo"]
        shown = await h.text("/kampanye promo", user=u)
        assert [r.text for r in zxingcpp.read_barcodes(poster(shown))] == [f"{LINK}promo"]
        drawn.clear()
        await h.text("/kampanye baru hemat Hemat $5 dan $10 ya", user=u)
        assert ("Hemat $5 dan $10 ya", False) in drawn      # literal: no mathtext


async def test_a_poster_that_cannot_be_drawn_leaves_no_campaign(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> bytes:
        raise ValueError("cannot draw")

    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        u = h.user(SUPER)
        monkeypatch.setattr("bot.campaigns.handlers.poster_png", broken)
        failed = await h.text("/kampanye baru promo Promo", user=u)
        assert "Poster untuk nama itu tidak bisa dibuat" in failed[-1].params["text"]
        assert "belum dibuat" in failed[-1].params["text"]
        assert await get_campaign(h.app.services.db, "promo") is None
        assert "campaign.create" not in await audit_text(h)
        monkeypatch.undo()
        made = await h.text("/kampanye baru promo Promo", user=u)     # the code is still free
        assert [r.text for r in zxingcpp.read_barcodes(poster(made))] == [f"{LINK}promo"]
        assert "campaign.create promo: Promo" in await audit_text(h)
        # An existing campaign whose poster fails still shows its link, and says so precisely.
        monkeypatch.setattr("bot.campaigns.handlers.poster_png", broken)
        shown = await h.text("/kampanye promo", user=u)
        assert f"{LINK}promo" in shown[-2].params["text"]
        assert "Poster kampanye ini tidak bisa dibuat" in shown[-1].params["text"]


async def test_long_wide_and_emoji_names_stay_in_their_box_and_the_qr_code_decodes(
        tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    drawn: list[tuple[str, Any, Any]] = []     # text, its box in pixels, its font
    draw = Text.draw

    def recording(self: Text, renderer: Any) -> None:
        draw(self, renderer)
        if self.get_text():
            font = font_manager.get_font(font_manager.findfont(self.get_fontproperties()))
            drawn.append((self.get_text(), self.get_window_extent(renderer), font))

    monkeypatch.setattr(Text, "draw", recording)
    names = {"lebar": "W" * 100,     # the widest letter, as many as allowed
             "panjang": "Gerakan Pemilih Pemula Sekolah Menengah Atas Negeri Satu Muara Enim "
                        "Kabupaten Sumatera Selatan Ok",
             "kata": "Pemilih" + "W" * 60 + " muda",
             "emoji": "Kampus 🗳️🎓🇮🇩 Pemilu 2024"}
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        for code, name in names.items():
            drawn.clear()
            made = await h.text(f"/kampanye baru {code} {name}", user=h.user(SUPER))
            image = poster(made)
            [qr] = zxingcpp.read_barcodes(image)
            assert qr.text == f"{LINK}{code}"
            corners = [qr.position.top_left, qr.position.bottom_right]
            qr_box = (min(p.x for p in corners), max(p.x for p in corners),
                      image.height - max(p.y for p in corners),
                      image.height - min(p.y for p in corners))
            boxes = [box for _, box, _ in drawn]
            assert len(boxes) == 3                      # name, tagline, link
            for text, box, font in drawn:
                assert 0 <= box.x0 and box.x1 <= image.width, (code, text)
                assert not (box.x0 < qr_box[1] and qr_box[0] < box.x1
                            and box.y0 < qr_box[3] and qr_box[2] < box.y1), (code, text)
                missing = [c for c in text if c != "\n" and font.get_char_index(ord(c)) == 0]
                assert missing == [], (code, missing)
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert not a.overlaps(b), code
            if code == "emoji":
                assert drawn[0][0] == "Kampus Pemilu 2024"
