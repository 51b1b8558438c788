"""The inline keyboards, built from content (callback data: bot/callbacks.py); those built from
the content alone once per content (memo.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import Callback
from bot.content.registry import Content
from bot.memo import per_content
from bot.regions.tree import RegionTree

T = TypeVar("T")


def _button(text: str, cb: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode())


@per_content
def main_menu(content: Content, lang: str) -> InlineKeyboardMarkup:
    buttons = [_button(f"{t.emoji} {t.title(lang)}", Callback("t", tid))
               for tid, t in content.topics.items()]
    rows = [[_button(content.message("btn_find_tps", lang), Callback("k", "0"))]]
    rows += [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(content.message("btn_subscribe", lang), Callback("S"))])
    return InlineKeyboardMarkup(rows)


def campaign_menu(content: Content, lang: str, topics: tuple[str, ...]) -> InlineKeyboardMarkup:
    """A campaign's chosen FAQ topics first, then the whole menu."""
    chosen = [[_button(f"⭐ {content.topics[t].emoji} {content.topics[t].title(lang)}",
                       Callback("t", t))] for t in topics if t in content.topics]
    return InlineKeyboardMarkup([*chosen, *main_menu(content, lang).inline_keyboard])


def subscription(content: Content, lang: str, topics: frozenset[str],
                 offered: list[str]) -> InlineKeyboardMarkup:
    rows = [[_button(content.message("btn_topic", lang, label=t.label.get(lang), on=tid in topics),
                     Callback("T", tid))]
            for tid, t in content.subscription_topics.items() if tid in offered]
    rows.append([_button(content.message("btn_unsubscribe", lang), Callback("u")),
                 _button(content.message("btn_home", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


KECAMATAN_PAGE = 10
DESA_PAGE = 12


def page_count(count: int, size: int) -> int:
    """Pages of `size` items for `count` items (at least one)."""
    return max(1, -(-count // size))


def page_of(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], int, int]:
    """The items on page `page` (clamped to the pages there are), that page, the page count."""
    pages = page_count(len(items), size)
    page = min(max(page, 0), pages - 1)
    return items[page * size:(page + 1) * size], page, pages


def page_nav(content: Content, lang: str, page: int, pages: int,
             make: Callable[[int], Callback], back: InlineKeyboardButton
             ) -> list[InlineKeyboardButton]:
    """A long list's last row: previous page, `back`, next page (`make` builds a page's
    callback)."""
    row = []
    if page > 0:
        row.append(_button(content.message("btn_prev", lang), make(page - 1)))
    row.append(back)
    if page < pages - 1:
        row.append(_button(content.message("btn_next", lang), make(page + 1)))
    return row


REGION_PAGE = 24          # region buttons on one page of a picker (Telegram refuses ~100)
BROWSE, SUBSCRIBE = "-", "+"   # what a picker is for, besides a waiting question (its entry)


def region_page_size(purpose: str) -> int:
    """/wilayah lists kabupaten/kota ten at a time, as kecamatan; a question or a subscription
    shows a province's in one page when they fit."""
    return KECAMATAN_PAGE if purpose == BROWSE else REGION_PAGE


def picker_pages(regions: RegionTree, purpose: str, province: str | None) -> int:
    if province is None and regions.several_provinces:
        return page_count(len(regions.provinces), REGION_PAGE)
    return page_count(len(regions.kabupaten_in(province)), region_page_size(purpose))


def _picker_rows(content: Content, lang: str, buttons: list[InlineKeyboardButton], page: int,
                 pages: int, make: Callable[[int], Callback], purpose: str,
                 back: InlineKeyboardButton | None) -> list[list[InlineKeyboardButton]]:
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    home = _button(content.message("btn_home", lang), Callback("m"))
    if purpose == BROWSE:
        rows.append(page_nav(content, lang, page, pages, make, back or home))
        rows.append([_button(content.message("btn_share_location", lang), Callback("L"))])
    elif pages > 1 or back is not None:
        rows.append(page_nav(content, lang, page, pages, make, back or home))
    return rows


@per_content
def province_picker(content: Content, regions: RegionTree, lang: str, page: int,
                    purpose: str = BROWSE) -> tuple[InlineKeyboardMarkup, int, int]:
    """A national deployment's provinces, a page of them; each opens its kabupaten/kota."""
    provinces = sorted(regions.provinces.items(), key=lambda item: item[1])
    shown, page, pages = page_of(provinces, page, REGION_PAGE)
    buttons = [_button(name, Callback("B", f"{code}:0:{purpose}")) for code, name in shown]
    rows = _picker_rows(content, lang, buttons, page, pages,
                        lambda p: Callback("I", f"{p}:{purpose}"), purpose, None)
    return InlineKeyboardMarkup(rows), page, pages


@per_content
def kabupaten_picker(content: Content, regions: RegionTree, lang: str, page: int,
                     purpose: str = BROWSE, province: str | None = None
                     ) -> tuple[InlineKeyboardMarkup, int, int]:
    """Kabupaten/kota (of one province in a national deployment), a page of them: for
    /wilayah (then its kecamatan), for a waiting question (`purpose` its entry id: the region
    is saved and the entry answered for it), or to subscribe (SUBSCRIBE)."""
    kabupaten = regions.kabupaten_in(province)
    size = region_page_size(purpose)
    shown, page, pages = page_of(kabupaten, page, size)
    buttons = [_button(k.name, Callback("g", f"{k.code}:0") if purpose == BROWSE
                       else Callback("R", k.code) if purpose == SUBSCRIBE
                       else Callback("r", f"{k.code}:{purpose}")) for k in shown]
    national = regions.several_provinces
    back = _button(content.message("btn_province_list", lang), Callback("I", f"0:{purpose}")) \
        if national else None

    def make(p: int) -> Callback:
        if purpose == BROWSE and not national:
            return Callback("b", str(p))
        return Callback("B", f"{province or kabupaten[0].parent}:{p}:{purpose}")

    rows = _picker_rows(content, lang, buttons, page, pages, make, purpose, back)
    return InlineKeyboardMarkup(rows), page, pages


def _kabupaten_list(regions: RegionTree, kabupaten: str) -> Callback:
    """Back from a kabupaten/kota's kecamatan to the page of the list that shows it."""
    if not regions.several_provinces:
        return Callback("b", "0")
    province = regions.regions[kabupaten].parent
    listed = regions.kabupaten_in(province)
    index = next((i for i, k in enumerate(listed) if k.code == kabupaten), 0)
    return Callback("B", f"{province}:{index // KECAMATAN_PAGE}:{BROWSE}")


def _kecamatan_list(regions: RegionTree, kabupaten: str | None, page: int) -> Callback:
    return Callback("g", f"{kabupaten}:{page}") if kabupaten and regions.kabupaten \
        else Callback("k", str(page))


def kecamatan_picker(content: Content, regions: RegionTree, lang: str,
                     page: int, kabupaten: str | None = None, mine: bool = False
                     ) -> tuple[InlineKeyboardMarkup, int, int]:
    """Keyboard, the page shown (clamped) and the page count; in a province, of one
    kabupaten/kota (back to the list of them: `mine`, the citizen's, "change" it)."""
    kecamatan = regions.kecamatan_in(kabupaten)
    shown, page, pages = page_of(kecamatan, page, KECAMATAN_PAGE)
    buttons = [_button(k.name, Callback("c", f"{k.code}:0")) for k in shown]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    label = "btn_change_kabupaten" if mine else "btn_kabupaten_list"
    back = _button(content.message(label, lang), _kabupaten_list(regions, kabupaten)) \
        if kabupaten and regions.kabupaten else _button(content.message("btn_home", lang), Callback("m"))
    rows.append(page_nav(content, lang, page, pages, lambda p: _kecamatan_list(regions, kabupaten, p),
                     back))
    rows.append([_button(content.message("btn_share_location", lang), Callback("L"))])
    return InlineKeyboardMarkup(rows), page, pages


def desa_picker(content: Content, regions: RegionTree, lang: str, kecamatan_code: str,
                page: int) -> tuple[InlineKeyboardMarkup, int, int]:
    desas = regions.desa_of[kecamatan_code]
    shown, page, pages = page_of(desas, page, DESA_PAGE)
    buttons = [_button(d.name, Callback("v", d.code)) for d in shown]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    kabupaten = regions.regions[kecamatan_code].parent if regions.kabupaten else None
    listed = regions.kecamatan_in(kabupaten)
    index = next(i for i, k in enumerate(listed) if k.code == kecamatan_code)
    back = _button(content.message("btn_kecamatan_list", lang),
                   _kecamatan_list(regions, kabupaten, index // KECAMATAN_PAGE))
    rows.append(page_nav(content, lang, page, pages, lambda p: Callback("c", f"{kecamatan_code}:{p}"),
                     back))
    return InlineKeyboardMarkup(rows), page, pages


def tps_keyboard(content: Content, regions: RegionTree, lang: str, desa_code: str, venues: list[int],
                 saved: bool) -> InlineKeyboardMarkup:
    desa = regions.regions[desa_code].name
    buttons = [_button(content.message("btn_venue", lang, nomor=n, desa=desa),
                       Callback("p", f"{desa_code}:{n}")) for n in venues[:6]]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if not saved:
        rows.append([_button(content.message("btn_save_region", lang), Callback("y", desa_code))])
    kecamatan = regions.regions[desa_code].parent
    rows.append([_button(content.message("btn_change_region", lang), Callback("c", f"{kecamatan}:0")),
                 _button(content.message("btn_home", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


def opens_kabupaten(tree: RegionTree, user: object) -> bool:
    """Whether the "k" button (the region list) opens the kabupaten/kota list: in a province,
    for a citizen of no saved region; else it opens their kecamatan (its label says which)."""
    code = getattr(user, "region_code", None)
    return bool(tree.kabupaten) and (not code or tree.get(code[:5]) is None)


def region_list_button(content: Content, lang: str, kabupaten_first: bool) -> InlineKeyboardButton:
    key = "btn_kabupaten_list" if kabupaten_first else "btn_kecamatan_list"
    return _button(content.message(key, lang), Callback("k", "0"))


def nearest_keyboard(content: Content, lang: str, venues: list[tuple[str, int, str]],
                     kabupaten_first: bool = False) -> InlineKeyboardMarkup:
    """The nearest TPS's venues: (desa code, TPS nomor, desa name), told apart by their desa."""
    rows = [[_button(content.message("btn_venue", lang, nomor=nomor, desa=desa),
                     Callback("p", f"{code}:{nomor}"))] for code, nomor, desa in venues]
    rows.append([region_list_button(content, lang, kabupaten_first)])
    return InlineKeyboardMarkup(rows)


def find_tps(content: Content, lang: str, kabupaten_first: bool = False) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [region_list_button(content, lang, kabupaten_first)],
        [_button(content.message("btn_share_location", lang), Callback("L"))],
    ])


def location_request(content: Content, lang: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(content.message("btn_share_location", lang), request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True)


@per_content
def topic_menu(content: Content, topic_id: str, lang: str) -> InlineKeyboardMarkup:
    rows = [[_button(e.entry.text(lang).title, Callback("e", e.id))]
            for e in content.entries_in(topic_id)]
    rows.append([_button(content.message("btn_home", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


@per_content
def answer_keyboard(content: Content, entry_id: str, lang: str, from_menu: bool,
                    feedback: bool = False) -> InlineKeyboardMarkup:
    """Related entries, navigation, subscribe; and, under a free-text answer, "was this
    helpful?" (two small buttons, until one is pressed)."""
    entry = content.entries[entry_id].entry
    rows = []
    if feedback:
        rows.append([_button(content.message("btn_helpful_yes", lang), Callback("f", f"y:{entry_id}")),
                     _button(content.message("btn_helpful_no", lang), Callback("f", f"n:{entry_id}"))])
    rows += [[_button(content.entries[r].entry.text(lang).title, Callback("e", r))]
             for r in entry.related[:3]]
    nav = []
    if from_menu:
        nav.append(_button(content.message("btn_back", lang), Callback("t", entry.topic)))
    nav.append(_button(content.message("btn_home", lang), Callback("m")))
    rows.append(nav)
    rows.append([_button(content.message("btn_subscribe", lang), Callback("S"))])
    return InlineKeyboardMarkup(rows)


@per_content
def suggestions(content: Content, entry_ids: tuple[str, ...], lang: str) -> InlineKeyboardMarkup:
    rows = [[_button(content.entries[e].entry.text(lang).title, Callback("e", e))]
            for e in entry_ids]
    rows.append([_button(content.message("btn_menu", lang), Callback("m"))])
    return InlineKeyboardMarkup(rows)


@per_content
def open_menu(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(content.message("btn_menu", lang), Callback("m"))]])


@per_content
def languages(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(content.message("btn_lang_id", lang), Callback("l", "id")),
        _button(content.message("btn_lang_en", lang), Callback("l", "en")),
    ]])


@per_content
def confirm_delete(content: Content, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(content.message("btn_delete_yes", lang), Callback("d", "y")),
        _button(content.message("btn_delete_no", lang), Callback("d", "n")),
    ]])
