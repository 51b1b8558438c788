"""Unanswered-question groups, /pertanyaan marks, /statistik chart and CSV, and the export CLI."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image

from bot.content.registry import Content
from bot.insights.groups import group_questions, words
from bot.insights.report import gather, question_groups
from bot.regions.tree import RegionTree
from bot.storage import Database, open_database
from bot.storage.insights import add_daily_stats, mark_group
from bot.storage.questions import record_unanswered
from bot.storage.subscriptions import subscribe, unsubscribe
from bot.storage.users import set_region, touch_user
from tests.conftest import DURING_CAMPAIGN
from tests.fakes.harness import offline_bot
from tests.fakes.subscribers import bulk_subscribe, subscribe_through
from tests.test_cli import run

SUPER, VIEWER = 900, 903
ASKED = [
    "berapa gaji kpps?", "gaji kpps berapa ya", "Gaji KPPS brp?", "berapa sih gajinya kpps",
    "boleh bawa anak ke tps?", "boleh ga bawa anak ke TPS",
    "siapa ketua rt saya",
]


def test_similar_questions_group_together_biggest_first() -> None:
    assert words("Gaji KPPS brp?") == words("berapa gaji kpps") == {"berapa", "gaji", "kpps"}
    groups = group_questions([(q, "2029-02-01T10:00:00") for q in ASKED])
    assert [g.count for g in groups] == [4, 2, 1]
    assert set(groups[0].words) == {"berapa", "gaji", "kpps"}
    assert groups[0].key == group_questions([(q, "x") for q in ASKED[:4]])[0].key   # stable
    assert group_questions([]) == []


async def test_questions_are_listed_grouped_and_marks_hide_handled_groups(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await h.text(f"/petugas tambah {VIEWER} pemantau", user=h.user(SUPER))
        for q in ASKED:
            await record_unanswered(h.app.services.db, q, "id", DURING_CAMPAIGN)
        viewer = h.user(VIEWER)
        shown = await h.text("/pertanyaan", user=viewer)
        text = shown[-1].params["text"]
        assert "7 pertanyaan, 3 kelompok" in text and "×4" in text
        assert text.index("×4") < text.index("×2") < text.index("×1")
        marked = await h.press_label("1 ✅", user=viewer)
        assert "×4" not in marked[-1].params["text"] and "×2" in marked[-1].params["text"]
        everything = await h.text("/pertanyaan semua", user=viewer)
        assert "ditangani" in everything[-1].params["text"]
        audit = await h.text("/audit", user=h.user(SUPER))
        assert "questions.mark" in audit[-1].params["text"]


async def test_groups_are_given_again_until_a_question_comes_in(database: str) -> None:
    """Grouping once per new question, not per look (both backends): the same groups while
    none came in, regrouped when one did, unless the caller accepts groups `fresh` seconds old;
    marks are read each time."""
    db = await open_database(database)
    try:
        for q in ASKED[:4]:
            await record_unanswered(db, q, "id", DURING_CAMPAIGN)
        first = await question_groups(db, limit=100)
        assert (await question_groups(db, limit=100)).groups is first.groups
        await mark_group(db, first.groups[0].key, "handled", "t", DURING_CAMPAIGN)
        marked = await question_groups(db, limit=100)
        assert marked.groups is first.groups and marked.open() == []
        await record_unanswered(db, ASKED[4], "id", DURING_CAMPAIGN)
        assert (await question_groups(db, limit=100, fresh=60)).asked == 4    # a minute old
        again = await question_groups(db, limit=100)
        assert again.asked == 5 and [g.count for g in again.groups] == [4, 1]
        assert (await question_groups(db, limit=100, region="16.03")).asked == 0
    finally:
        await db.close()


async def test_statistics_chart_summary_and_csv(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await subscribe_through(h.app.services.db, list(range(1, 11)), DURING_CAMPAIGN,
                                lambda i: "en" if i > 7 else "id")
        citizen = h.user(600)
        await h.text("kapan hari pencoblosan?", user=citizen)
        await h.text("qwerty zxcvb asdfgh", user=citizen)
        await h.app.services.stats.flush()
        shown = await h.text("/statistik", user=h.user(SUPER))
        [photo] = [c for c in shown if c.method == "sendPhoto"]
        _, png = photo.params["_files"]["photo"]
        assert Image.open(io.BytesIO(png)).format == "PNG"
        assert "Pelanggan aktif: <b>10</b>" in photo.params["caption"]
        assert "id 7" in photo.params["caption"] and "en 3" in photo.params["caption"]
        exported = await h.text("/statistik csv", user=h.user(SUPER))
        [doc] = [c for c in exported if c.method == "sendDocument"]
        rows = list(csv.DictReader(io.StringIO(doc.params["_files"]["document"][1].decode())))
        value = {(r["section"], r["key"]): r["value"] for r in rows}
        assert value[("subscribers_by_language", "id")] == "7"
        assert value[("questions_total", "unknown")] == "1"
        assert sum(int(r["value"]) for r in rows if r["section"] == "questions_total") == 2
        # Counts only: no user id of any subscriber appears.
        assert not any(r["key"] in {"600", "1", "2"} for r in rows if "subscribers" in r["section"])


async def test_questions_export_cli(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    await bulk_subscribe(database, [])
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO unanswered_questions (text, language, asked_at)"
                         " VALUES (?, 'id', ?)",
                         [(q, "2029-02-01T10:00:00" if i < 5 else "2029-03-01T10:00:00")
                          for i, q in enumerate(ASKED)])
    env = {"DATABASE_PATH": str(database)}
    result = run("questions", "export", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["count"]) for r in rows] == [4, 2, 1]
    assert rows[0]["example_1"] and rows[0]["status"] == ""
    since = run("questions", "export", "--since", "2029-02-15", "-o", "out.csv", cwd=tmp_path,
                env=env)
    assert since.returncode == 0, since.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [int(r["count"]) for r in rows] == [1, 1]
    bad = run("questions", "export", "--since", "kemarin", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "--since 'kemarin'" in bad.stderr


async def test_the_report_is_its_rows_counted(database: str, content: Content,
                                              regions: RegionTree) -> None:
    """/statistik's numbers (kept counts, migrations 0016 and 0018) equal the rows counted,
    for the whole deployment and one kabupaten/kota, on both backends."""
    today = date(2029, 2, 1)
    db = await open_database(database)
    try:
        for i in range(14):
            when = datetime(2029, 1, 1 + i % 5, 9, tzinfo=UTC)
            await touch_user(db, 700 + i, ("id", "en")[i % 2], when)
            await subscribe(db, 700 + i, when, ["announcements"])
            if i % 4:
                await set_region(db, 700 + i, ("99.01.05.2001", "99.01", "98.02.01.1001")[i % 3])
        await unsubscribe(db, 703)
        await add_daily_stats(db, [
            (((today - timedelta(days=d)).isoformat(), ("answered", "unknown", "start")[d % 3],
              ("tps", "")[d % 2], ("99.01.05", "99.01", "", "98.02.01")[d % 4], "id", ""),
             1 + d % 7) for d in range(0, 120, 5)])
        for region in (None, "99.01"):
            report = await gather(db, content, regions, today, region=region)
            place = "1 = 1" if region is None else f"u.region_code LIKE '{region}%'"
            where = "1 = 1" if region is None else f"kecamatan LIKE '{region}%'"
            assert report.subscribers_by_day == await _rows(
                db, "SELECT substr(s.subscribed_at, 1, 10), COUNT(*) FROM subscriptions s JOIN"
                    f" users u ON u.user_id = s.user_id WHERE s.active = 1 AND {place}"
                    " GROUP BY 1 ORDER BY 1")
            assert sorted(report.by_language) == await _rows(
                db, "SELECT u.language, COUNT(*) FROM subscriptions s JOIN users u"
                    f" ON u.user_id = s.user_id WHERE s.active = 1 AND {place} GROUP BY 1")
            assert sorted(report.totals.items()) == await _rows(
                db, f"SELECT metric, SUM(count) FROM daily_stats WHERE {where} GROUP BY 1")
            since = (today - timedelta(days=90)).isoformat()
            assert sorted((day, metric, n) for day, metrics in report.per_day.items()
                          for metric, n in metrics.items()) == await _rows(
                db, "SELECT day, metric, SUM(count) FROM daily_stats WHERE metric IN"
                    f" ('answered', 'unknown') AND day >= '{since}' AND {where}"
                    " GROUP BY 1, 2 ORDER BY 1, 2")
            assert report.subscribers and report.totals and report.per_day
    finally:
        await db.close()


async def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    async with db.conn.execute(sql) as cur:
        return sorted(tuple(int(v) if isinstance(v, Decimal) else v for v in r)
                      for r in await cur.fetchall())
