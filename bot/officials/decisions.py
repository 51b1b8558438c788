"""A second official's answer to an approval request ("1:P:<id>:y|n"), and the requester's
withdrawal of their own ("1:P:<id>:w[:<page of /jadwal>]"). The checks (the requester's own,
the approver's region, the reasons to refuse) read the request as it stands; the decision itself
is one compare-and-set in storage (storage/approvals.py) with what it does: launching the
broadcast, releasing or cancelling the held one, audited. A press that loses to another
decision (two approvers at once, an approval against a refusal, against the requester's
withdrawal or cancel) changes nothing and says who decided first.

Approving is refused, and recorded, when the requester has since lost the role or region to
announce to the audience, or when the time it was due passed more than SCHEDULE_GRACE_HOURS
ago (the calendar's rule for sends missed while the bot was down): the time it was scheduled
for, else when it was asked for (to go at once, or held as it started). Its content is likely
stale, and the requester can ask again."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application

from bot.callbacks import SMALL_MAX, Callback
from bot.context import SuaraContext
from bot.ids import parse_int
from bot.officials.approval import OUTSIDE, send_to
from bot.officials.closing import close_messages
from bot.officials.drafts import Draft
from bot.officials.guard import add_buttons, numbered
from bot.officials.launch import audience_counts, describe_audience, describe_content, launch
from bot.officials.progress import follow
from bot.officials.roles import actor
from bot.officials.schedule import listing
from bot.replies import acknowledge, edit_or_send
from bot.services import Services
from bot.storage.approvals import Note, approve_draft, approve_held, reject, withdraw
from bot.storage.broadcasts import get_broadcast
from bot.storage.db import Connection
from bot.storage.officials import Approval, get_approval

VERDICTS = {"y": "disetujui", "n": "ditolak"}


async def on_decision(update: Update, context: SuaraContext, cb: Callback) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    request_id, verdict = numbered(cb)
    pending = await get_approval(services.db, request_id) if request_id is not None else None
    if pending is None or verdict not in ("y", "n", "w"):
        await acknowledge(query)
        await edit_or_send(query, "Permintaan ini tidak ditemukan.")
        return
    if verdict == "w":
        await _withdraw(update, context, pending, parse_int(cb.text, 0, SMALL_MAX) or 0)
        return
    if pending.requested_by == user.id:
        await acknowledge(query, "Permintaan sendiri tidak bisa disetujui sendiri.")
        return
    if pending.state != "pending":
        await _lost(update, context, pending)
        return
    if pending.held is not None:
        b = await get_broadcast(services.db, pending.held)
        if b is None or b.state != "held":
            await acknowledge(query)
            await edit_or_send(query, f"Pengumuman #{pending.held} tidak lagi menunggu "
                               f"persetujuan ({b.state if b else 'tidak ada'}); tidak ada yang diubah.")
            return
        region, at, draft, template = b.region, None, None, b.template
    else:
        draft = Draft.from_record(pending.draft)
        region, at, template = draft.region, draft.at, draft.template
    if not services.roles.covers(user.id, "umumkan", region):
        await acknowledge(query, OUTSIDE)
        return
    why = _why_not(services, pending, region, at, template) if verdict == "y" else None
    await acknowledge(query)
    if why is not None or verdict == "n":
        await _reject(update, context, pending, why)
    elif draft is not None:
        await _approve_draft(update, context, pending, draft)
    else:
        await _approve_held(update, context, pending)


async def _reject(update: Update, context: SuaraContext, pending: Approval,
                  why: str | None) -> None:
    """Rejected, or refused on approval (`why`): a held broadcast is cancelled with it."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services, now = context.services, context.services.clock.now()
    held = f": #{pending.held}" if pending.held is not None else ""
    detail = f"permintaan {pending.id}{held} dari tg:{pending.requested_by}"
    settled = await reject(services.db, pending.id, user.id, now,
                           Note(actor(user.id), "broadcast.reject",
                                f"{detail}: {why}" if why else detail))
    if not settled.won:
        await _lost(update, context, settled.request)
        return
    await _close(update, context, pending.id)
    cancelled = f"; pengumuman #{pending.held} dibatalkan" if pending.held is not None else ""
    if why is not None:
        await edit_or_send(query, f"⚠️ Permintaan {pending.id} tidak bisa disetujui: {why}. "
                           f"Permintaan ditolak{cancelled}; tidak ada yang dikirim.")
        await send_to(context.bot, pending.requested_by, f"✖ Permintaan {pending.id} tidak "
                      f"disetujui: {why}. Tidak ada yang dikirim.")
        return
    await edit_or_send(query, f"✖ Permintaan {pending.id} ditolak{cancelled}.")
    if pending.held is not None:
        await send_to(context.bot, pending.requested_by, f"✖ Pengumuman #{pending.held} ditolak "
                      "oleh petugas kedua dan dibatalkan; tidak ada yang dikirim.")
    else:
        await send_to(context.bot, pending.requested_by, f"✖ Permintaan {pending.id} ditolak oleh "
                      "petugas kedua; tidak ada yang dikirim.")


