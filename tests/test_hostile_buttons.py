"""Every callback prefix the bot defines, pressed with arbitrary data (hypothesis): unicode
digits, huge and negative numbers, missing and extra parts, other users' ids and drafts, data
over 64 bytes; as a citizen, a viewer, an announcer and an official whose role was removed.

Each press: no handler raises (the error counter stays put: the error handler's polite answer
would hide a crash), the press is answered (its spinner stops) and Telegram refuses nothing,
and the database changes only where the presser's role may write:

- anyone: rows of their own (a row whose user_id is theirs: their user row and region,
  subscription, topics, daily cap counts, campaign starts; all of them, for "delete my data")
  and the daily counters without user ids (daily_stats, answer_feedback);
- a viewer also: question marks and the audit log (/pertanyaan is theirs);
- an announcer also: broadcasts and approval requests (/umumkan, /jadwal, the second person's
  approval), question marks and the audit log;
- a removed official: what a citizen may, nothing more.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.callbacks import KINDS
from bot.content.registry import Content, load_content
from bot.ids import ROW_ID_MAX, USER_ID_MAX
from bot.officials.drafts import Draft
from bot.regions.loader import load_regions
from bot.storage.broadcasts import create_broadcast
from bot.storage.officials import request_approval
from tests.conftest import DURING_CAMPAIGN, FIXTURE_CONTENT
from tests.fakes.harness import texts
from tests.fakes.subscribers import subscribe_through
from tests.fakes.syncbot import SyncBot

SUPER, CITIZEN, VIEWER, ANNOUNCER, REMOVED, SECOND = 9500, 9501, 9502, 9503, 9504, 9505
MINE, OTHERS = "{mine}", "{others}"      # the announcer's current draft, another official's
GROUP = "{group}"                         # a question group's key
FOUND: dict[str, str] = {}                # what setup() found for the placeholders
PEOPLE = (SUPER, CITIZEN, VIEWER, ANNOUNCER, REMOVED, SECOND, 9601, 9602, 9603)
# Counts without a user id: daily ones, and those kept as they change (migrations 0016, 0018).
COUNTERS = {"daily_stats", "answer_feedback", "stat_totals", "subscriber_days", "subscriber_groups",
            "subscriber_scope_days", "stat_scope_days", "stat_scope_totals"}
MAY_WRITE = {
    CITIZEN: COUNTERS,
    VIEWER: COUNTERS | {"question_marks", "audit_log"},
    ANNOUNCER: COUNTERS | {"question_marks", "audit_log", "broadcasts", "approvals"},
    REMOVED: COUNTERS,
}
HOSTILE = ["²", "٣", "¹²", "0", "-1", "+1", " 1", "1 ", "1.0", "1e3", "", "x", "K²", "D1.²",
           "P٣", "T9999", "K-", "L-", "Lid", "Lzz", "C-", "D0.0", "K0", "T0", "P0", "C0",
           "99999999999999999999", str(ROW_ID_MAX), str(ROW_ID_MAX + 1), str(USER_ID_MAX),
           str(USER_ID_MAX + 1), str(2**64), "0" * 30, "9" * 70, "\x00", "‮", "<b>", "%s",
           "y", "n", "p", "r", "c", "a", "v", "h", "o", "s", "x", "w", "e", "u", "k", "l", "t"]
FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Iterator[SyncBot]:
    running = SyncBot(tmp_path_factory.mktemp("buttons"), content, ADMIN_IDS=str(SUPER),
                      APPROVAL_THRESHOLD="1")
    try:
        running.run(setup(running))
        yield running
    finally:
        running.close()


async def setup(bot: SyncBot) -> None:
    """Officials of each kind, subscribers, broadcasts, approval requests and question groups:
    real ids for the presses to name (their own and other people's)."""
    h, db = bot.h, bot.app.services.db
    admin = h.user(SUPER)
    for uid, role in ((VIEWER, "pemantau"), (ANNOUNCER, "pengumum"), (SECOND, "pengumum"),
                      (REMOVED, "pengumum")):
        await h.text(f"/petugas tambah {uid} {role}", user=admin)
    await h.text(f"/petugas hapus {REMOVED}", user=admin)
    await subscribe_through(db, [9601, 9602, 9603], DURING_CAMPAIGN)
    for uid in PEOPLE:
        await h.text("/start", user=h.user(uid))
    for text in ("zorblax quux flibber?", "zorblax quux flibber??", "wibble wobble plonk"):
        await h.text(text, user=h.user(9601))
    await h.text("/pertanyaan", user=h.user(VIEWER))          # its buttons name the groups
    listing = h.last_message_with_keyboard(VIEWER)
    FOUND[GROUP] = listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2]
    await h.text("/umumkan", user=h.user(SECOND))             # another official's draft
    for when in (timedelta(0), timedelta(days=2)):
        await create_broadcast(db, created_by="cli", topic="announcements", text="Rapat",
                               not_before=DURING_CAMPAIGN + when, now=DURING_CAMPAIGN)
    for who in (ANNOUNCER, SECOND):
        draft = Draft("abcdef", who, DURING_CAMPAIGN, step="done", text="Rapat warga")
        await request_approval(db, who, draft.record(), 3, DURING_CAMPAIGN)


