"""Region names typed where the picker invites them ("atau ketik namanya"), or given to /wilayah
and /tps: a kabupaten/kota's name picks it first, as its button would, before any kecamatan or
desa of the same name ("banyuasin" is the regency, not Banyuasin I, II and III)."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot import keyboards
from bot.context import SuaraContext
from bot.regions.choices import kabupaten_choices
from bot.regions.names import MAX_NAME_WORDS, REPLY_WORDS
from bot.regions.tree import KABUPATEN
from bot.replies import reply
from bot.storage.users import set_region


async def save_kabupaten(context: SuaraContext, code: str) -> bool:
    """The citizen's kabupaten/kota, unless their saved village is already in it."""
    user = context.user
    if user is None or (user.region_code or "").startswith(code):
        return False
    await set_region(context.services.db, user.user_id, code)
    context.user = replace(user, region_code=code)
    return True


def kabupaten_named(context: SuaraContext, text: str) -> tuple[str, ...]:
    """The kabupaten/kota a message that is only its name names ("kota palembang", "plg",
    "saya di muba"): one code, or a kabupaten and a kota of one name said without its kind;
    () when the message says more than a name (then it is a question, or a place search)."""
    tree = context.services.regions
    if not tree.kabupaten or len(text.split()) > MAX_NAME_WORDS:
        return ()
    found = tree.regions_named(text)
    if found is None or any(w not in REPLY_WORDS for w in found.rest):
        return ()
    return tuple(c for c in found.codes if (r := tree.get(c)) is not None and r.level == KABUPATEN)


async def answer_kabupaten_name(update: Update, context: SuaraContext, text: str) -> bool:
    """A kabupaten/kota's name typed: picked as in the picker (saved, then its kecamatan); a
    name both a kabupaten's and a kota's offers both. False when the text is no such name."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":     # in a group, a name is chat, not a choice
        return False
    codes = kabupaten_named(context, text)
    if not codes:
        return False
    content, lang, tree = context.services.content, context.lang, context.services.regions
    if len(codes) > 1:
        names = [tree.regions[c].name for c in codes]
        await reply(update, content.message("region_which", lang, regions=names),
                    kabupaten_choices(content, tree, lang, codes))
        return True
    code = codes[0]
    if await save_kabupaten(context, code):
        await reply(update, content.message("region_set", lang, region=tree.regions[code].name))
    markup, page, pages = keyboards.kecamatan_picker(content, tree, lang, 0, code)
    await reply(update, content.message("region_kecamatan", lang, page=page + 1, pages=pages),
                markup)
    return True
