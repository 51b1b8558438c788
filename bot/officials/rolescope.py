"""/petugas's list for the region of a role being given (staff.py): the whole deployment, or
one kabupaten/kota, or in a national deployment one province, each "1:W:<id>:<role>:<code>".
A province's kabupaten/kota fit one keyboard; a national deployment's do not (Telegram
refuses a keyboard of about 100 buttons, and 500 would be 22 pages): there the provinces
come first, a page of them ("1:X:<id>:<role>:-.<page>"), and each opens its own
kabupaten/kota ("1:X:<id>:<role>:<province>.<page>") under a button for the whole province."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import SMALL_MAX, Callback
from bot.content.registry import Content
from bot.context import SuaraContext
from bot.ids import parse_int
from bot.keyboards import REGION_PAGE, page_nav, page_of
from bot.regions.tree import RegionTree
from bot.replies import acknowledge, edit_or_send


def region_buttons(content: Content, regions: RegionTree, target: int, code: str,
                   where: str = "-", page: int = 0) -> InlineKeyboardMarkup:
    """The whole deployment and each kabupaten/kota, two to a row; nationally a page of the
    provinces (`where` "-") or of one province's kabupaten/kota (`where` its code)."""
    def grant(label: str, region: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Callback(
            "W", f"{target}:{code}:{region}").encode())

    def browse(region: str, at: int) -> Callback:
        return Callback("X", f"{target}:{code}:{region}.{at}")

    if not regions.several_provinces:
        found = [grant(k.name, k.code) for k in regions.kabupaten]
        return InlineKeyboardMarkup([[grant(f"Seluruh {regions.root_name}", "-")],
                                     *(found[i:i + 2] for i in range(0, len(found), 2))])
    province = regions.place(where) if where in regions.provinces else None
    if province is None:
        provinces = sorted((p for p in regions.provinces if regions.kabupaten_in(p)),
                           key=lambda p: regions.provinces[p])
        shown, page, pages = page_of(provinces, page, REGION_PAGE)
        first = grant(f"Seluruh {regions.root_name}", "-")
        found = [InlineKeyboardButton(_name(regions, p), callback_data=browse(p, 0).encode())
                 for p in shown]
        back = InlineKeyboardButton("🔄", callback_data=browse("-", page).encode())
        nav = page_nav(content, "id", page, pages, lambda p: browse("-", p), back)
    else:
        shown_k, page, pages = page_of(regions.kabupaten_in(province.code), page, REGION_PAGE)
        first = grant(f"✅ Seluruh {province.name}", province.code)
        found = [grant(k.name, k.code) for k in shown_k]
        back = InlineKeyboardButton("⬅ Provinsi", callback_data=browse("-", 0).encode())
        nav = page_nav(content, "id", page, pages, lambda p: browse(province.code, p), back)
    return InlineKeyboardMarkup([[first], *(found[i:i + 2] for i in range(0, len(found), 2)),
                                 nav])


def _name(regions: RegionTree, province: str) -> str:
    place = regions.place(province)
    return place.name if place else province


async def on_page(update: Update, context: SuaraContext, cb: Callback) -> None:
    """A page of the provinces, or of one province's kabupaten/kota (a page past the end: the
    last); a province the deployment does not have, or a role it does not know: stale."""
    query = update.callback_query
    assert query is not None
    services = context.services
    where, _, at = cb.text.partition(".")
    page = parse_int(at, 0, SMALL_MAX)
    if cb.number is None or cb.choice not in "acv" or page is None or not (
            where == "-" or (services.regions.several_provinces
                             and services.regions.kabupaten_in(where)
                             and where in services.regions.provinces)) \
            or services.roles.is_super(cb.number):
        await acknowledge(query, "Tidak bisa")
        return
    await acknowledge(query)
    await edit_or_send(query, f"Peran untuk <code>{cb.number}</code>: di seluruh wilayah, atau "
                       "untuk satu provinsi atau kabupaten/kota?",
                       region_buttons(services.content, services.regions, cb.number, cb.choice,
                                      where, page))
