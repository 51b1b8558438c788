"""The announcement flow's screens: text and buttons for each step of a draft. Buttons carry
"1:A:<draft>:<op>"; lists carry an index into `draft.choices` so data stays under 64 bytes.
bot/callbacks.py checked each op's shape; `_index` bounds it by the list it points into. Lists
that grow with the data come in pages (keyboards.page_of, page_nav), as the region pickers do:
Telegram refuses a keyboard of about 100 buttons. Templates "e<page>", the regions of the
official's scope "k<page>", a kabupaten/kota's kecamatan "B<i>.<page>", a kecamatan's desa
"K<i>.<page>", campaigns "c<page>"; a page past the end shows the last."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks import SMALL_MAX, Callback
from bot.content.registry import Content
from bot.ids import parse_int
from bot.keyboards import page_nav, page_of
from bot.officials.drafts import Draft
from bot.officials.launch import describe_audience, describe_content
from bot.officials.roles import within
from bot.officials.widgets import button, paged
from bot.services import Services
from bot.storage.campaigns import list_campaigns

LANGUAGE_NAMES = {"id": "Indonesia", "en": "English"}
CAMPAIGN_PAGE = 20        # campaigns on one page of the audience's campaign list


def content_screen(draft: Draft, content: Content, page: int = 0
                   ) -> tuple[str, InlineKeyboardMarkup]:
    templates = sorted(content.schedule.templates)
    draft.choices, draft.listed = templates, "T"
    where, markup = paged(draft, content, [(f"🧩 {t}", f"T{i}") for i, t in enumerate(templates)],
                           page, 2, lambda p: f"e{p}", back=button("✖ Batal", draft, "x"))
    text = ("📣 <b>Pengumuman baru</b> — langkah 1/3: isi\n\n"
            "Kirim teks pengumumannya sebagai pesan biasa. Format Telegram (tebal, miring, "
            "tautan) boleh, atau tulis HTML Telegram: &lt;b&gt;, &lt;i&gt;, "
            "&lt;a href=\"…\"&gt;. Teks dikirim apa adanya, bukan template.\n\n"
            f"Atau pilih template dari konten (disusun per penerima dan bahasa){where}:")
    return text, markup


def options_screen(draft: Draft, services: Services) -> tuple[str, InlineKeyboardMarkup]:
    when = (draft.at.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M %Z")
            if draft.at else "sekarang")
    text = ("📣 <b>Pengumuman baru</b> — langkah 2/3: sasaran dan waktu\n\n"
            f"<b>Isi:</b> {html.escape(describe_content(draft))}\n"
            f"<b>Sasaran:</b> {html.escape(describe_audience(draft, services.content, services.regions))}\n"
            f"<b>Mendesak:</b> {'ya (abaikan jam tenang dan batas harian)' if draft.urgent else 'tidak'}\n"
            f"<b>Waktu:</b> {when}")
    rows = [
        [button("🗺 Wilayah", draft, "k"), button("🗣 Bahasa", draft, "l")],
        [button("🏷 Topik", draft, "t"), button("🎯 Kampanye", draft, "c")],
        # "U1"/"U0": what it sets, not a toggle (a double tap leaves it set)
        [button(f"⚡ Mendesak: {'ya' if draft.urgent else 'tidak'}", draft, f"U{int(not draft.urgent)}")],
        [button("🕐 Sekarang", draft, "n"), button("📅 Jadwalkan", draft, "w")],
        [button("✏️ Ganti isi", draft, "e")],
        [button("👁 Pratinjau", draft, "v"), button("✖ Batal", draft, "x")],
    ]
    return text, InlineKeyboardMarkup(rows)


def apply(draft: Draft, op: str, services: Services) -> bool:
    """Apply a choice to the draft; False when the button no longer fits the draft."""
    head, arg = op[:1], op[1:]
    if head in ("k", "l", "t", "c", "o") and not arg:
        draft.step = "options" if head == "o" else draft.step
        return True
    if head in ("c", "k"):    # a page of a list (a page past the end: the last)
        return parse_int(arg, 0, SMALL_MAX) is not None
    if head in ("B", "K", "V"):    # a province's, kabupaten/kota's or kecamatan's list, at a page
        arg = arg.partition(".")[0]
    if head == "u" and not arg:     # a button from before "U": a toggle
        draft.urgent = not draft.urgent
    elif head == "U" and arg in ("0", "1"):
        draft.urgent = arg == "1"
    elif head == "n" and not arg:
        draft.at = None
    elif head == "T":
        choice = _choice(draft, arg, "T")
        if choice is None or choice not in services.content.schedule.templates:
            return False
        draft.template, draft.text = choice, None
        draft.topic = services.content.schedule.templates[choice].topic
        draft.step = "options"
    elif head in ("B", "K", "D", "V"):
        if stale_places(draft, op, services):
            return False
        region = _region(draft, head, arg, services)
        if region == "" or not within(region or None, scope(draft, services)):
            return False        # not a place of the list, or outside the official's region
        draft.region = region
    elif head == "L":
        if arg not in ("-", *LANGUAGE_NAMES):
            return False
        draft.language = None if arg == "-" else arg
    elif head == "P":       # the topic the list showed (a reload may have reordered them)
        topic = _choice(draft, arg, "P")
        if topic is None or topic not in services.content.subscription_topics:
            return False
        draft.topic = topic
    elif head == "C":
        if arg == "-":
            draft.campaign = None
        else:
            code = _choice(draft, arg, "C")
            if code is None:
                return False
            draft.campaign = code
    else:
        return False
    return True


def stale_places(draft: Draft, op: str, services: Services) -> bool:
    """A place button ("B<i>", "K<i>", "D<k>.<d>": positions in the region lists) made from
    lists a content reload has changed since: it would name another place."""
    return (op[:1] in ("B", "K", "D") and op[1:2] != "-" and bool(draft.places)
            and draft.places != services.regions.lists_version)


def scope(draft: Draft, services: Services) -> str | None:
    """The kabupaten/kota (or, national, the province) the draft's official may announce to
    (None: everywhere)."""
    return services.roles.scope(draft.owner, "umumkan")


def _region(draft: Draft, head: str, arg: str, services: Services) -> str | None:
    """The audience a place button names: "B<i>" a province's kabupaten/kota, "K<i>" a
    kecamatan, "D<k>.<d>" one of its desa, "K-"/"B-" the whole of the official's scope; ""
    when the button points past its list."""
    regions = services.regions
    if arg == "-" and head in ("B", "K"):
        return scope(draft, services)
    if head == "V":     # a national deployment's province, by its code
        return arg if arg in _provinces(services) else ""
    if head == "B":
        b = _index(arg, regions.kabupaten)
        return regions.kabupaten[b].code if b is not None else ""
    if head == "K":
        k = _index(arg, regions.kecamatan)
        return regions.kecamatan[k].code if k is not None else ""
    k_text, _, d_text = arg.partition(".")
    k = _index(k_text, regions.kecamatan)
    desas = regions.desa_of[regions.kecamatan[k].code] if k is not None else []
    d = _index(d_text, desas)
    return desas[d].code if d is not None else ""


def _provinces(services: Services) -> list[str]:
    """A national deployment's provinces that have kabupaten/kota, by name (as the citizens'
    picker lists them); none in a deployment of one province."""
    regions = services.regions
    if not regions.several_provinces:
        return []
    return [code for code, _ in sorted(regions.provinces.items(), key=lambda item: item[1])
            if regions.kabupaten_in(code)]


def _kecamatan_items(services: Services, kabupaten: str | None) -> list[tuple[str, str]]:
    """The kecamatan of a kabupaten/kota (all, in a one-regency deployment), each op carrying
    its index in the whole list."""
    regions = services.regions
    index = {k.code: i for i, k in enumerate(regions.kecamatan)}
    return [(k.name, f"K{index[k.code]}") for k in regions.kecamatan_in(kabupaten)]


def _index(arg: str, items: Sequence[object]) -> int | None:
    """An index into `items`, or None (not plain digits, or past the end)."""
    return parse_int(arg, 0, len(items) - 1)


def _choice(draft: Draft, arg: str, kind: str) -> str | None:
    """The item of the list of `kind` last shown; None when the button is of another list (a
    template button pressed after the campaign list replaced it, or the other way)."""
    if draft.listed and draft.listed != kind:
        return None
    i = _index(arg, draft.choices)
    return draft.choices[i] if i is not None else None


async def screen_for(draft: Draft, op: str, services: Services
                     ) -> tuple[str, InlineKeyboardMarkup]:
    """The screen to show after `op`: a list to choose from, or the options again."""
    regions = services.regions
    back = [button("⬅ Kembali", draft, "o")]
    head, number, page = _list_op(op)
    if head in ("k", "V", "B", "K"):      # a list of places: the buttons point into these lists
        draft.places = regions.lists_version
    if head == "k":
        return _region_screen(draft, services, page)
    if head == "V" and number in _provinces(services):
        province = regions.place(number)
        assert province is not None
        items = [(k.name, f"B{i}") for i, k in enumerate(regions.kabupaten) if k.parent == number]
        where, markup = paged(draft, services.content, items, page, 2, lambda p: f"V{number}.{p}",
                               [button(f"✅ Seluruh {province.name}", draft, "o")],
                               button("⬅ Kembali", draft, "k"))
        return (f"🗺 {html.escape(province.name)} dipilih. Seluruhnya, atau satu kabupaten/kota"
                f"{where}:", markup)
    if head == "B" and (i := _index(number, regions.kabupaten)) is not None:
        kabupaten = regions.kabupaten[i]
        where, markup = paged(draft, services.content, _kecamatan_items(services, kabupaten.code),
                               page, 3, lambda p: f"B{i}.{p}",
                               [button(f"✅ Seluruh {kabupaten.name}", draft, "o")])
        return (f"🏙 {html.escape(kabupaten.name)} dipilih. Seluruhnya, atau satu kecamatan"
                f"{where}:", markup)
    if head == "K" and (i := _index(number, regions.kecamatan)) is not None:
        kecamatan = regions.kecamatan[i]
        desas = [(d.name, f"D{i}.{j}") for j, d in enumerate(regions.desa_of[kecamatan.code])]
        where, markup = paged(draft, services.content, desas, page, 3, lambda p: f"K{i}.{p}",
                               [button(f"✅ Seluruh Kec. {kecamatan.name}", draft, "o")])
        return (f"🏘 Kecamatan {html.escape(kecamatan.name)} dipilih. Seluruh kecamatan, atau "
                f"satu desa/kelurahan{where}:", markup)
    if op == "l":
        rows = [[button("Semua bahasa", draft, "L-")] +
                [button(name, draft, f"L{code}") for code, name in LANGUAGE_NAMES.items()]]
        return "🗣 Bahasa penerima:", InlineKeyboardMarkup([*rows, back])
    if op == "t":
        topics = services.content.subscription_topics
        draft.choices, draft.listed = list(topics), "P"
        rows = [[button(t.label.get("id") or tid, draft, f"P{i}")]
                for i, (tid, t) in enumerate(topics.items())]
        return ("🏷 Topik langganan (hanya pelanggan topik ini yang menerima):",
                InlineKeyboardMarkup([*rows, back]))
    if head == "c":
        return await _campaign_screen(draft, page, services)
    draft.step = "options"
    return options_screen(draft, services)


def _list_op(op: str) -> tuple[str, str, int]:
    """An op's letter, its index (of "B<i>", "K<i>") and the page of the list it shows
    ("k<page>", "c<page>", "B<i>.<page>", "K<i>.<page>"; none: the first)."""
    head, arg = op[:1], op[1:]
    if head in ("B", "K", "V"):
        arg, _, page = arg.partition(".")
        return head, arg, parse_int(page, 0, SMALL_MAX) or 0
    return head, "", parse_int(arg, 0, SMALL_MAX) or 0


def _region_screen(draft: Draft, services: Services, page: int
                   ) -> tuple[str, InlineKeyboardMarkup]:
    """The regions of the official's scope, a page of them: a province's (or, nationally, every)
    kabupaten/kota, else the kecamatan of their kabupaten/kota (of the whole regency)."""
    regions, mine = services.regions, scope(draft, services)
    place = regions.place(mine)
    whole = [button(f"Seluruh {place.name if place else regions.root_name}", draft, "K-")]
    if mine is None and regions.several_provinces:     # nationally: the province first
        items = [(getattr(regions.place(p), "name", p), f"V{p}") for p in _provinces(services)]
        where, markup = paged(draft, services.content, items, page, 2, lambda p: f"k{p}", whole)
        return f"🗺 Pilih provinsi (lalu kabupaten/kota, kecamatan atau desa){where}:", markup
    if regions.kabupaten and (mine is None or mine in regions.provinces):
        items = [(k.name, f"B{i}") for i, k in enumerate(regions.kabupaten)
                 if mine is None or k.parent == mine]
        where, markup = paged(draft, services.content, items, page, 2, lambda p: f"k{p}", whole)
        return f"🗺 Pilih kabupaten/kota (lalu kecamatan atau desa bila perlu){where}:", markup
    where, markup = paged(draft, services.content, _kecamatan_items(services, mine), page, 3,
                           lambda p: f"k{p}", whole)
    return f"🗺 Pilih kecamatan{where}:", markup


async def _campaign_screen(draft: Draft, page: int, services: Services
                           ) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the campaigns the draft may be limited to; each button carries the campaign's
    index in the whole list (`draft.choices`), the last row the pages and "back"."""
    mine = scope(draft, services)
    campaigns = [c for c in await list_campaigns(services.db)
                 if mine is None or c.region is None or within(c.region, mine)]
    draft.choices, draft.listed = [c.code for c in campaigns], "C"
    shown, page, pages = page_of(campaigns, page, CAMPAIGN_PAGE)
    rows = [[button("Tanpa batas kampanye", draft, "C-")]]
    rows += [[button(f"{c.name} ({c.code})", draft, f"C{i}")]
             for i, c in enumerate(shown, page * CAMPAIGN_PAGE)]
    rows.append(page_nav(services.content, "id", page, pages,
                         lambda p: Callback("A", f"{draft.id}:c{p}"), button("⬅ Kembali", draft, "o")))
    if not campaigns:
        return "🎯 Belum ada kampanye.", InlineKeyboardMarkup(rows)
    where = f" (halaman {page + 1}/{pages})" if pages > 1 else ""
    return f"🎯 Hanya warga yang dibawa satu kampanye{where}:", InlineKeyboardMarkup(rows)
