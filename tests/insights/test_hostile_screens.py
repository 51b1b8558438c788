"""Every screen that shows citizens' text to officials, rendered with hostile questions and names
and checked by the independent HTML checker (tests/fakes/telegram_html.py, through the strict
fake API): the /statistik caption, /pertanyaan and /pertanyaan semua (and after a mark), /audit,
the campaign leaderboard, the role picker of a forwarded message, and the exports. Citizens'
words always arrive as text (never a live tag), long listings drop whole items and say so, and
nothing is refused or raises."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.listing import fit
from bot.officials.progress import progress_text
from bot.settings import load_settings
from bot.shell.botapi import Call, LocalRequest
from bot.storage.broadcasts import charge_error, create_broadcast
from bot.storage.officials import audit
from bot.storage.questions import record_unanswered
from tests.conftest import DURING_CAMPAIGN, EMBEDDINGS_CACHE, TEST_TOKEN
from tests.fakes import telegram_html
from tests.fakes.harness import BOT_USERNAME, Harness, buttons, offline_bot
from tests.fakes.strict_api import StrictBotApi

SUPER, MANAGER = 900, 902
LINK = '<a href="http://e.vil">Zorblax</a> quux'
HEART = "zorblax quux <3 flibber"
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima"]


def refused(h: Harness) -> list[tuple[str, str | None]]:
    return [(c.method, c.error) for c in h.request.calls
            if c.error and "not modified" not in c.error]


def errors(h: Harness) -> float:
    """Handler errors counted so far (the error handler answers politely: look at the count)."""
    return sum(s.value for metric in h.app.services.metrics.errors.collect()
               for s in metric.samples if s.name.endswith("_total"))


def shown(call: Call) -> str:
    """What Telegram would display: the message or caption parsed as HTML."""
    return telegram_html.parse(call.params.get("text") or call.params.get("caption") or "")


async def ask(h: Harness, questions: list[str]) -> None:
    for q in questions:
        await record_unanswered(h.app.services.db, q, "id", DURING_CAMPAIGN)


async def test_statistics_caption_shows_hostile_questions_as_text(tmp_path: Path,
                                                                  content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await ask(h, [LINK] * 3 + [HEART] * 2 + ['"&amp; {{ 7*7 }}</i>'])
        calls = await h.text("/statistik", user=h.user(SUPER))
        [photo] = [c for c in calls if c.method == "sendPhoto"]
        caption = photo.params["caption"]
        assert "<a " not in caption                      # no live link in the officials' caption
        plain = shown(photo)
        assert LINK in plain and HEART in plain and '"&amp; {{ 7*7 }}</i>' in plain
        assert refused(h) == [] and errors(h) == 0


async def test_a_caption_that_would_be_too_long_drops_whole_lines(tmp_path: Path,
                                                                 content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        # Quotes escape to six characters each: three such groups and three broadcasts' lines
        # overflow 1,024.
        await ask(h, [f"{w} " + '"' * 60 for w in ("xq", "zv", "wj") for _ in range(2)])
        for _ in range(3):
            await create_broadcast(h.app.services.db, created_by="cli <&>", text="x",
                                   topic=next(iter(content.subscription_topics)),
                                   not_before=DURING_CAMPAIGN, now=DURING_CAMPAIGN)
        calls = await h.text("/statistik", user=h.user(SUPER))
        [photo] = [c for c in calls if c.method == "sendPhoto"]
        assert len(photo.params["caption"].encode("utf-16-le")) // 2 <= 1024
        assert "… dan" in photo.params["caption"] and "Statistik" in shown(photo)
        assert refused(h) == [] and errors(h) == 0


async def test_questions_listing_with_escape_heavy_groups_stays_valid(tmp_path: Path,
                                                                     content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        # Each example escapes to four times its length: eight groups would overflow 4,096.
        await ask(h, [f"{w} " + ch * 76 for w in WORDS[:10] for ch in "<>"])
        await ask(h, [LINK] * 3 + [HEART] * 2)
        official = h.user(SUPER)
        for command in ("/pertanyaan", "/pertanyaan semua"):
            calls = await h.text(command, user=official)
            listing = calls[-1]
            plain = shown(listing)
            numbered = [line for line in plain.splitlines() if line[:1].isdigit()]
            assert 1 <= len(numbered) < 8 and "kelompok lagi" in plain
            # One row of mark buttons for each group shown, numbered alike.
            assert len(buttons(listing)) == 3 * len(numbered)
            assert "<a " not in listing.params["text"]
        await h.press_label("1 ✅", user=official)
        await h.text("/pertanyaan semua", user=official)
        assert refused(h) == [] and errors(h) == 0


async def test_audit_leaderboard_and_role_picker_escape_and_fit(tmp_path: Path,
                                                                content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        for _ in range(20):   # each detail escapes to about 5,000 characters
            await audit(h.app.services.db, DURING_CAMPAIGN, "petugas:1", "campaign.create",
                        "&" * 1000)
        await audit(h.app.services.db, DURING_CAMPAIGN, "petugas:1", "note", LINK)
        official = h.user(SUPER)
        calls = await h.text("/audit", user=official)
        assert LINK in shown(calls[-1]) and "<a " not in calls[-1].params["text"]
        assert "lagi (lihat /audit csv)" in shown(calls[-1])
        exported = await h.text("/audit csv", user=official)
        [doc] = [c for c in exported if c.method == "sendDocument"]
        rows = list(csv.DictReader(io.StringIO(doc.params["_files"]["document"][1].decode())))
        assert LINK in [r["detail"] for r in rows]
        await h.text(f"/petugas tambah {MANAGER} kampanye", user=official)
        for i in range(16):   # names of 70 characters, escaping to about 200
            await h.text(f"/kampanye baru k{i} {'&<' * 15} {LINK}", user=h.user(MANAGER))
        board = await h.text("/kampanye", user=h.user(MANAGER))
        assert LINK in shown(board[-1]) and "<a " not in board[-1].params["text"]
        assert "… dan" in shown(board[-1])
        person = {"id": 777, "is_bot": False, "first_name": LINK, "last_name": "<3 &amp;"}
        origin = {"type": "user", "sender_user": person, "date": 1700000000}
        await h.text("/petugas", user=official)     # the role picker is inside /petugas
        offered = await h.text("halo", user=official, forward_origin=origin)
        assert f"{LINK} <3 &amp;" in shown(offered[-1])
        assert refused(h) == [] and errors(h) == 0


def test_the_listing_builder_never_cuts_an_item() -> None:
    items = [f"<i>{'&lt;' * 50}</i>" for _ in range(100)]
    fitted = fit("<b>head</b>", items, tail="<code>tail</code>", limit=1024)
    assert fitted.text.endswith("<code>tail</code>") and telegram_html.parse(fitted.text)
    assert fitted.text.count("<i>") == fitted.shown < 100
    assert f"… dan {100 - fitted.shown} lagi" in fitted.text
    assert len(fitted.text) <= 1024
    everything = fit("h", ["a", "b"], total=5)
    assert (everything.text, everything.shown) == ("h\na\nb\n… dan 3 lagi", 2)
    with pytest.raises(ValueError):
        fit("<b>unclosed", ["x"])


# ---- property: any questions at all -------------------------------------------------------

class Bot:
    """One Application for the module, driven from synchronous hypothesis examples."""

    def __init__(self, tmp: Path, content: Content) -> None:
        self.loop = asyncio.Runner()
        config = load_settings(BOT_TOKEN=TEST_TOKEN, DATABASE_PATH=str(tmp / "s.sqlite3"),
                               CACHE_DIR=str(EMBEDDINGS_CACHE), SEMANTIC_THREADS="0",
                               FLOOD_LIMIT="0", ADMIN_IDS=str(SUPER))
        request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
        self.app = build_application(config, request=request, get_updates_request=request,
                                     clock=FixedClock(DURING_CAMPAIGN), content=content)
        self.loop.run(open_offline(self.app))
        self.h = Harness(self.app, request, FixedClock(DURING_CAMPAIGN))

    def run(self, coro: Any) -> Any:
        return self.loop.run(coro)

    def close(self) -> None:
        self.loop.run(close_offline(self.app))
        self.loop.close()


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Iterator[Bot]:
    running = Bot(tmp_path_factory.mktemp("screens"), content)
    try:
        yield running
    finally:
        running.close()


HOSTILE = st.lists(st.sampled_from([
    *"<>&\"';/=ab x", "&amp;", "&lt;", "<b>", "</i>", '<a href="http://e.vil">', "😀", "\u202e",
    "{{", "é", "\n"]), min_size=1, max_size=120).map("".join)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(HOSTILE, st.integers(1, 3)), min_size=1, max_size=12))
def test_any_questions_give_screens_telegram_accepts(bot: Bot, asked: list[tuple[str, int]]
                                                     ) -> None:
    h = bot.h
    bot.run(h.app.services.db.write("DELETE FROM unanswered_questions"))
    bot.run(ask(h, [f"{WORDS[i % len(WORDS)]} {q}" for i, (q, n) in enumerate(asked)
                    for _ in range(n)]))
    official = h.user(SUPER)
    for command in ("/statistik", "/pertanyaan", "/pertanyaan semua", "/audit"):
        bot.run(h.text(command, user=official))
    exported = bot.run(h.text("/statistik csv", user=official))
    [doc] = [c for c in exported if c.method == "sendDocument"]
    cells = [cell for row in csv.reader(io.StringIO(doc.params["_files"]["document"][1].decode()))
             for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert refused(h) == [] and errors(h) == 0


async def test_schedule_listing_fits_with_a_button_row_per_line_and_reasons_are_escaped(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        db = h.app.services.db
        for _ in range(20):   # /jadwal lists 10 a page; each line escapes to over 1,000 characters
            created = await create_broadcast(db, created_by=f"cli {LINK} " + "&" * 200, text="x",
                                             topic=next(iter(content.subscription_topics)),
                                             not_before=DURING_CAMPAIGN, now=DURING_CAMPAIGN)
        calls = await h.text("/jadwal", user=h.user(SUPER))
        listing = calls[-1]
        lines = [line for line in shown(listing).splitlines() if line.startswith("#")]
        assert 0 < len(lines) < 10 and "… dan" in shown(listing) and LINK in lines[0]
        *rows, pages = listing.params["reply_markup"]["inline_keyboard"]   # the last: pages
        assert len(rows) == len(lines) and all(b["callback_data"].startswith("1:j:") for b in pages)
        await charge_error(db, created, f"template error: {LINK} <3", 1, DURING_CAMPAIGN)
        text, ended, _ = await progress_text(h.app.services, created, DURING_CAMPAIGN)
        assert ended and f"{LINK} <3" in telegram_html.parse(text)
        assert refused(h) == [] and errors(h) == 0
