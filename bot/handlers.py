"""Every handler, in order, in one place.

Group -3 drops an update already handled, by this process or another (storage/updates.py),
and counts every update (metrics); group -2 is flood
control; group -1 tracks the user and settles the language; group 0 holds the features,
first match wins, in the order registered below; fallbacks come last.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot import fallbacks, flood, router
from bot.account import handlers as account
from bot.account.tracking import track_user
from bot.broadcasts import handlers as subscriptions
from bot.campaigns import handlers as campaigns
from bot.context import SuaraContext
from bot.election import handlers as election
from bot.faq import handlers as faq
from bot.faq import regional
from bot.insights import handlers as insights
from bot.officials import handlers as officials
from bot.regions import handlers as regions
from bot.regions import picker
from bot.storage.updates import first_delivery

TRACKING_GROUP = -1
METRICS_GROUP = -3


async def count_update(update: Update, context: SuaraContext) -> None:
    """Count every update; one already handled (a webhook retry, a replay), here or by another
    process, is counted as a duplicate and stops here."""
    services = context.services
    if not await first_delivery(services.db, update.update_id, services.clock.now()):
        services.metrics.duplicates.inc()
        raise ApplicationHandlerStop
    kind = next((k for k in ("message", "edited_message", "callback_query", "my_chat_member")
                 if getattr(update, k, None) is not None), "other")
    services.metrics.update(kind)


def register_all(app: Application) -> None:
    app.add_handler(TypeHandler(Update, count_update), group=METRICS_GROUP)
    flood.register(app)      # group -2: a user over FLOOD_LIMIT a minute stops here
    app.add_handler(TypeHandler(Update, track_user), group=TRACKING_GROUP)
    # Officials' commands match only for an official, in private (else they fall through to
    # the unknown-command answer); first, so a draft waiting for text gets the next message.
    officials.register(app)
    campaigns.register(app)
    insights.register(app)
    account.register(app)
    election.register(app)
    subscriptions.register(app)
    regions.register(app)
    picker.register(app)     # the province and kabupaten/kota lists, page by page
    faq.register(app)
    regional.register(app)   # a region picked for a question that depends on it
    router.register(app)   # free text: a place, or a question for the FAQ
    fallbacks.register(app)
