"""Turning a confirmed draft into a broadcast in the outbox, audited. Telegram-free: the
delivery engine sends it, as it sends every broadcast."""

from __future__ import annotations

from datetime import datetime

from bot.content.registry import Content
from bot.officials.drafts import Draft
from bot.regions.tree import RegionTree
from bot.storage import Database
from bot.storage.broadcasts import Broadcast, create_broadcast
from bot.storage.db import Connection
from bot.storage.officials import add_audit, audit
from bot.storage.subscriptions import count_audience_by_language


async def audience_counts(db: Database, draft: Draft) -> dict[str, int]:
    return await count_audience_by_language(db, draft.topic, draft.region, draft.language,
                                            draft.campaign)


def describe_audience(draft: Draft | Broadcast, content: Content, regions: RegionTree) -> str:
    topic = content.subscription_topics.get(draft.topic)
    parts = [f"topik {topic.label.get('id') if topic else draft.topic}"]
    region = regions.place(draft.region)
    parts.append(f"wilayah {region.name} ({region.code})" if region else
                 f"seluruh {regions.root_name}")
    if draft.language:
        parts.append(f"bahasa {draft.language}")
    if draft.campaign:
        parts.append(f"kampanye {draft.campaign}")
    return "; ".join(parts)


def describe_content(draft: Draft | Broadcast) -> str:
    if draft.template:
        return f"template {draft.template}"
    text = draft.text or ""
    return f"teks {text[:60]!r}{'…' if len(text) > 60 else ''}"


async def launch(db: Database, draft: Draft, content: Content, regions: RegionTree,
                 created_by: str, recipients: int, now: datetime,
                 approved_by: str | None = None, approved_count: int | None = None,
                 conn: Connection | None = None) -> int:
    """`recipients`: the audience now, for the audit log. The delivery engine counts again when
    it fixes the recipients: over APPROVAL_THRESHOLD, or over `approved_count` once a second
    official approved that many, it holds the broadcast for approval. `conn`: inside the
    caller's transaction (a second official's approval: storage.approvals.approve_draft)."""
    broadcast_id = await create_broadcast(
        db, created_by=created_by, topic=draft.topic, text=draft.text, template=draft.template,
        region=draft.region, language=draft.language, campaign=draft.campaign,
        urgent=draft.urgent, not_before=draft.at or now, now=now, approved_by=approved_by,
        approved_count=approved_count, commit=conn is None)
    when = draft.at.isoformat(timespec="minutes") if draft.at else "sekarang"
    detail = (f"#{broadcast_id}: {describe_content(draft)}; {when}"
              f"{'; mendesak' if draft.urgent else ''}"
              f"{f'; disetujui {approved_by}' if approved_by else ''}")
    audience = describe_audience(draft, content, regions)
    if conn is None:
        await audit(db, now, created_by, "broadcast.create", detail, audience, recipients)
    else:
        await add_audit(conn, now, created_by, "broadcast.create", detail, audience, recipients)
    return broadcast_id
