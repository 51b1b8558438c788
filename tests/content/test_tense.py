"""Every bundled answer reads right on every day of the election's calendar (issue 19): rendered
on a day in each phase (before voting, voting day, counting, after the results) and after each
milestone, no answer says a deadline lies ahead once it has passed, urges an action before
voting day once voting is over, or tells as done what has not happened yet.

The reading is deliberately plain: an answer is cut into sentences (a line that ends with a
colon leads each bullet under it), the dates a sentence names are read, and the sentence's
wording is matched against short lists of phrases that put it in the future or the past."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.content.phases import sample_days
from bot.content.registry import Content

MONTHS = {name: n for n, names in enumerate([
    ("januari", "january", "jan"), ("februari", "february", "feb"), ("maret", "march", "mar"),
    ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
    ("agustus", "august", "aug"), ("september", "sep", "sept"), ("oktober", "october", "oct"),
    ("november", "nov"), ("desember", "december", "dec")], start=1) for name in names}
DATE = re.compile(r"\b(\d{1,2})(?:\s*[–-]\s*(\d{1,2}))?\s+(" + "|".join(
    sorted(MONTHS, key=len, reverse=True)) + r")\b\.?(?:\s+(\d{4}))?", re.IGNORECASE)
YEAR = re.compile(r"\b(20\d\d)\b")

# Wording that puts something ahead of the reader.
FUTURE = ("paling lambat", "akan ", "dijadwalkan", "batas akhir", "masih bisa", "masih dibuka",
          "segera", "will ", "is due", "are due", "due to", "scheduled", "at the latest",
          "no later than", "deadline is", "still open", "can still")
# Actions that only make sense while voting day lies ahead.
BEFORE_VOTING = ("/hitungmundur", "/countdown", "sisa waktu", "how long is left",
                 "pastikan kamu terdaftar", "make sure you are registered",
                 "ajukan pendaftaran", "ask to be registered", "pendaftarannya diumumkan",
                 "announces its own recruitment", "siapkan ktp", "have your ktp")
# Deadlines counted back from voting day: with future wording, ahead of voting day only.
BEFORE_VOTING_DAY = ("sebelum hari pencoblosan", "sebelum hari pemungutan", "before voting day",
                     "the day before voting", "before voting")
# Wording that tells of something done.
PAST = ("sudah lewat", "telah lewat", "sudah berlangsung", "sudah selesai", "telah selesai",
        "sudah berakhir", "sudah ditetapkan", "waktu itu", "saat itu", "passed", "took place",
        "had to", "back then", "have been set", "has passed", "ended")
DONE = (*PAST, "dinyatakan", "ditetapkan", "dilantik", "memperoleh", "unggul", "won", "ruled",
        "sworn in", "declared", "led")
# A sentence about the next election may speak of the future after this one.
NEXT = ("pemilihan berikutnya", "pilkada berikutnya", "next election")

TAG = re.compile(r"<[^>]+>")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z•(\"])")
BULLET = re.compile(r"^(•|-|\d+\.)\s")


def sentences(answer: str) -> list[str]:
    """Sentences of an answer; a line ending with a colon leads each bullet under it."""
    found: list[str] = []
    lead = ""
    for line in html.unescape(TAG.sub("", answer)).splitlines():
        line = line.strip()
        if not line:
            lead = ""
            continue
        if BULLET.match(line):
            found.append(f"{lead} {line}".strip())
            continue
        lead = line if line.endswith(":") else ""
        found.extend(SENTENCE.split(line))
    return found


def dates(sentence: str, default_year: int) -> list[date]:
    found = []
    years = [int(y) for y in YEAR.findall(sentence)]
    for match in DATE.finditer(sentence):
        month = MONTHS[match[3].lower()]
        later = [int(y) for y in YEAR.findall(sentence[match.end():])]
        year = int(match[4]) if match[4] else (later[0] if later else
                                                (years[0] if years else default_year))
        for day in (match[1], match[2]):
            if day and 1 <= int(day) <= 31:
                found.append(date(year, month, int(day)))
    return found


def has(sentence: str, words: tuple[str, ...]) -> bool:
    """Whole words only: "akan" is not in "perebutkan"."""
    low = sentence.lower()
    return any(re.search(rf"(?<!\w){re.escape(w.strip())}(?!\w)", low) for w in words)


def misreadings(text: str, day: date, voting_day: date) -> list[str]:
    """What reads wrong on `day` in an answer (its list of sources, after 📚, is not read)."""
    wrong = []
    for s in sentences(text.split("📚")[0]):
        named = dates(s, voting_day.year)
        if has(s, FUTURE) and named and max(named) < day and not has(s, PAST):
            wrong.append(f"says ahead what has passed: {s}")
        ahead = has(s, BEFORE_VOTING) or (has(s, FUTURE) and has(s, BEFORE_VOTING_DAY))
        if day > voting_day and ahead and not has(s, PAST + NEXT):
            wrong.append(f"urges an action before voting day after it: {s}")
        if has(s, DONE) and named and min(named) > day:
            wrong.append(f"tells as done what has not happened: {s}")
    return wrong


def days_of(content: Content) -> list[date]:
    """One day in each distinct timeline of the calendar, and "today" as the issue saw it."""
    return sorted({*sample_days(content.election), date(2026, 1, 25)})


def moment(content: Content, day: date) -> datetime:
    return datetime.combine(day, time(12), ZoneInfo(content.election.timezone))


def test_no_answer_misreads_the_calendar_on_any_day(bundled_content: Content) -> None:
    voting_day = bundled_content.election.voting_day
    found = []
    for day in days_of(bundled_content):
        for eid in bundled_content.entries:
            for lang in ("id", "en"):
                text = bundled_content.answer(eid, lang, moment(bundled_content, day))
                found += [f"{eid}.{lang} on {day}: {w}" for w in misreadings(text, day, voting_day)]
    assert found == []


def test_the_days_cover_every_phase(bundled_content: Content) -> None:
    phases = {bundled_content.timeline(moment(bundled_content, d)).phase
              for d in days_of(bundled_content)}
    assert phases == {"before_voting", "voting_day", "counting", "after_results"}


@pytest.mark.parametrize(("text", "day", "problem"), [
    ("Ketik /hitungmundur untuk melihat sisa waktunya.", date(2025, 1, 1), "before voting"),
    ("Rekap kabupaten (pengumuman paling lambat 12 Desember).", date(2024, 12, 20), "ahead"),
    ("Edison–Sumarni dijadwalkan dilantik pada 20 Februari 2025.", date(2026, 1, 1), "ahead"),
    ("Dua batas waktu, yang keduanya sudah lewat:\n• Sampai 26 Oktober 2024: tugas.",
     date(2024, 10, 1), "not happened"),
    ("KPPS wajib mengantarnya paling lambat 3 hari sebelum hari pencoblosan.",
     date(2024, 12, 1), "before voting"),
])
def test_the_reading_catches_what_issue_19_found(text: str, day: date, problem: str) -> None:
    assert any(problem in w for w in misreadings(text, day, date(2024, 11, 27)))


@pytest.mark.parametrize("text", [
    "Waktu itu KPPS wajib mengantarnya paling lambat 3 hari sebelum hari pencoblosan.",
    "Untuk pemilihan berikutnya, rekrutmennya akan diumumkan lagi.",
    "Masa tenang: 24–26 November 2024 (Minggu sampai Selasa, 3 hari).",
])
def test_the_reading_leaves_what_reads_right(text: str) -> None:
    assert misreadings(text, date(2025, 6, 1), date(2024, 11, 27)) == []


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=5, tzinfo=UTC)


def test_results_entries_follow_what_has_happened(bundled_content: Content) -> None:
    answer = bundled_content.answer
    counting = answer("hasil_muara_enim", "id", at("2024-11-30"))
    assert "114.258" not in counting and "belum" in counting
    after_ruling = answer("hasil_muara_enim", "id", at("2025-02-10"))
    assert "37.710" in after_ruling and "37.751" in after_ruling
    assert "dijadwalkan 20 Februari 2025" in after_ruling
    sworn_in = answer("hasil_muara_enim", "en", at("2026-01-25"))
    assert "were sworn in" in sworn_in and "scheduled" not in sworn_in
    assert "have been set" in answer("jadwal_hasil", "en", at("2026-01-25"))
    assert "have been set" not in answer("jadwal_hasil", "en", at("2024-11-30"))


def test_the_audits_corrections_hold(bundled_content: Content) -> None:
    answer = bundled_content.answer
    dispute = answer("sengketa_mk", "id", at("2026-01-25"))
    assert "3 hari kerja" in dispute and "PKPU 18/2024" in dispute
    assert "3 working days" in answer("sengketa_mk", "en", at("2026-01-25"))
    ethics = answer("jenis_pelanggaran", "en", at("2026-01-25"))
    assert "PPK, PPS, KPPS" in ethics and "handled by <b>KPU</b> itself" in ethics
    organisers = answer("penyelenggara", "id", at("2026-01-25"))
    assert "Perpu 1/2014 Pasal 27 ayat 2" in organisers and "20 November" in organisers
    contacts = answer("kontak_resmi", "id", at("2026-01-25"))
    assert "per Februari 2025" in contacts and "per September 2025" in contacts


RUN_ON = re.compile(r"[a-z0-9)\]]\.[A-Z]")


def test_no_line_runs_into_the_next(bundled_content: Content) -> None:
    """A block tag closing a line (`...text{% endif %}`) would swallow the line break after it
    (trim_blocks): such lines end with `+%}`. Caught here as "(21 Nov 2024).Under Circular"."""
    found = set()
    for day in days_of(bundled_content):
        for eid in bundled_content.entries:
            for lang in ("id", "en"):
                body = bundled_content.answer(eid, lang, moment(bundled_content, day))
                body = TAG.sub("", body.split("📚")[0])
                found |= {(eid, lang, m[0]) for m in RUN_ON.finditer(body)}
    assert found == set()
