"""The numbers behind /statistik: counts only, gathered from storage, with a short summary and
a CSV of every aggregate. Telegram-free; no personal data, no question texts except the
redacted examples of unanswered groups (which already carry no user id)."""

from __future__ import annotations

import asyncio
import io
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from html import escape

from bot import csvsafe
from bot.content.registry import Content
from bot.insights.groups import Group, group_questions
from bot.listing import CAPTION_LIMIT, fit
from bot.officials.roles import shown_actor
from bot.regions.tree import RegionTree
from bot.storage import Database
from bot.storage.insights import (
    broadcast_outcome_totals,
    group_marks,
    metric_by_day,
    metric_by_region,
    metric_totals,
    newest_unanswered,
    subscriber_breakdown,
    subscribers_by_day,
    unanswered_texts,
)

QUESTION_METRICS = ("answered", "suggested", "unknown", "declined")
RECENT_FOR_GROUPS = 5_000      # /statistik: the top groups of the latest questions (a summary)
RECENT_FOR_LISTING = 100_000   # /pertanyaan: the latest this many (grouping is CPU work, about
                               # 30 us a question at worst: within 5 s at national size; the
                               # export groups them all)
LISTING_FRESH = 60.0           # /pertanyaan: groups at most this old, new questions or not
KEPT_SECONDS = 600.0           # groups given again while no question came in
CLOSED = ("handled", "out_of_scope")   # marks that take a group off the open list


@dataclass
class QuestionGroups:
    asked: int                     # questions grouped
    groups: list[Group]            # biggest first
    marks: dict[str, str]          # group key -> what officials decided

    def open(self) -> list[Group]:
        return [g for g in self.groups if self.marks.get(g.key) not in CLOSED]


async def question_groups(db: Database, since: str = "", limit: int = 200_000,
                          region: str | None = None, fresh: float = 0.0) -> QuestionGroups:
    """The questions that got "I don't know" (from `since`, the latest `limit`; with `region`,
    only its citizens'), grouped off the event loop, with officials' marks (read each time):
    for /statistik, /pertanyaan and the export.

    Grouping is CPU work (100,000 questions: about 2 CPU s), so this process keeps the last
    groups of each (since, limit, region) and gives them again while no question came in
    since (for at most KEPT_SECONDS: a purge does not say so), or while they are younger than
    `fresh` seconds even if some did (/pertanyaan: marking a group lists them again)."""
    newest = await newest_unanswered(db)
    key = (since, limit, region)
    kept: dict[tuple[str, int, str | None], tuple[float, int, int, list[Group]]]
    kept = db.cache.setdefault("question_groups", {})
    now = time.monotonic()
    last = kept.get(key)
    if last and now - last[0] < max(fresh, KEPT_SECONDS if last[1] == newest else 0.0):
        asked, groups = last[2], last[3]
    else:
        rows = await unanswered_texts(db, since=since, limit=limit, region=region)
        groups = await asyncio.to_thread(group_questions, rows)
        asked = len(rows)
        kept[key] = (now, newest, asked, groups)
    return QuestionGroups(asked, groups, marks_of(await group_marks(db), region))


def mark_key(key: str, region: str | None) -> str:
    """Where officials' mark on a group is kept: a region's officials mark their region's
    groups ("16.03/<key>"), the whole deployment's officials the whole's ("<key>")."""
    return f"{region}/{key}" if region else key


def marks_of(marks: dict[str, str], region: str | None) -> dict[str, str]:
    """The marks one region's officials (None: the whole deployment's) put, by group key."""
    prefix = mark_key("", region)
    return {k[len(prefix):]: v for k, v in marks.items()
            if k.startswith(prefix) and "/" not in k[len(prefix):]}


@dataclass
class Report:
    today: date
    subscribers_by_day: list[tuple[str, int]]
    by_kecamatan: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_campaign: list[tuple[str, int]]
    totals: dict[str, int]                       # metric -> count (all time)
    by_topic: dict[str, dict[str, int]]          # metric -> topic -> count
    per_day: dict[str, dict[str, int]]           # day -> metric -> count (recent)
    questions: QuestionGroups
    broadcasts: list[tuple[int, str, str, dict[str, int]]] = field(default_factory=list)
    region: str = ""                             # whose: a kabupaten/kota's name, or ""
    # A province's whole: per kabupaten/kota, (name, subscribers, questions asked).
    by_region: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def subscribers(self) -> int:
        return sum(n for _, n in self.subscribers_by_day)