async def _approve_draft(update: Update, context: SuaraContext, pending: Approval,
                         draft: Draft) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    now = services.clock.now()
    if draft.at is not None and draft.at <= now:
        draft.at = None     # approved after its time (within the grace): it goes now
    # What the second official saw is what they approve: a larger audience when the engine
    # fixes the recipients is held again.
    total = sum((await audience_counts(services.db, draft)).values())
    audience = describe_audience(draft, services.content, services.regions)

    async def create(conn: Connection) -> int:
        return await launch(services.db, draft, services.content, services.regions,
                            actor(pending.requested_by), total, now, approved_by=actor(user.id),
                            approved_count=pending.recipients, conn=conn)

    def note(broadcast_id: int) -> Note:
        return Note(actor(user.id), "broadcast.approve", f"permintaan {pending.id}: "
                    f"#{broadcast_id} dari tg:{pending.requested_by}", audience, total)

    settled = await approve_draft(services.db, pending.id, user.id, now, create, note)
    if not settled.won or settled.request.broadcast_id is None:
        await _lost(update, context, settled.request)
        return
    broadcast_id = settled.request.broadcast_id
    if services.engine is not None:
        services.engine.poke()
    await _close(update, context, pending.id)
    await edit_or_send(query, f"✅ Permintaan {pending.id} disetujui: pengumuman #{broadcast_id}, "
                       f"paling banyak {pending.recipients} penerima.")
    sent = await send_to(context.bot, pending.requested_by,
                         f"📤 Pengumuman #{broadcast_id} disetujui; menunggu…")
    if sent is not None:
        await follow(context, pending.requested_by, pending.requested_by, sent, broadcast_id)


async def _approve_held(update: Update, context: SuaraContext, pending: Approval) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and pending.held is not None
    services = context.services
    b = await get_broadcast(services.db, pending.held)
    assert b is not None
    audience = describe_audience(b, services.content, services.regions)

    def note(count: int) -> Note:
        return Note(actor(user.id), "broadcast.approve",
                    f"permintaan {pending.id}: #{b.id} dari {b.created_by}", audience, count)

    settled = await approve_held(services.db, pending.id, user.id, services.clock.now(),
                                 actor(user.id), note)
    if not settled.won or settled.count is None:
        await _lost(update, context, settled.request)
        return
    if services.engine is not None:
        services.engine.poke()
    await _close(update, context, pending.id)
    await edit_or_send(query, f"✅ Permintaan {pending.id} disetujui: pengumuman #{b.id} dikirim "
                       f"ke {settled.count} penerima.")
    await send_to(context.bot, pending.requested_by, f"✅ Pengumuman #{b.id} disetujui petugas "
                  f"kedua; dikirim ke {settled.count} penerima.")


