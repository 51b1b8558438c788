"""`python -m bot schedule preview --from DATE --to DATE`: what would go out, when, to whom."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.broadcasts.compose import audience_view
from bot.content.registry import Content, render_broadcast
from bot.settings import Settings
from bot.storage import open_database
from bot.storage.schedule import send_states
from bot.storage.subscriptions import count_audience_by_language
from scheduler.calendar import occurrences


async def preview(settings: Settings, content: Content, start: date, end: date,
                  now: datetime) -> int:
    tz = ZoneInfo(content.election.timezone)
    found = [o for o in occurrences(content) if start <= o.due_at.astimezone(tz).date() <= end]
    db = await open_database(settings.database)
    try:
        states = await send_states(db)
        print(f"{len(found)} scheduled send(s) from {start} to {end} "
              f"({content.election.timezone}):")
        for occ in found:
            local = occ.due_at.astimezone(tz)
            audience = await count_audience_by_language(db, occ.topic, occ.region, occ.language)
            state, reason = states.get(occ.key, ("not yet synced", None))
            if state == "not yet synced" and occ.due_at <= now:
                state = "in the past"
            who = ", ".join(f"{k}: {v}" for k, v in sorted(audience.items())) or "no subscribers yet"
            print(f"\n== {local:%a %Y-%m-%d %H:%M} {occ.key} ({occ.template}, topic {occ.topic}"
                  f"{', urgent' if occ.urgent else ''})")
            print(f"   audience now: {sum(audience.values())} ({who}); state: {state}"
                  f"{f' ({reason})' if reason else ''}")
            days_left = (content.election.voting_day - local.date()).days
            for lang in ("id", "en"):
                text = render_broadcast(audience_view(content, occ.region), occ.template, lang,
                                        local.date(), days_left=days_left,
                                        region_name="", kecamatan_name="", tps=[], tps_sample=False)
                print(f"   [{lang}] " + text.replace("\n", "\n        "))
    finally:
        await db.close()
    return 0
