"""`python -m bot broadcast ...`: create and control broadcasts in the outbox.

These commands work on the same database as a running `python -m bot run`, whose delivery
engine picks up new, paused, resumed and cancelled broadcasts within a second or so.
"""

from __future__ import annotations

import asyncio
import html
import sys
from datetime import datetime

from bot.content.registry import Content
from bot.content.render import TELEGRAM_MAX_TEXT, telegram_length
from bot.ids import row_id
from bot.masking import redact
from bot.regions.tree import RegionTree
from bot.settings import Settings
from bot.storage import Database, open_database
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import (
    FINAL_STATES,
    OUTCOMES,
    TRANSITIONS,
    Broadcast,
    create_broadcast,
    get_broadcast,
    outcome_counts,
    progress,
)
from bot.storage.officials import audit, control_broadcast
from bot.storage.subscriptions import count_audience_by_language


class InputError(Exception):
    """Bad input from the operator: one precise line, and nothing is created."""


def parse_id(text: str) -> int:
    """A broadcast id as typed: bounded here, as the database cannot hold a larger integer
    (SQLite raised OverflowError past 64 bits)."""
    found = row_id(text)
    if found is not None:
        return found
    if text.isascii() and text.isdigit():
        raise InputError(f"no broadcast {text}")
    raise InputError(f"{text!r} is not a broadcast id (a number, as `broadcast list` shows)")


def parse_at(text: str, settings: Settings, now: datetime) -> datetime:
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(f"--at {text!r} is not a date and time like \"2024-11-26 08:00\"") from None
    moment = local.replace(tzinfo=settings.tz)
    if moment <= now:
        raise InputError(f"--at {text} ({settings.timezone}) is in the past")
    return moment


def validate_region(regions: RegionTree, code: str | None) -> str | None:
    """The region an audience is narrowed to (None: the whole deployment, only when no
    --region was given or it names the deployment's own code). An empty one (an unset shell
    variable, `--region "$KEC"`) is refused, never read as "everyone"."""
    if code is None:
        return None
    code = code.strip()
    if not code:
        raise InputError(f"--region is empty (an unset variable?); give a kecamatan or "
                         f"desa/kelurahan code, {regions.root_code} for all of "
                         f"{regions.root_name}, or leave --region out")
    if code == regions.root_code:
        return None
    if code not in regions.regions:
        kecamatan = regions.kecamatan[0]
        desa = regions.desa_of[kecamatan.code][0].code if regions.desa_of[kecamatan.code] else ""
        raise InputError(f"--region {code!r} is not a kecamatan or desa/kelurahan code of "
                         f"{regions.root_name} (e.g. {kecamatan.code}{' or ' + desa if desa else ''})")
    return code


async def send(settings: Settings, content: Content, regions: RegionTree, *, text: str | None,
               template: str | None, region: str | None, lang: str | None, topic: str | None, at: str | None,
               urgent: bool, now: datetime) -> int:
    if text is not None:
        text = text.strip()
        if not text:
            raise InputError("--text is empty")
        text = html.escape(text, quote=False)
        length = telegram_length(text)
        if length > TELEGRAM_MAX_TEXT:
            raise InputError(f"--text is {length} characters; Telegram allows {TELEGRAM_MAX_TEXT}")
    if template is not None and template not in content.schedule.templates:
        known = ", ".join(sorted(content.schedule.templates))
        raise InputError(f"--template {template!r} is not in content/schedule.yaml (known: {known})")
    if topic is None:
        topic = content.schedule.templates[template].topic if template else "announcements"
    topic = topic.strip()
    if topic not in content.subscription_topics:
        known = ", ".join(content.subscription_topics)
        raise InputError(f"--topic {topic!r} is not one of {known} (subscription_topics.yaml)")
    region = validate_region(regions, region)
    not_before = parse_at(at, settings, now) if at is not None else now
    db = await open_database(settings.database)
    try:
        # Created first, so a running bot can start while the audience is counted here.
        broadcast_id = await create_broadcast(
            db, created_by="cli", topic=topic, text=text, template=template, region=region,
            language=lang, urgent=urgent, not_before=not_before, now=now)
        audience = await count_audience_by_language(db, topic, region, lang)
        # The server CLI is not subject to the two-person rule, but is audited as `cli`.
        await audit(db, now, "cli", "broadcast.create",
                    f"#{broadcast_id}: {f'template {template}' if template else 'teks'}"
                    f"{'; urgent' if urgent else ''}",
                    audience=f"topic {topic}; region {region or 'all'}; lang {lang or 'all'}",
                    count=sum(audience.values()))
    finally:
        await db.close()
    total = sum(audience.values())
    by_lang = ", ".join(f"{k}: {v}" for k, v in sorted(audience.items())) or "none yet"
    when = not_before.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M %Z") if at is not None \
        else "now"
    print(f"broadcast {broadcast_id} created: {total} subscribers match ({by_lang}); "
          f"topic {topic}{', urgent' if urgent else ''}; starts {when}.")
    if total == 0:
        print("note: nobody matches yet; the audience is fixed when it starts.")
    print(f"follow it with: python -m bot broadcast status {broadcast_id} --follow")
    return broadcast_id


