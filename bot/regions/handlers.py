"""/wilayah: pick a kecamatan and desa, see its TPS; place names typed; shared locations."""

from __future__ import annotations

import html
import textwrap
from dataclasses import replace
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.callbacks import decode
from bot.commands import COMMANDS
from bot.context import SuaraContext
from bot.faq.regional import saved_region
from bot.keyboards import BROWSE
from bot.regions.choices import choices_view
from bot.regions.maps import map_url
from bot.regions.picker import picker_view
from bot.regions.tree import DESA, KABUPATEN, KECAMATAN, PlaceQuery
from bot.regions.typed import answer_kabupaten_name, save_kabupaten
from bot.regions.waiting import passed_over, wait_for_place
from bot.replies import KeyboardBuilder, acknowledge, edit_or_send, reply, say, stale
from bot.storage.tps import Tps
from bot.storage.users import set_region

MAX_LISTED = 20
NEAREST = 3
ECHOED_CHARS = 80      # of a place name typed, said back when it is not found


def _station(tps: Tps) -> dict[str, Any]:
    return {"nomor": tps.nomor, "alamat": tps.alamat, "aksesibilitas": tps.aksesibilitas,
            "keterangan": tps.keterangan, "map_url": map_url(tps)}


async def tps_view(context: SuaraContext, desa_code: str) -> tuple[str, InlineKeyboardMarkup]:
    """The TPS list of one desa, as message text and keyboard."""
    services = context.services
    content, lang, regions = services.content, context.lang, services.regions
    await services.tps.refresh(services.db)
    desa = regions.regions[desa_code]
    kecamatan = regions.regions[desa.parent].name
    saved = context.user is not None and context.user.region_code == desa_code
    directory = services.tps
    stations = directory.by_desa.get(desa_code, [])
    if not directory.available:
        text = content.message("tps_unavailable", lang, desa=desa.name, kecamatan=kecamatan)
    elif not stations:
        text = content.message("tps_none_in_desa", lang, desa=desa.name, kecamatan=kecamatan,
                               sample=directory.is_sample)
    else:
        text = content.message("tps_list", lang, desa=desa.name, kecamatan=kecamatan,
                               sample=directory.is_sample, saved=saved,
                               stations=[_station(t) for t in stations[:MAX_LISTED]],
                               more=max(0, len(stations) - MAX_LISTED))
    venues = [t.nomor for t in stations if t.lat is not None]
    return text, keyboards.tps_keyboard(content, regions, lang, desa_code, venues, saved)


def _find_tps(context: SuaraContext) -> KeyboardBuilder:
    """"Pick from the list, or share a location": the list button says which list it opens."""
    first = keyboards.opens_kabupaten(context.services.regions, context.user)
    return partial(keyboards.find_tps, kabupaten_first=first)


def _saved_kabupaten(context: SuaraContext) -> str | None:
    """The citizen's kabupaten/kota in a province deployment, when saved and in its tree."""
    user, regions = context.user, context.services.regions
    code = user.region_code[:5] if user is not None and user.region_code else None
    return code if code is not None and regions.kabupaten and regions.get(code) is not None \
        else None