async def _withdraw(update: Update, context: SuaraContext, pending: Approval, page: int) -> None:
    """The requester takes back their request from a draft (their /jadwal button)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    if pending.requested_by != user.id:
        await acknowledge(query, "Hanya pemohon yang bisa menarik permintaannya.")
        return
    if pending.held is not None:
        await acknowledge(query, f"Pengumuman #{pending.held} dibatalkan lewat tombol "
                          "Batalkan di /jadwal.")
        return
    draft = Draft.from_record(pending.draft)
    settled = await withdraw(services.db, pending.id, user.id, services.clock.now(),
                             Note(actor(user.id), "broadcast.withdraw",
                                  f"permintaan {pending.id}: {describe_content(draft)}",
                                  describe_audience(draft, services.content, services.regions),
                                  pending.recipients))
    if settled.won:
        await acknowledge(query, f"Permintaan {pending.id} ditarik; tidak ada yang dikirim.")
        await close_messages(context.bot, services, pending.id)
    else:
        await acknowledge(query, _settled_text(services, user.id, settled.request))
    roles = services.roles
    text, markup = await listing(services, roles.scope(user.id, "jadwal"), roles.is_super(user.id),
                                 page, requester=user.id)
    await edit_or_send(query, text, markup)


async def _close(update: Update, context: SuaraContext, request_id: int) -> None:
    """The other approvers' request messages say it is decided (this press's message is
    edited by its handler)."""
    message = update.effective_message
    pressed = (message.chat_id, message.message_id) if message is not None else None
    await close_messages(context.bot, context.services, request_id, pressed)


async def _lost(update: Update, context: SuaraContext, request: Approval) -> None:
    """Another decision came first (or the request was settled before this press)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    said = _settled_text(context.services, user.id, request)
    if request.decided_by == user.id and request.state in ("approved", "rejected"):
        await acknowledge(query, said)      # their own second press: their first answer stays
        return
    await acknowledge(query)
    await edit_or_send(query, said)


def _settled_text(services: Services, viewer: int, request: Approval) -> str:
    if request.state == "cancelled" and request.held is not None:
        return (f"Permintaan {request.id} dibatalkan: pengumuman #{request.held} dibatalkan "
                "sebelum diputuskan; tidak ada yang perlu disetujui.")
    if request.state == "cancelled":
        return (f"Permintaan {request.id} sudah ditarik pemohonnya; tidak ada yang perlu "
                "disetujui.")
    if request.state == "pending":      # its broadcast is no longer held: nothing to decide
        return f"Permintaan {request.id} tidak lagi bisa diputuskan; tidak ada yang diubah."
    verb = "disetujui" if request.state == "approved" else "ditolak"
    by = request.decided_by
    who = ("Anda" if by == viewer else "petugas" if by is None
           else actor(by) if services.roles.is_super(viewer)
           else "super-admin" if services.roles.is_super(by) else "petugas lain")
    return f"Permintaan {request.id} sudah {verb} lebih dulu oleh {who}; tidak ada yang diubah."


def _why_not(services: Services, pending: Approval, region: str | None,
             at: datetime | None, template: str | None = None) -> str | None:
    """Why this request may no longer be approved, if it may not."""
    if template and template not in services.content.schedule.templates:
        return (f"template {template} tidak ada lagi di konten (konten dimuat ulang sejak "
                "diminta); pemohon bisa mengajukan lagi dengan /umumkan")
    if not services.roles.covers(pending.requested_by, "umumkan", region):
        return ("pemohon tidak lagi berwenang mengumumkan ke sasaran ini (perannya dicabut atau "
                "wilayahnya berubah)")
    # The calendar's rule for sends missed while the bot was down: past SCHEDULE_GRACE_HOURS
    # the content is likely stale. A request to send at once (or a broadcast held as it
    # started) was due when it was asked for.
    hours = services.settings.schedule_grace_hours
    due = at if at is not None else datetime.fromisoformat(pending.requested_at)
    if services.clock.now() - due <= timedelta(hours=hours):
        return None
    when = due.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M")
    what = f"waktu kirimnya ({when})" if at is not None else f"permintaannya ({when}, untuk segera)"
    return (f"{what} sudah lewat lebih dari {hours:g} jam, jadi isinya mungkin sudah basi; "
            "pemohon bisa mengajukan lagi dengan /umumkan")


def register(app: Application) -> None:
    add_buttons(app, "P", "umumkan", on_decision)
