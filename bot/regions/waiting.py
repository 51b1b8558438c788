"""What a citizen's next message may answer when the bot asked for their place: a question
waiting for their region (its entry id, until answered: faq/regional.py), /langganan's "where
do you vote?" (SUBSCRIBE: the region saved, then subscribed) or /wilayah's picker (BROWSE:
the region saved, then its kecamatan; only when no region is saved, or its "change" pressed:
a citizen's saved region is never moved by a question naming a place), these two for
PLACE_WAIT only and for the next message only (passed_over). A reply to it may say its verbs
("nyoblos di plg": names.only_a_place, asked=True). Kept on the user's row
(users.waiting_entry, waiting_until: migrations 0017, 0023), read with the row every update
reads already, so whichever process receives the reply knows what it answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.context import SuaraContext
from bot.keyboards import BROWSE, SUBSCRIBE
from bot.storage.db import DatabaseError
from bot.storage.users import set_waiting

# A reply to /langganan or /wilayah comes at once; a place named later is said for itself (and
# a subscription is consent given now: a press of the list's button, or a reply to the prompt).
PLACE_WAIT = timedelta(minutes=10)


def waiting_for(context: SuaraContext) -> str | None:
    """What waits for the citizen's place: an entry id, SUBSCRIBE or BROWSE (None: nothing,
    or its time is over)."""
    user = context.user
    if user is None or user.waiting_entry is None:
        return None
    if user.waiting_until is not None and \
            datetime.fromisoformat(user.waiting_until) <= context.services.clock.now():
        return None
    return user.waiting_entry


async def wait_for_place(context: SuaraContext, purpose: str) -> None:
    """The bot asks for the citizen's place for `purpose` (SUBSCRIBE or BROWSE), for PLACE_WAIT."""
    user = context.user
    if user is None:
        return
    now = context.services.clock.now()
    # Already waiting for it, well within its time (a citizen paging the picker, /wilayah
    # again): no write (each is a transaction, a notice to every process, a re-read).
    if waiting_for(context) == purpose and user.waiting_until is not None and \
            datetime.fromisoformat(user.waiting_until) - now > PLACE_WAIT / 2:
        return
    until = (now + PLACE_WAIT).isoformat(timespec="seconds")
    await set_waiting(context.services.db, user.user_id, purpose, until)
    context.user = replace(user, waiting_entry=purpose, waiting_until=until)


async def done_waiting(context: SuaraContext) -> None:
    """The place was given (typed or picked): nothing waits any more."""
    user = context.user
    if user is None or user.waiting_entry is None:
        return
    await set_waiting(context.services.db, user.user_id, None)
    context.user = replace(user, waiting_entry=None, waiting_until=None)


async def passed_over(context: SuaraContext) -> None:
    """A message that does not answer /langganan's or /wilayah's "where do you vote?" (a
    question, another place): the reply is the next message or none, so neither waits any
    more. A place named later is said for itself, and never subscribes: a subscription is
    consent given now. A question waiting for the region waits on (faq/regional.py)."""
    user = context.user
    if user is None or user.waiting_entry not in (SUBSCRIBE, BROWSE):
        return
    try:
        await done_waiting(context)
    except DatabaseError:   # the answer goes out all the same; the wait ends in PLACE_WAIT
        return