def kecamatan_view(context: SuaraContext, kabupaten: str | None,
                   page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """A kabupaten/kota's kecamatan, named (a one-regency deployment's: None); the citizen's
    own named as theirs, its list button "change" (the only way it is asked for again)."""
    content, regions, lang = context.services.content, context.services.regions, context.lang
    mine = kabupaten is not None and kabupaten == _saved_kabupaten(context)
    markup, page, pages = keyboards.kecamatan_picker(content, regions, lang, page, kabupaten, mine)
    if mine and kabupaten is not None:
        return content.message("region_mine", lang, region=regions.regions[kabupaten].name,
                               page=page + 1, pages=pages), markup
    shown = regions.get(kabupaten) if kabupaten is not None and regions.kabupaten else None
    return content.message("region_kecamatan", lang, region=shown.name if shown else None,
                           page=page + 1, pages=pages), markup


def region_picker(context: SuaraContext, page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """Where /wilayah starts: a province's kabupaten/kota list (a national deployment's
    provinces first), unless the citizen's is known (then its kecamatan, said to be theirs); a
    one-regency deployment's kecamatan."""
    regions, user = context.services.regions, context.user
    if regions.kabupaten:
        kabupaten = _saved_kabupaten(context)
        return kecamatan_view(context, kabupaten, page) if kabupaten is not None \
            else picker_view(context, BROWSE, page=page)
    return kecamatan_view(context, user.region_code[:5] if user is not None and user.region_code
                          else None, page)


async def region_command(update: Update, context: SuaraContext) -> None:
    services = context.services
    regions = services.regions
    user = context.user
    typed = " ".join(context.args or ())
    if typed:       # "/tps gelumbang", "/wilayah plg": as if the name were typed
        if not await answer_kabupaten_name(update, context, typed, asked=True):
            await answer_place(update, context, regions.find_place(
                typed, services.matcher.normalizer.known_words), typed)
        return
    region = regions.get(user.region_code) if user is not None and user.region_code else None
    if region is not None and region.level == DESA:
        text, markup = await tps_view(context, region.code)
        await reply(update, text, markup)
        return
    text, markup = region_picker(context)
    if _saved_kabupaten(context) is None:
        # The picker asks for the place: the reply is read as the answer ("nyoblos di plg").
        await wait_for_place(context, BROWSE)
    else:
        # The saved region shown: nothing is asked (its "change" button asks), so the next
        # message is read for itself: a place alone moves it, a question naming one does not.
        await passed_over(context)
    await reply(update, text, markup)


async def answer_place(update: Update, context: SuaraContext, place: PlaceQuery,
                       typed: str = "") -> None:
    """A typed place name: one clear place is answered, several are offered, none is said."""
    content, lang, tree = context.services.content, context.lang, context.services.regions
    regions = [m.region for m in place.matches]
    if not regions:
        # what was typed is said back, shortened ("/wilayah <4,000 letters>" fits a message)
        await say(update, context, "place_not_found", _find_tps(context),
                  query=textwrap.shorten(place.named or typed, ECHOED_CHARS, placeholder="…"))
    elif len(regions) == 1 and regions[0].level == DESA:
        text, markup = await tps_view(context, regions[0].code)
        await reply(update, text, markup)
    elif len(regions) == 1:
        markup, page, pages = keyboards.desa_picker(content, tree, lang, regions[0].code, 0)
        await reply(update, content.message("region_desa", lang, kecamatan=regions[0].name,
                                            page=page + 1, pages=pages), markup)
    else:       # all of them, the citizen's kabupaten/kota first, a page at a time
        await reply(update, *choices_view(context, regions[0]))


async def on_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    content, lang = services.content, context.lang
    regions = services.regions
    cb = decode(query.data)
    assert cb is not None           # the pattern matched: its kind and shape are checked
    kind, code, number = cb.kind, cb.text, cb.number or 0
    region = regions.get(code)

    if kind == "k":
        await acknowledge(query)
        text, markup = region_picker(context, number)
        await edit_or_send(query, text, markup)
    elif kind == "b" and regions.kabupaten:      # /wilayah's list (a national one's provinces)
        await acknowledge(query)
        await wait_for_place(context, BROWSE)       # "change": a name typed in reply answers
        text, markup = picker_view(context, BROWSE, page=number)
        await edit_or_send(query, text, markup)
    elif kind == "g" and region is not None and region.level == KABUPATEN:
        saved = await save_kabupaten(context, code)
        await acknowledge(query, html.unescape(content.message("region_set", lang,
                                                               region=region.name))
                          if saved else None)
        await edit_or_send(query, *kecamatan_view(context, code, number))
    elif kind == "c" and region is not None and region.level == KECAMATAN:
        await acknowledge(query)
        markup, page, pages = keyboards.desa_picker(content, regions, lang, code, number)
        await edit_or_send(query, content.message("region_desa", lang, kecamatan=region.name,
                                                  page=page + 1, pages=pages), markup)
    elif kind in ("v", "s", "y") and region is not None and region.level == DESA:
        if kind in ("v", "y") and context.user is not None:
            # Picking a desa in /wilayah, or "save as my village", makes it the user's region.
            await set_region(services.db, context.user.user_id, code)
            context.user = replace(context.user, region_code=code, waiting_entry=None,
                                   waiting_until=None)
        notice = None
        if kind == "y":
            kecamatan = regions.regions[region.parent].name
            notice = html.unescape(content.message("region_saved", lang, desa=region.name,
                                                   kecamatan=kecamatan))
        await acknowledge(query, notice)
        text, markup = await tps_view(context, code)
        await edit_or_send(query, text, markup)
    elif kind == "p" and region is not None and region.level == DESA:
        await acknowledge(query)
        await services.tps.refresh(services.db)
        tps = next((t for t in services.tps.by_desa.get(code, []) if t.nomor == number), None)
        if tps is None or tps.lat is None or tps.lon is None or query.message is None:
            return
        # A venue stands alone in the chat: it says itself, in the user's words, when it is sample.
        title = html.unescape(content.message("venue_title", lang, nomor=tps.nomor, desa=region.name,
                                              sample=services.tps.is_sample))
        await query.message.chat.send_venue(latitude=tps.lat, longitude=tps.lon, title=title,
                                            address=tps.alamat)
    elif kind == "n" and region is not None and region.level in (KECAMATAN, DESA) \
            and (not cb.choice or cb.choice in content.entries):
        await acknowledge(query)
        await edit_or_send(query, *choices_view(context, region, number, cb.choice or None))
    elif kind == "L":
        await acknowledge(query)
        if query.message is not None:
            await query.message.chat.send_message(content.message("location_prompt", lang),
                                                  reply_markup=keyboards.location_request(content, lang))
    else:
        await stale(update, context)


async def on_location(update: Update, context: SuaraContext) -> None:
    """Nearest TPS to a shared location; the location itself is neither stored nor logged."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    services = context.services
    content, lang = services.content, context.lang
    await services.tps.refresh(services.db)
    directory = services.tps
    lat, lon = message.location.latitude, message.location.longitude
    if not directory.available:
        await say(update, context, "tps_unavailable", desa="", kecamatan="")
        return
    nearest = directory.index.nearest(lat, lon, NEAREST)
    if not nearest:
        await say(update, context, "tps_no_coordinates", _find_tps(context))
        return

    def where(tps: Tps) -> tuple[str, str]:
        desa = services.regions.regions[tps.kode_wilayah]
        return desa.name, services.regions.regions[desa.parent].name

    distance, closest = nearest[0]
    election = content.election
    if distance > election.tps_search_radius_km or not election.region.bounds.contains(lat, lon):
        desa, kecamatan = where(closest)
        # Only a point outside the deployment's bounds is "outside"; inside them, the list
        # simply has no TPS near yet (it may cover only some regions): the KPU's lookup and
        # the citizen's own KPU (their saved region's, else the generic one) know.
        inside = election.region.bounds.contains(lat, lon)
        code = saved_region(context) if content.is_province else None
        view = content.for_region(code) if inside and code else content
        text = view.message("tps_none_near" if inside else "tps_far", lang, distance=distance,
                            desa=desa, kecamatan=kecamatan, sample=directory.is_sample)
        await reply(update, text, _find_tps(context)(content, lang))
        return
    stations = []
    for km, tps in nearest:
        desa, kecamatan = where(tps)
        stations.append({**_station(tps), "desa": desa, "kecamatan": kecamatan, "distance": km})
    text = content.message("tps_nearest", lang, stations=stations, sample=directory.is_sample)
    venues = [(t.kode_wilayah, t.nomor, services.regions.regions[t.kode_wilayah].name)
              for _, t in nearest if t.lat is not None]
    await reply(update, text, keyboards.nearest_keyboard(
        content, lang, venues, keyboards.opens_kabupaten(services.regions, context.user)))


def _pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"k", "b", "g", "c", "v", "s", "p", "y", "n", "L"}


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["region"], region_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=_pattern))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