@functools.cache
def examples() -> dict[str, list[str]]:
    """Well-formed data of every kind, as the bot writes it, naming real things of the fixture
    content and of setup(): topics, entries, region codes, people, broadcasts and approval
    requests (1 and 2), drafts and question groups (placeholders, filled in at the press)."""
    content = load_content(FIXTURE_CONTENT)
    regions = load_regions(content)
    kecamatan = [k.code for k in regions.kecamatan[:2]]
    desa = [d.code for k in kecamatan for d in regions.desa_of[k][:2]]
    entries = list(content.entries)[:3]
    ops = ["x", "v", "s", "w", "e", "o", "k", "l", "t", "c", "u", "n", "K-", "K0", "K1", "B-", "B0", "D0.0",
           "D1.2", "L-", "Lid", "Len", "P0", "P2", "C-", "C0", "T0", "T1", "k1", "e1", "c1",
           "B0.1", "K0.1", "K1.0", "V99", "V98.1", "U0", "U1"]
    made = {
        "m": ["1:m:"], "L": ["1:L:"], "S": ["1:S:"], "u": ["1:u:"], "N": ["1:N:"],
        "t": [f"1:t:{t}" for t in content.topics], "e": [f"1:e:{e}" for e in entries],
        "f": [f"1:f:{c}:{e}" for c in "yn" for e in entries], "l": ["1:l:id", "1:l:en"],
        "d": ["1:d:y", "1:d:n"], "k": ["1:k:0", "1:k:1"], "b": ["1:b:0", "1:b:1"],
        "g": [f"1:g:{content.election.region.code}:{n}" for n in (0, 1)],
        "r": [f"1:r:{r}:{e}" for r in (content.election.region.code, *kecamatan, *desa)
              for e in entries],
        "w": [f"1:w:{content.election.region.code}:{e}" for e in entries],
        "R": [f"1:R:{content.election.region.code}", "1:R:98.01"],
        "I": ["1:I:0:-", "1:I:1:+", *(f"1:I:0:{e}" for e in entries)],
        "B": [f"1:B:{province}:{n}:{p}" for province in (content.election.region.code[:2], "98")
              for n in (0, 1) for p in ("-", "+", entries[0])],
        "c": [f"1:c:{k}:{n}" for k in kecamatan for n in (0, 1)],
        "v": [f"1:v:{d}" for d in desa], "s": [f"1:s:{d}" for d in desa],
        "y": [f"1:y:{d}" for d in desa], "p": [f"1:p:{d}:{n}" for d in desa for n in (1, 2)],
        "n": [*(f"1:n:{r}:{n}" for r in (*kecamatan, *desa) for n in (0, 1)),
              *(f"1:n:{d}:0:{e}" for d in desa for e in entries)],
        "T": [f"1:T:{t}" for t in content.subscription_topics],
        "A": [f"1:A:{d}:{op}" for d in (MINE, OTHERS) for op in ops],
        "P": [f"1:P:{i}:{c}{p}" for i in (1, 2) for c in "ynw" for p in ("", ":0")],
        "J": [f"1:J:{i}:{c}{p}" for i in (1, 2) for c in "prc" for p in ("", ":0", ":1")],
        "j": ["1:j:0", "1:j:1"],
        "O": [f"1:O:{uid}:{c}" for uid in PEOPLE for c in "acvACV"],
        "W": [f"1:W:{uid}:{c}:{r}" for uid in PEOPLE for c in "acv"
              for r in ("-", content.election.region.code, "98")],
        "X": [f"1:X:{uid}:{c}:{r}" for uid in PEOPLE for c in "av" for r in ("-.0", "98.1")],
        "Q": [f"1:Q:{GROUP}:{c}" for c in "hon"],
    }
    assert set(made) == set(KINDS)                    # every kind the bot defines is pressed
    return made


