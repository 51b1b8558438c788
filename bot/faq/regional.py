"""Answers for the asker's region, in a province deployment (docs/architecture.md, "Regions").

The answer model says which entry answers (one model, trained on entry ids); the region picks
whose version of it is rendered: a covered region the question names ("calon bupati lahat"),
else the citizen's saved region, else, when the answer depends on it, the bot asks once
(a list of kabupaten/kota, or the name typed as people write it) and answers after.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import keyboards
from bot.callbacks import Callback, decode
from bot.context import SuaraContext
from bot.regions.choices import choices_view, kabupaten_of
from bot.regions.names import MAX_REPLY_MESSAGE_WORDS, only_a_place
from bot.regions.picker import picker_view
from bot.regions.tree import DESA, PlaceQuery
from bot.replies import acknowledge, edit_or_send, reply, stale
from bot.storage.users import set_region, set_waiting


def saved_region(context: SuaraContext) -> str | None:
    """The citizen's kabupaten/kota as saved (from a village's code or the region's own)."""
    user, content = context.user, context.services.content
    if user is None or not user.region_code:
        return None
    code = kabupaten_of(user.region_code)
    return code if content.covers(code) else None


def asker_region(context: SuaraContext) -> str | None:
    """The asker's kabupaten/kota code as saved (nothing finer), for the officials of that
    region: kept with a question the bot could not answer."""
    user = context.user
    if user is None or not user.region_code or "." not in user.region_code:
        return None
    return kabupaten_of(user.region_code)


def whose(context: SuaraContext, text: str | None) -> tuple[str | None, tuple[str, ...]]:
    """Whose answer: the covered region the question names, else the citizen's (None in a
    one-region deployment, or when neither is known). A name that is a kabupaten's and a
    kota's, said without its kind ("bogor"), is the asker's own when it is one of them; else
    (None, both codes): the caller asks which."""
    content = context.services.content
    if not content.is_province:
        return None, ()
    found = context.services.regions.regions_named(text) if text else None
    named = tuple(c for c in found.codes if content.covers(c)) if found else ()
    mine = saved_region(context)
    if len(named) == 1:
        return named[0], ()
    if len(named) > 1 and mine not in named:
        return None, named
    return mine, ()


def region_of(context: SuaraContext, text: str | None) -> str | None:
    return whose(context, text)[0]


def same_answer(context: SuaraContext, entry_id: str, codes: tuple[str, ...]) -> bool:
    """Whether the entry reads alike for each region (then there is nothing to ask)."""
    return len({answer_text(context, entry_id, code) for code in codes}) == 1


def twin_choice(context: SuaraContext, codes: tuple[str, ...], entry_id: str,
                save: bool) -> tuple[str, InlineKeyboardMarkup]:
    """"Kabupaten Bogor or Kota Bogor?": one button each, answering the entry for it ("w"), or
    saving it as the asker's region first ("r", in answer to "where do you vote?")."""
    content = context.services.content
    names = [content.for_region(code).election.region.name for code in codes]
    text = content.message("region_which", context.lang, regions=names)
    return text, InlineKeyboardMarkup([[InlineKeyboardButton(
        name, callback_data=Callback("r" if save else "w", f"{code}:{entry_id}").encode())]
        for code, name in zip(codes, names, strict=True)])


async def ask_which(update: Update, context: SuaraContext, entry_id: str,
                    codes: tuple[str, ...]) -> None:
    text, markup = twin_choice(context, codes, entry_id, save=False)
    await reply(update, text, markup)


def answer_text(context: SuaraContext, entry_id: str, code: str | None) -> str:
    return context.services.content.region_answer(entry_id, context.lang, code)


async def ask_region(update: Update, context: SuaraContext, entry_id: str) -> None:
    """The answer depends on the region and it is unknown: ask, remembering the question."""
    user = context.user
    if user is not None and user.waiting_entry != entry_id:
        # On the user's row, so whichever process gets the typed reply knows what waits.
        await set_waiting(context.services.db, user.user_id, entry_id)
        context.user = replace(user, waiting_entry=entry_id, waiting_until=None)
    text, markup = picker_view(context, entry_id)      # the entry id rides in the buttons
    await reply(update, text, markup)


async def save_region(context: SuaraContext, code: str) -> None:
    user = context.user
    if user is None:
        return
    if (user.region_code or "").startswith(code):
        if user.waiting_entry is not None:
            await set_waiting(context.services.db, user.user_id, None)
            context.user = replace(user, waiting_entry=None, waiting_until=None)
        return
    await set_region(context.services.db, user.user_id, code)
    context.user = replace(user, region_code=code, waiting_entry=None, waiting_until=None)


