"""The kabupaten/kota picker, wherever the bot asks for the citizen's region: /wilayah, a
question waiting for the region (bot/faq/regional.py), /langganan. In a deployment of several
provinces the province comes first, then its kabupaten/kota; a list longer than a page has
previous/next buttons (callback kinds "I" and "B": the page, the province and what the picker
is for are in the data, checked here; anything out of range is a stale button)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import keyboards
from bot.callbacks import decode
from bot.context import SuaraContext
from bot.keyboards import BROWSE, SUBSCRIBE
from bot.regions.waiting import wait_for_place
from bot.replies import acknowledge, edit_or_send, stale


def _text(context: SuaraContext, purpose: str, key: str, page: int, pages: int) -> str:
    content, lang = context.services.content, context.lang
    if purpose == BROWSE:
        return content.message(key, lang, page=page + 1, pages=pages)
    if purpose == SUBSCRIBE:
        return content.message("region_ask_subscribe", lang)
    return content.message("region_ask", lang, title=content.entries[purpose].entry.text(lang).title)


def picker_view(context: SuaraContext, purpose: str, province: str | None = None,
                page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """The picker's message and keyboard: a national deployment's provinces (no province
    given), else the kabupaten/kota (of `province`), the page clamped."""
    content, regions, lang = context.services.content, context.services.regions, context.lang
    if province is None and regions.several_provinces:
        markup, page, pages = keyboards.province_picker(content, regions, lang, page, purpose)
        return _text(context, purpose, "region_province", page, pages), markup
    markup, page, pages = keyboards.kabupaten_picker(content, regions, lang, page, purpose,
                                                     province)
    return _text(context, purpose, "region_kabupaten", page, pages), markup


def _valid(context: SuaraContext, purpose: str, province: str | None, page: int) -> bool:
    """A purpose the bot knows, a province of the deployment, a page that exists."""
    content, regions = context.services.content, context.services.regions
    if not regions.kabupaten or (purpose not in (BROWSE, SUBSCRIBE)
                                 and purpose not in content.entries):
        return False
    if purpose == SUBSCRIBE and not content.is_province:
        return False
    if province is None and not regions.several_provinces:
        return False
    if province is not None and (province not in regions.provinces
                                 or not regions.kabupaten_in(province)):
        return False
    return page < keyboards.picker_pages(regions, purpose, province)


async def on_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    assert cb is not None           # the pattern matched: its kind and shape are checked
    province = cb.text if cb.kind == "B" else None
    page = cb.number or 0
    if not _valid(context, cb.choice, province, page):
        await stale(update, context)
        return
    await acknowledge(query)
    if cb.choice == BROWSE:     # /wilayah's list opened ("change"): a name typed answers it
        await wait_for_place(context, BROWSE)
    text, markup = picker_view(context, cb.choice, province, page)
    await edit_or_send(query, text, markup)


def _pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"I", "B"}


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_button, pattern=_pattern))