UNICODE_DIGITS = ["²", "¹²", "1²", "²³", "٣", "٣٣", "𝟙", "७"]   # isdigit(); int() varies
NUMBERS = ["-1", "0", "00", "+7", " 1", "1.0", "1e3", "", "99999999999999999999",
           str(ROW_ID_MAX + 1), str(USER_ID_MAX + 1), str(2**64), "9" * 70]


@st.composite
def forged(draw: st.DrawFn, kind: str) -> str:
    """One of the bot's own buttons, then changed as a hostile client would: a part replaced
    (by a unicode digit, a huge or negative number, another thing's id, any text), its
    numbers replaced, a part dropped or added, or the whole argument any text."""
    parts = draw(st.sampled_from(examples()[kind])).split(":")
    pieces = sorted({p for datas in examples().values() for d in datas for p in d.split(":")[2:]})
    number = st.sampled_from(UNICODE_DIGITS) | st.sampled_from(NUMBERS)
    anything = st.one_of(st.sampled_from(pieces), st.sampled_from(HOSTILE), number,
                         st.text(max_size=12), st.integers(-2**70, 2**70).map(str))
    how = draw(st.sampled_from(["numbers", "numbers", "numbers", "part", "part", "drop",
                                "extra", "text", "as made"]))
    if how == "part":
        at = draw(st.integers(0, len(parts) - 1))
        parts[at] = draw(anything)
    elif how == "numbers":
        parts = [re.sub(r"[0-9]+", lambda _: draw(number), p) if i >= 2 else p
                 for i, p in enumerate(parts)]
    elif how == "drop" and len(parts) > 2:
        del parts[draw(st.integers(2, len(parts) - 1))]
    elif how == "extra":
        parts.insert(draw(st.integers(2, len(parts))), draw(anything))
    elif how == "text":
        parts = [*parts[:2], draw(st.text(max_size=80))]
    return ":".join(parts)


async def snapshot(bot: SyncBot) -> dict[str, set[tuple[Any, ...]]]:
    """Every table's rows, and for each table whether it has a user_id column (its index)."""
    conn = bot.app.services.db.conn
    tables: dict[str, set[tuple[Any, ...]]] = {}
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                            " AND name NOT LIKE 'sqlite_%'") as cur:
        names = [row[0] for row in await cur.fetchall()]
    for name in names:
        async with conn.execute(f'SELECT * FROM "{name}"') as cur:
            columns = [c[0] for c in cur.description]
            rows = await cur.fetchall()
        owner = columns.index("user_id") if "user_id" in columns else None
        tables[name] = {(owner, *row) for row in rows}
    return tables


def foreign_changes(before: dict[str, set[tuple[Any, ...]]],
                    after: dict[str, set[tuple[Any, ...]]], presser: int) -> list[str]:
    """Changed rows the presser's role may not write (see the module's docstring)."""
    wrong = []
    for table in sorted(set(before) | set(after)):
        changed = before.get(table, set()) ^ after.get(table, set())
        if not changed or table in MAY_WRITE[presser]:
            continue
        for row in changed:
            owner = row[0]
            if owner is None or row[1 + owner] != presser:
                wrong.append(f"{table}: {row[1:]}")
    return wrong