async def gather(db: Database, content: Content, regions: RegionTree, today: date,
                 days: int = 90, region: str | None = None) -> Report:
    """The report for the whole deployment, or (`region`, a kabupaten/kota code, or a
    province's in a national deployment) for one region only; a province's report (the
    whole deployment's, or one province's of a national one) also breaks down by region."""
    since = (today - timedelta(days=days)).isoformat()
    # Grouping is CPU work in a thread; SQLite releases the GIL, so the queries overlap it. The
    # queries are independent: on PostgreSQL each takes a pooled connection, all at once.
    grouping = asyncio.create_task(question_groups(db, limit=RECENT_FOR_GROUPS, region=region))
    whole = (region is None or region in regions.provinces) and bool(regions.kabupaten)
    by_day, breakdown, kept_totals, kept_days, asked_rows, broadcasts = await asyncio.gather(
        subscribers_by_day(db, region), subscriber_breakdown(db, region),
        metric_totals(db, region=region), metric_by_day(db, QUESTION_METRICS, since, region),
        metric_by_region(db, QUESTION_METRICS, region) if whole else _nothing(),
        broadcast_outcome_totals(db, region=region))
    names = {k.code: k.name for k in regions.kecamatan} | regions.kabupaten_codes
    kecamatan: Counter[str] = Counter()
    language: Counter[str] = Counter()
    campaign: Counter[str] = Counter()
    per_region: Counter[str] = Counter()
    for kec, lang, code, n in breakdown:
        kecamatan[names.get(kec, kec or "belum memilih desa")] += n
        language[lang] += n
        campaign[code or "tanpa kampanye"] += n
        per_region[kec[:5]] += n
    totals: dict[str, int] = defaultdict(int)
    by_topic: dict[str, dict[str, int]] = defaultdict(dict)
    for metric, topic, n in kept_totals:
        totals[metric] += n
        if topic:
            by_topic[metric][content.topics[topic].title("id") if topic in content.topics
                             else topic] = n
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    for day, metric, n in kept_days:
        per_day[day][metric] = n
    by_region = []
    if whole:
        asked = dict(asked_rows)
        by_region = sorted(((names.get(code, code or "belum memilih wilayah"), per_region[code],
                             asked.get(code, 0)) for code in set(per_region) | set(asked)),
                           key=lambda r: (-r[1] - r[2], r[0]))
    questions = await grouping
    return Report(today, by_day, kecamatan.most_common(), language.most_common(),
                  campaign.most_common(), dict(totals), dict(by_topic),
                  dict(per_day), questions, broadcasts, _name(regions, names, region), by_region)


def without_officials_ids(report: Report) -> Report:
    """For all but super-admins: an official's broadcast says "petugas", not whose Telegram id
    ("tg:<id>"); the CLI's and the calendar's keep their names."""
    return replace(report, broadcasts=[
        (bid, state, shown_actor(by, to_super=False), counts)
        for bid, state, by, counts in report.broadcasts])


async def _nothing() -> list[tuple[str, int]]:
    return []


def _name(regions: RegionTree, names: dict[str, str], region: str | None) -> str:
    place = regions.place(region)
    return place.name if place else names.get(region or "", region or "")


def summary(report: Report, limit: int = CAPTION_LIMIT) -> str:
    """The chart's caption: the totals, then the top open question groups and the latest
    broadcasts as whole lines, as many as fit (citizens' words escaped)."""
    t = report.totals
    asked = sum(t.get(m, 0) for m in QUESTION_METRICS)
    answered = t.get("answered", 0)
    head = "\n".join([
        f"📈 <b>Statistik{f' {escape(report.region)}' if report.region else ''}</b> "
        f"(per {report.today.isoformat()})",
        f"Pelanggan aktif: <b>{report.subscribers}</b> · bahasa: "
        + (escape(", ".join(f"{k} {v}" for k, v in report.by_language)) or "-"),
        f"Pertanyaan: {asked} · terjawab {answered}"
        f"{f' ({answered / asked:.0%})' if asked else ''} · pilihan {t.get('suggested', 0)}"
        f" · tidak tahu {t.get('unknown', 0)} · di luar cakupan {t.get('declined', 0)}"
        f" · ditandai tidak membantu {t.get('unhelpful', 0)}",
        "Pelanggan yang dibawa kampanye: "
        f"{sum(n for code, n in report.by_campaign if code != 'tanpa kampanye')}"
        + escape("".join(f" · {code} {n}" for code, n in report.by_campaign[:4]
                         if code != "tanpa kampanye")),
    ] + (["Per wilayah (pelanggan/pertanyaan): " + escape(" · ".join(
        f"{name} {subs}/{asked}" for name, subs, asked in report.by_region[:6]))]
         if report.by_region else []))
    # Cut the citizen's words before escaping them: never through an entity.
    items = [f"❓ Belum terjawab: “{escape(g.top_examples(1)[0][:40])}” ×{g.count}"
             for g in report.questions.open()[:3]]
    items += [escape(f"Pengumuman #{bid} ({state}, {by}): terkirim {counts.get('sent', 0)}, "
                     f"diblokir {counts.get('blocked', 0)}, gagal {counts.get('failed', 0)}, "
                     f"tidak pasti {counts.get('unknown', 0)}")
              for bid, state, by, counts in report.broadcasts[:3]]
    return fit(head, items, limit=limit).text


def to_csv(report: Report) -> str:
    """Every aggregate as rows of section, key, sub-key, value."""
    out = io.StringIO()
    w = csvsafe.writer(out)
    w.writerow(["section", "key", "subkey", "value"])
    running = 0
    for day, n in report.subscribers_by_day:
        running += n
        w.writerow(["subscribers_total", day, "", running])
    for section, rows in (("subscribers_by_kecamatan", report.by_kecamatan),
                          ("subscribers_by_language", report.by_language),
                          ("subscribers_by_campaign", report.by_campaign)):
        for key, n in rows:
            w.writerow([section, key, "", n])
    for name, subs, asked in report.by_region:
        w.writerow(["subscribers_by_region", name, "", subs])
        w.writerow(["questions_by_region", name, "", asked])
    for metric, n in sorted(report.totals.items()):
        w.writerow(["questions_total", metric, "", n])
    for metric, topics in sorted(report.by_topic.items()):
        for topic, n in sorted(topics.items()):
            w.writerow(["questions_by_topic", metric, topic, n])
    for day, metrics in sorted(report.per_day.items()):
        for metric, n in sorted(metrics.items()):
            w.writerow(["questions_by_day", day, metric, n])
    for g in report.questions.groups[:50]:
        w.writerow(["unanswered_group", " ".join(g.words), report.questions.marks.get(g.key, ""),
                    g.count])
    for bid, state, by, counts in report.broadcasts:
        for outcome, n in sorted(counts.items()):
            w.writerow(["broadcast", f"{bid} {state} {by}", outcome, n])
    return out.getvalue()