def _describe(b: Broadcast) -> str:
    what = f"template {b.template}" if b.template else f"text {b.text[:30]!r}" if b.text else "?"
    audience = ", ".join(x for x in (b.region and f"region {b.region}",
                                     b.language and f"lang {b.language}") if x) or "everyone"
    return f"{what}; topic {b.topic}; {audience}{'; URGENT' if b.urgent else ''}"


async def list_all(settings: Settings) -> None:
    db = await open_database(settings.database)
    try:
        rows = await list_broadcasts(db)
        if not rows:
            print("no broadcasts yet")
        for b in rows:
            counts = await outcome_counts(db, b.id)
            done = sum(v for k, v in counts.items() if k != "pending")
            print(f"{b.id:>5}  {b.state:<9}  {done}/{sum(counts.values()) or '-':<7}  "
                  f"{b.created_by:<24}  {_describe(b)}"
                  f"{f'  [{b.errors} error(s): {b.error}]' if b.error else ''}")
    finally:
        await db.close()


async def _status_line(db: Database, b: Broadcast, now: datetime) -> str:
    p = await progress(db, b.id, now)
    eta = f"{p.eta_seconds:.0f} s" if p.eta_seconds is not None else "-"
    parts = ", ".join(f"{k} {p.counts.get(k, 0)}" for k in (*OUTCOMES, "pending"))
    line = (f"broadcast {b.id}: {b.state}; {p.total} recipients: {parts}; "
            f"rate {p.rate:.1f}/s; ETA {eta}")
    if b.state == "failed":
        line += f"\n  failed: {b.error}"
    elif b.error:
        line += f"\n  {b.errors} error(s) so far, the last: {b.error}"
    return line


async def status(settings: Settings, broadcast_id: int, follow: bool, clock: object) -> None:
    db = await open_database(settings.database)
    try:
        while True:
            b = await get_broadcast(db, broadcast_id)
            if b is None:
                raise InputError(f"no broadcast {broadcast_id}")
            print(await _status_line(db, b, clock.now()))  # type: ignore[attr-defined]
            if not follow or b.state in (*FINAL_STATES, "paused", "held"):
                if follow:
                    print(f"  {_describe(b)}; started {b.started_at or '-'}, finished "
                          f"{b.finished_at or '-'}")
                return
            await asyncio.sleep(2)
    finally:
        await db.close()


async def control(settings: Settings, action: str, broadcast_id: int, now: datetime) -> None:
    target = TRANSITIONS[action][1]
    db = await open_database(settings.database)
    try:
        b = await get_broadcast(db, broadcast_id)
        if b is None:
            raise InputError(f"no broadcast {broadcast_id}")
        if not await control_broadcast(db, broadcast_id, action, "cli", None, now):
            raise InputError(f"broadcast {broadcast_id} is {b.state}; cannot {action} it")
    finally:
        await db.close()
    print(f"broadcast {broadcast_id}: {b.state} -> {target}")


def fail(message: str) -> int:
    print(f"error: {redact(message)}", file=sys.stderr)
    return 2