def press(bot: SyncBot, presser: int, pressed: str) -> None:
    h = bot.h
    user = h.user(presser)
    store = bot.app.bot_data["drafts"]
    if presser == ANNOUNCER and store.last_seen(ANNOUNCER) is None:
        bot.run(h.text("/umumkan", user=user))       # a draft of their own to press on
    drafts = {o: d for o in (ANNOUNCER, SECOND) if (d := store.last_seen(o)) is not None}
    for placeholder, value in ((MINE, drafts[ANNOUNCER].id if ANNOUNCER in drafts else "gone00"),
                               (OTHERS, drafts[SECOND].id if SECOND in drafts else "gone00"),
                               (GROUP, FOUND[GROUP])):
        pressed = pressed.replace(placeholder, value)
    if not any(cid == presser and m.get("reply_markup") for (cid, _), m in h.api.messages.items()):
        bot.run(h.text("/start", user=user))      # an edit took the last keyboard away
    message = h.last_message_with_keyboard(presser)
    before_rows = bot.run(snapshot(bot))
    mark = bot.mark()
    bot.run(h.press(pressed, message=message, user=user))
    calls = bot.since(mark)                      # nothing raised, nothing refused, answered
    assert "answerCallbackQuery" in [c.method for c in calls], [c.method for c in calls]
    assert not any("Traceback" in t or "Exception" in t for t in texts(calls))
    after_rows = bot.run(snapshot(bot))
    assert foreign_changes(before_rows, after_rows, presser) == []


# Any press of any kind; first, each of issue 16's reproductions.
PRESSES = st.sampled_from(sorted(KINDS)).flatmap(forged)
REPRODUCED = ["1:k:²", "1:c:16.03.01:²", "1:L:x:²", "1:P:99999999999999999999:y", "1:J:²:p",
              "1:A:{mine}:K²", "1:A:{mine}:D0.²", "1:A:{mine}:P²", "1:A:{mine}:T²"]
Test = Callable[[SyncBot, str], None]


def presses(test: Test) -> Test:
    for data in reversed(REPRODUCED):
        test = example(pressed=data)(test)
    return FAST(given(pressed=PRESSES)(test))


@presses
def test_a_citizen_pressing_anything(bot: SyncBot, pressed: str) -> None:
    press(bot, CITIZEN, pressed)


@presses
def test_a_viewer_pressing_anything(bot: SyncBot, pressed: str) -> None:
    press(bot, VIEWER, pressed)


@presses
def test_an_announcer_pressing_anything(bot: SyncBot, pressed: str) -> None:
    press(bot, ANNOUNCER, pressed)


@presses
def test_a_removed_official_pressing_anything(bot: SyncBot, pressed: str) -> None:
    press(bot, REMOVED, pressed)


def test_the_presses_reach_every_handler(bot: SyncBot) -> None:
    """The property tests are worth something only if well-formed data gets through: each
    kind, pressed once with data like the bot's own, is acted on (not the stale answer)."""
    h = bot.h
    # In the presser's language, which the property tests' language buttons may have changed.
    stale = {bot.app.services.content.message("stale_button", lang) for lang in ("id", "en")}
    regions = bot.app.services.regions
    kecamatan = regions.kecamatan[0].code
    desa = regions.desa_of[kecamatan][0].code
    entry = next(iter(bot.app.services.content.entries))
    for presser, pressed in [(CITIZEN, "1:k:0"), (CITIZEN, f"1:c:{kecamatan}:0"),
                             (CITIZEN, f"1:s:{desa}"), (CITIZEN, f"1:e:{entry}"),
                             (CITIZEN, "1:m:"), (VIEWER, "1:J:1:p"), (ANNOUNCER, "1:J:1:p")]:
        mark = bot.mark()
        bot.run(h.press(pressed, message=h.last_message_with_keyboard(presser),
                        user=h.user(presser)))
        shown = texts(bot.since(mark))
        assert bool(stale & set(shown)) == (presser == VIEWER), (pressed, shown)  # /jadwal: not theirs
