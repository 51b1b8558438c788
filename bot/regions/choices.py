"""Places of one name ("tanjung agung": a dozen desa in several kabupaten): those in the
citizen's own kabupaten/kota first, a page at a time, every one reachable ("n" pages). A list
offered while a question waits for the region carries the question: a place picked answers it
(bot/faq/regional.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import keyboards
from bot.callbacks import Callback
from bot.content.registry import Content
from bot.context import SuaraContext
from bot.regions.tree import KECAMATAN, Region, RegionTree, fold

PLACE_PAGE = 6        # places a page: a phone's screen of buttons
MOST_PLACES = 60      # one name's places: the province's most common has 12 desa and a kecamatan


def kabupaten_of(code: str) -> str:
    return ".".join(code.split(".")[:2])


def mine_first(context: SuaraContext, regions: list[Region]) -> list[Region]:
    """The places in the citizen's saved kabupaten/kota first, else as ranked."""
    user = context.user
    mine = kabupaten_of(user.region_code) if user is not None and user.region_code else None
    return sorted(regions, key=lambda r: kabupaten_of(r.code) != mine)


def namesakes(context: SuaraContext, anchor: Region) -> list[Region]:
    """Every place named as `anchor` is (found again from its name: a page button carries only
    the anchor's code), the citizen's first."""
    found = context.services.regions.search(fold(anchor.name), limit=MOST_PLACES)
    regions = [m.region for m in found]
    if anchor not in regions:
        regions.insert(0, anchor)
    return mine_first(context, regions)


def choices_view(context: SuaraContext, anchor: Region, page: int = 0,
                 entry: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the places named as `anchor`, with previous/next when there are more."""
    content, lang, tree = context.services.content, context.lang, context.services.regions
    regions = namesakes(context, anchor)
    shown, page, pages = keyboards.page_of(regions, page, PLACE_PAGE)
    user = context.user
    mine = tree.get(kabupaten_of(user.region_code)) if user is not None and user.region_code \
        and tree.kabupaten else None
    text = content.message("place_choices", lang, query=anchor.name, count=len(regions),
                           page=page + 1, pages=pages,
                           mine=mine.name if mine is not None and shown and
                           kabupaten_of(shown[0].code) == mine.code else "")
    markup = place_choices(content, tree, lang, shown, anchor.code, page, pages, entry,
                           keyboards.opens_kabupaten(tree, user))
    return text, markup


def _button(text: str, cb: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode())


def _short(name: str) -> str:
    return name.replace("Kabupaten ", "Kab. ", 1)


def place_choices(content: Content, tree: RegionTree, lang: str, regions: Sequence[Region],
                  anchor: str, page: int = 0, pages: int = 1, entry: str | None = None,
                  kabupaten_first: bool = False) -> InlineKeyboardMarkup:
    """Places of one name, a page of them: each opens its desa list or TPS, or, for a waiting
    question (`entry`), is picked as the citizen's region ("r") and the question answered."""
    rows = []
    for region in regions:
        # In a province, same-named places differ by their kabupaten/kota too.
        kabupaten = _short(tree.regions[kabupaten_of(region.code)].name) if tree.kabupaten else ""
        if region.level == KECAMATAN:
            label = content.message("btn_place_kecamatan", lang, kecamatan=region.name,
                                    kabupaten=kabupaten)
            cb = Callback("c", f"{region.code}:0")
        else:
            kecamatan = tree.regions[region.parent].name
            label = content.message("btn_place_desa", lang, desa=region.name, kecamatan=kecamatan,
                                    kabupaten=kabupaten)
            cb = Callback("s", region.code)
        rows.append([_button(label, Callback("r", f"{region.code}:{entry}") if entry else cb)])
    if pages > 1:
        suffix = f":{entry}" if entry else ""
        rows.append([_button(content.message(key, lang), Callback("n", f"{anchor}:{to}{suffix}"))
                     for key, to in (("btn_prev", page - 1), ("btn_next", page + 1)) if 0 <= to < pages])
    if not entry:
        rows.append([keyboards.region_list_button(content, lang, kabupaten_first)])
    return InlineKeyboardMarkup(rows)


def kabupaten_choices(content: Content, tree: RegionTree, lang: str,
                      codes: tuple[str, ...]) -> InlineKeyboardMarkup:
    """A kabupaten and a kota of one typed name ("bogor"): each opens its kecamatan."""
    return InlineKeyboardMarkup([[_button(tree.regions[c].name, Callback("g", f"{c}:0"))] for c in codes])
