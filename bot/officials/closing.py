"""A request for a second official, once settled (approved, rejected, withdrawn, its held
broadcast cancelled), stops showing live buttons to the other approvers: each of their request
messages (kept in the database when sent, migration 0024, so whichever process decides finds
them) is edited to say what was decided, by whom and when, without its buttons. Who decided
reads as `roles.shown_actor` says (a Telegram id only for super-admins).

The process that decides edits them at once; the leader's progress loop (progress.py) sweeps
what is left SWEEP_AFTER its decision (a request closed by the CLI, or a process that died
between the two): not sooner, so that it never edits, while its decider still closes them,
the decider's own message (whose handler says more there). Each message is taken once
(take_messages), so none is edited twice. An edit that fails for the message's or the chat's
sake (too old or deleted, the bot blocked, nothing changed) is harmless: logged by its kind, never
with whose chat; one that may pass (a timeout, a 5xx, flood control) is kept for the next sweep."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.officials.roles import Roles, actor, shown_actor
from bot.services import Services
from bot.storage.approvals import (
    Note,
    close_for,
    forget_messages,
    keep_message,
    pending_requests,
    settled_with_messages,
    take_messages,
    waiting_on,
)
from bot.storage.broadcasts import get_broadcast
from bot.storage.officials import Approval, get_approval

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(seconds=30)   # the decider's own closing has long finished by then


def outcome(roles: Roles, tz: object, request: Approval, viewer: int) -> str:
    """What an approver's request message says once the request is settled."""
    by = request.decided_by
    who = ("pemohonnya" if by is not None and by == request.requested_by and
           request.state == "cancelled"
           else "Anda" if by == viewer     # pressed elsewhere (/jadwal's button)
           else shown_actor(actor(by) if by is not None else "cli", roles.is_super(viewer)))
    when = ""
    if request.decided_at:
        moment = datetime.fromisoformat(request.decided_at).astimezone(tz)  # type: ignore[arg-type]
        when = f" pada {moment.strftime('%Y-%m-%d %H:%M %Z')}"
    if request.state == "approved":
        done = f"✅ Permintaan {request.id} sudah disetujui oleh {who}{when}"
    elif request.state == "rejected":
        done = f"✖ Permintaan {request.id} sudah ditolak oleh {who}{when}"
    elif request.held is not None:
        done = (f"✖ Permintaan {request.id} ditutup: pengumuman #{request.held} dibatalkan "
                f"oleh {who}{when}")
    else:
        done = f"↩ Permintaan {request.id} sudah ditarik oleh {who}{when}"
    return f"{done}; tidak perlu diputuskan lagi."


async def close_messages(bot: Bot, services: Services, approval_id: int,
                         pressed: tuple[int, int] | None = None) -> int:
    """Edit every kept request message of a settled request (but `pressed`, the message whose
    button decided it: its handler says the outcome there); how many were edited. Nothing
    while the request is still pending."""
    request = await get_approval(services.db, approval_id)
    if request is None or request.state == "pending":
        return 0
    edited = 0
    for chat_id, message_id in await take_messages(services.db, approval_id):
        if (chat_id, message_id) == pressed:
            continue
        text = outcome(services.roles, services.settings.tz, request, chat_id)
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            edited += 1
        except TelegramError as exc:    # gone, too old, blocked, not modified: nothing to do
            again = transient(exc)
            log.info("approval request %d: a request message not edited (%s: %s)%s",
                     approval_id, type(exc).__name__, _reason(exc),
                     "; kept for the next sweep" if again else "")
            if again:   # Telegram down or slow: kept, so the leader's sweep tries it again
                await keep_message(services.db, approval_id, chat_id, message_id)
    return edited


async def close_uncovered(bot: Bot, services: Services, official: int, by: int) -> list[int]:
    """After a super-admin (`by`) took a role or region from `official`: each of the
    official's waiting requests whose audience they may no longer announce to (approving it
    would be refused: decisions.py) is closed as withdrawn by `by` (a held broadcast with it
    cancelled), audited, its approvers' messages closed; the official is told. The ids closed."""
    closed, now = [], services.clock.now()
    for request in await pending_requests(services.db, official):
        if services.roles.covers(official, "umumkan", await _region(services, request)):
            continue
        also = f"; pengumuman #{request.held} dibatalkan" if request.held else ""
        note = Note(actor(by), "broadcast.withdraw", f"permintaan {request.id} dari tg:{official}"
                    f": peran atau wilayah pemohon dicabut{also}", count=request.recipients)
        if (await close_for(services.db, request.id, by, now, note)).won:
            closed.append(request.id)
            await close_messages(bot, services, request.id)
    # The others' requests they were asked to decide and no longer may: no live buttons.
    for request, message_id in await waiting_on(services.db, official):
        if not services.roles.covers(official, "umumkan", await _region(services, request)):
            try:
                await bot.edit_message_text(f"Permintaan {request.id}: peran atau wilayah Anda "
                                            "dicabut; Anda tidak lagi memutuskannya.",
                                            chat_id=official, message_id=message_id)
            except TelegramError as exc:
                log.info("approval request %d: a request message not edited (%s: %s)",
                         request.id, type(exc).__name__, _reason(exc))
            await forget_messages(services.db, request.id, [official])
    if closed:
        try:
            await bot.send_message(official, f"↩ Permintaan {', '.join(map(str, closed))} Anda "
                                   "ditarik: peran atau wilayah pengumum Anda dicabut. Tidak ada "
                                   "yang dikirim.")
        except TelegramError as exc:
            log.info("an official's closed requests not told (%s)", type(exc).__name__)
    return closed


async def _region(services: Services, request: Approval) -> str | None:
    """The audience's region: the held broadcast's, else the draft's."""
    held = await get_broadcast(services.db, request.held) if request.held else None
    return held.region if held is not None else request.draft.get("region")


async def sweep(bot: Bot, services: Services, broadcast_id: int | None = None) -> None:
    """The leader's pass: close the messages of every request settled SWEEP_AFTER ago or more
    that still has some; or, at once, those of one broadcast's requests (its cancel just
    closed them, here)."""
    before = None if broadcast_id is not None else services.clock.now() - SWEEP_AFTER
    for approval_id in await settled_with_messages(services.db, before, broadcast_id):
        await close_messages(bot, services, approval_id)


def transient(exc: TelegramError) -> bool:
    """A failure that may pass (a timeout, a 5xx, flood control), not the message's own
    (deleted, too old, not modified: BadRequest) nor the chat's (blocked: Forbidden). A timed-out
    edit may have landed: tried again, it is "not modified", and dropped."""
    return isinstance(exc, RetryAfter) or (isinstance(exc, NetworkError) and
                                           not isinstance(exc, BadRequest))


def _reason(exc: TelegramError) -> str:
    """Telegram's own words, which name no person (kept short)."""
    return str(exc.message)[:80]
