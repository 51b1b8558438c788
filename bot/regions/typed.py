"""Region names typed where the picker invites them ("atau ketik namanya"), or given to /wilayah
and /tps: a kabupaten/kota's name picks it first, as its button would, before any kecamatan or
desa of the same name ("banyuasin" is the regency, not Banyuasin I, II and III)."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot import keyboards
from bot.context import SuaraContext
from bot.regions.choices import kabupaten_choices
from bot.regions.names import MAX_REPLY_MESSAGE_WORDS, only_a_place
from bot.regions.tree import KABUPATEN
from bot.regions.waiting import done_waiting
from bot.replies import reply
from bot.storage.users import set_region


async def save_kabupaten(context: SuaraContext, code: str) -> bool:
    """The citizen's kabupaten/kota, unless their saved village is already in it."""
    user = context.user
    if user is None:
        return False
    if (user.region_code or "").startswith(code):
        await done_waiting(context)         # the place asked for was given all the same
        return False
    await set_region(context.services.db, user.user_id, code)     # nothing waits any more
    context.user = replace(user, region_code=code, waiting_entry=None, waiting_until=None)
    return True


def named_places(context: SuaraContext, text: str) -> tuple[tuple[str, ...], bool, bool]:
    """The kabupaten/kota a short message names (one code, or a kabupaten and a kota of one
    name said without its kind), and whether the message is only that place said unasked
    ("kota palembang", "plg", "saya di muba") and when asked for it ("nyoblos di plg" too):
    names.only_a_place. The names are looked up once for both."""
    tree = context.services.regions
    short = len(text.split()) <= MAX_REPLY_MESSAGE_WORDS
    found = tree.regions_named(text) if tree.kabupaten and short else None
    if found is None:
        return (), False, False
    codes = tuple(c for c in found.codes
                  if (r := tree.get(c)) is not None and r.level == KABUPATEN)
    return codes, only_a_place(text, found.rest), only_a_place(text, found.rest, asked=True)


def kabupaten_named(context: SuaraContext, text: str, asked: bool) -> tuple[str, ...]:
    """The kabupaten/kota a message that is only its name names (`asked` for it, "nyoblos di
    plg" too); () when the message says more than a name (then it is a question, or a place
    search)."""
    codes, alone, as_reply = named_places(context, text)
    return codes if (as_reply if asked else alone) else ()


async def answer_kabupaten_name(update: Update, context: SuaraContext, text: str,
                                asked: bool = False) -> bool:
    """A kabupaten/kota's name typed: picked as in the picker (saved, then its kecamatan); a
    name both a kabupaten's and a kota's offers both; where to vote in one, asked ("nyoblos di
    plg"), its kecamatan, nothing saved. False when the text is no such name, or another
    question naming one (answered for it, the saved region unchanged); `asked`: the text
    answers a request for a place (a command's argument, a waiting question)."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":     # in a group, a name is chat, not a choice
        return False
    codes, alone, as_reply = named_places(context, text)
    # Where to vote in a place, asked ("nyoblos di plg", "palembang?"): its kecamatan, to find
    # a TPS there, the saved region unchanged (before, it was saved; then none answered it).
    save = as_reply if asked else alone
    if not codes or not (save or as_reply):
        return False
    content, lang, tree = context.services.content, context.lang, context.services.regions
    if len(codes) > 1:
        names = [tree.regions[c].name for c in codes]
        await reply(update, content.message("region_which", lang, regions=names),
                    kabupaten_choices(content, tree, lang, codes))
        return True
    code = codes[0]
    if save and await save_kabupaten(context, code):
        await reply(update, content.message("region_set", lang, region=tree.regions[code].name))
    markup, page, pages = keyboards.kecamatan_picker(content, tree, lang, 0, code)
    await reply(update, content.message("region_kecamatan", lang, region=tree.regions[code].name,
                                        page=page + 1, pages=pages), markup)
    return True