async def answer_typed_region(update: Update, context: SuaraContext, text: str) -> bool:
    """A short message naming a region while a question waits for it: saved, then answered.
    False when the message is not that (the router goes on)."""
    services, user = context.services, context.user
    if user is None or len(text.split()) > MAX_REPLY_MESSAGE_WORDS:
        return False
    entry_id = user.waiting_entry    # an entry, or what else waits (regions/waiting.py)
    if entry_id is None or entry_id not in services.content.entries:
        return False
    found = services.regions.regions_named(text)
    codes = tuple(c for c in found.codes if services.content.covers(c)) if found else ()
    if found is None or not codes or not only_a_place(text, found.rest, asked=True):
        return False
    if len(codes) > 1:          # "bogor": the kabupaten or the kota? Picked, it is saved.
        await reply(update, *twin_choice(context, codes, entry_id, save=True))
        return True
    await _save_and_answer(update, context, codes[0], entry_id)
    return True


def _to_save(context: SuaraContext, code: str) -> str:
    """What a place picked saves: a desa itself (the citizen's village), else its kabupaten/kota."""
    region = context.services.regions.get(code)
    return code if region is not None and region.level == DESA else kabupaten_of(code)


async def answer_place_for_question(update: Update, context: SuaraContext,
                                    place: PlaceQuery) -> bool:
    """A place named bare ("gelumbang") while a question waits for the region: the answer to
    "where do you vote?". Places of one kabupaten/kota: saved and the question answered; of
    several: offered, each button carrying the question. False when nothing waits, or the
    message asks for a TPS ("tps di gelumbang": answered as a place)."""
    services, user = context.services, context.user
    entry_id = user.waiting_entry if user is not None else None
    regions = [m.region for m in place.matches]
    if entry_id is None or entry_id not in services.content.entries or place.intent or not regions:
        return False
    codes = {kabupaten_of(r.code) for r in regions}
    if not all(services.content.covers(c) for c in codes):
        return False
    if len(codes) > 1:
        await reply(update, *choices_view(context, regions[0], 0, entry_id))
        return True
    code = _to_save(context, regions[0].code) if len(regions) == 1 else codes.pop()
    await _save_and_answer(update, context, code, entry_id)
    return True


async def _save_and_answer(update: Update, context: SuaraContext, code: str,
                           entry_id: str) -> None:
    await save_region(context, code)        # the question no longer waits
    content, lang = context.services.content, context.lang
    name = content.for_region(kabupaten_of(code)).election.region.name
    await reply(update, content.message("region_set", lang, region=name))
    await reply(update, answer_text(context, entry_id, kabupaten_of(code)),
                keyboards.answer_keyboard(content, entry_id, lang, from_menu=True))


async def _picked(update: Update, context: SuaraContext) -> tuple[str, str] | None:
    """The (region code, entry id) a region button carries, when the region (a kabupaten/kota,
    or a kecamatan or desa of one) is the deployment's and the entry exists; else the
    stale-button reply is sent and None returned."""
    query = update.callback_query
    assert query is not None
    content = context.services.content
    cb = decode(query.data)
    assert cb is not None
    code, entry_id = cb.text, cb.choice
    if not content.covers(kabupaten_of(code)) or context.services.regions.get(code) is None \
            or entry_id not in content.entries:
        await stale(update, context)
        return None
    return code, entry_id


async def on_region_button(update: Update, context: SuaraContext) -> None:
    """A kabupaten/kota picked for a question: saved as the citizen's, the entry answered."""
    picked = await _picked(update, context)
    if picked is None:
        return
    picked_code, entry_id = picked
    query = update.callback_query
    assert query is not None
    content, lang = context.services.content, context.lang
    await save_region(context, _to_save(context, picked_code))   # the question no longer waits
    code = kabupaten_of(picked_code)
    name = content.for_region(code).election.region.name
    await acknowledge(query, html.unescape(content.message("region_set", lang, region=name)))
    await edit_or_send(query, answer_text(context, entry_id, code),
                       keyboards.answer_keyboard(content, entry_id, lang, from_menu=True))


async def on_which_button(update: Update, context: SuaraContext) -> None:
    """The kabupaten or the kota a question named: answered for it (the asker's own region
    stays as it was)."""
    picked = await _picked(update, context)
    if picked is None:
        return
    code, entry_id = picked
    query = update.callback_query
    assert query is not None
    content = context.services.content
    await acknowledge(query)
    await edit_or_send(query, answer_text(context, entry_id, code),
                       keyboards.answer_keyboard(content, entry_id, context.lang, from_menu=True))


def _pattern(kind: str) -> Callable[[object], bool]:
    def pattern(data: object) -> bool:
        cb = decode(data if isinstance(data, str) else None)
        return cb is not None and cb.kind == kind
    return pattern


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_region_button, pattern=_pattern("r")))
    app.add_handler(CallbackQueryHandler(on_which_button, pattern=_pattern("w")))
