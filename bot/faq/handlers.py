"""Menu, answers and free-text questions."""

from __future__ import annotations

import contextlib
import html
from collections import Counter

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import decode
from bot.campaigns.codes import CODE
from bot.commands import COMMANDS
from bot.content.registry import Content
from bot.content.schema import Claim, Entry
from bot.context import SuaraContext
from bot.faq import smalltalk
from bot.faq.claims import contradicted, read_message, settled
from bot.faq.feedback import Answered
from bot.faq.matcher import Match
from bot.faq.regional import (
    answer_text,
    ask_region,
    ask_which,
    asker_region,
    same_answer,
    saved_region,
    whose,
)
from bot.redaction import redact
from bot.replies import acknowledge, decline, edit_or_send, reply, say, stale
from bot.storage.campaigns import get_campaign, record_arrival
from bot.storage.questions import record_feedback, record_unanswered

MAX_MESSAGE = 4096
# Daily counters' name for each way a question was met.
METRIC = {"answer": "answered", "suggest": "suggested", "unknown": "unknown"}


async def start(update: Update, context: SuaraContext) -> None:
    """Hello; through a campaign's link, that campaign's welcome and topics, and the campaign
    is credited (a start once per citizen; a citizen whose first update this is is brought in
    by it). An unknown or malformed code is ignored: it is the link's problem, not theirs."""
    services = context.services
    campaign = None
    if context.args and context.user is not None and CODE.fullmatch(context.args[0]):
        campaign = await get_campaign(services.db, context.args[0])
        if campaign is not None:
            await record_arrival(services.db, campaign.code, context.user.user_id,
                                 services.clock.now(), new_user=context.user.created)
    services.stats.count(services.clock.now(), "start", context.user, context.lang,
                         campaign=campaign.code if campaign else None)
    first_name = update.effective_user.first_name if update.effective_user else ""
    if campaign is None:
        await say(update, context, "start", keyboards.main_menu, first_name=first_name)
        return
    content, lang = services.content, context.lang
    text = campaign.welcome or content.message("start", lang, first_name=first_name)
    await reply(update, text, keyboards.campaign_menu(content, lang, campaign.topics))


async def menu(update: Update, context: SuaraContext) -> None:
    await say(update, context, "menu", keyboards.main_menu)


async def help_command(update: Update, context: SuaraContext) -> None:
    await say(update, context, "help", keyboards.open_menu, phase=context.services.content.timeline().phase)


def most_cited_sources(content: Content, limit: int = 12) -> list[dict[str, str]]:
    """The sources the content's answers cite most: a region's view, its own answers'; a
    province's, its shared answers' (the others cite their layers' sources)."""
    entries = content.shared if content.is_province and content.home is None else content.entries
    counts = Counter(s for e in entries.values() for s in e.entry.sources)
    return content.source_list([sid for sid, _ in counts.most_common(limit)])


async def sources(update: Update, context: SuaraContext) -> None:
    """The sources most cited in the answers the asker reads (their region's, when known)."""
    content = context.services.content
    code = saved_region(context) if content.is_province else None
    view = content.for_region(code) if code else content
    await reply(update, view.message("sources", context.lang, sources=most_cited_sources(view)))


async def on_menu_button(update: Update, context: SuaraContext) -> None:
    query = update.callback_query
    assert query is not None
    cb = decode(query.data)
    content = context.services.content
    lang = context.lang
    if cb is None:
        await stale(update, context)
        return
    if cb.kind == "m":
        await acknowledge(query)
        await edit_or_send(query, content.message("menu", lang), keyboards.main_menu(content, lang))
    elif cb.kind == "t" and cb.arg in content.topics:
        await acknowledge(query)
        topic = content.topics[cb.arg]
        await edit_or_send(query, content.message("topic", lang, topic_title=topic.title(lang),
                                                  emoji=topic.emoji),
                           keyboards.topic_menu(content, cb.arg, lang))
    elif cb.kind == "e" and cb.arg in content.entries:
        await acknowledge(query)
        code = saved_region(context) if content.is_province else None
        if code is None and content.needs_region(cb.arg):
            await ask_region(update, context, cb.arg)
            return
        await edit_or_send(query, answer_text(context, cb.arg, code),
                           keyboards.answer_keyboard(content, cb.arg, lang, from_menu=True))
    elif cb.kind == "f" and cb.text in content.entries:      # "y|n:<entry>", shape checked
        await on_feedback(query, context, cb.choice == "y", cb.text)
    else:
        await stale(update, context)


async def on_feedback(query: CallbackQuery, context: SuaraContext, helpful: bool,
                      entry_id: str) -> None:
    """Count the vote (per entry, no user id); a "no" keeps the question with the entry it got.
    One vote per answer: the buttons go, and a second press records nothing."""
    services = context.services
    content, lang = services.content, context.lang
    await acknowledge(query, html.unescape(content.message("feedback_thanks", lang)))
    message = query.message
    answered = await services.recent_answers.take(message.chat.id, message.message_id) \
        if isinstance(message, Message) else None
    if answered is None or answered.entry_id != entry_id:
        return
    now = services.clock.now()
    await record_feedback(services.db, entry_id, helpful, now.date().isoformat())
    services.stats.count(now, "helpful" if helpful else "unhelpful", context.user, lang,
                         content.entries[entry_id].entry.topic)
    if not helpful:
        await record_unanswered(services.db, answered.question, answered.language, now,
                                entry_id=entry_id, region=asker_region(context))
    assert isinstance(message, Message)
    with contextlib.suppress(TelegramError):  # the buttons going is a nicety
        await message.edit_reply_markup(
            keyboards.answer_keyboard(content, entry_id, lang, from_menu=False))


def resolve(content: Content, match: Match) -> Match:
    """The match in the content's terms: a take-sides request gets the neutral entry, and
    entries the content no longer has (a model trained on content since reloaded) are dropped."""
    if match.kind == "neutral":
        neutral = content.neutral_entry
        return Match("answer", (neutral,), match.score) if neutral else Match("unknown", ())
    if match.kind in ("answer", "suggest"):
        known = tuple(e for e in match.entry_ids if e in content.entries)
        if not known or (match.kind == "suggest" and len(known) < 2):
            return Match("answer", known, match.score) if known else Match("unknown", ())
        return Match(match.kind, known, match.score)
    return match


async def answer_question(update: Update, context: SuaraContext, text: str,
                          claim: bool = False) -> str:
    """A free-text question the router gave to the FAQ: an answer, choices, a decline, a
    friendly word back, or "I don't know" (the question is then kept, redacted and without the
    user's id, for officials). A `claim` (forwarded, or "is this true?") is answered as a check
    of it. Returns what it got, for the metrics."""
    services = context.services
    content, lang = services.content, context.lang
    match = resolve(content, await services.answers.match(smalltalk.question_of(text)))
    now = services.clock.now()
    if claim and match.kind != "injection":
        return await check_claim(update, context, text, match)
    if match.kind in ("decline", "injection"):
        await decline(update, context)      # off-topic, or an attempt to subvert
        return match.kind
    if match.kind == "smalltalk":
        services.stats.count(now, "smalltalk", context.user, lang)
        await say(update, context, "smalltalk", keyboards.main_menu, said=smalltalk.kind_of(text),
                  greeted=smalltalk.greets(text))
        return "smalltalk"
    topic = content.entries[match.entry_ids[0]].entry.topic if match.kind == "answer" else ""
    services.stats.count(now, METRIC[match.kind], context.user, lang, topic)
    if match.kind == "answer":
        entry_id = match.entry_ids[0]
        code, both = whose(context, text)
        if both and not same_answer(context, entry_id, both):   # "bogor": kabupaten or kota?
            await ask_which(update, context, entry_id, both)
            return "ask_region"
        code = code or (both[0] if both else None)
        if code is None and content.needs_region(entry_id):
            await ask_region(update, context, entry_id)
            return "ask_region"
        answer = answer_text(context, entry_id, code)
        if smalltalk.greets(text):         # "halo min, kapan ...?": greeted back, then answered
            warm = f"{content.message('greeting_back', lang)}\n\n{answer}"
            answer = warm if len(warm) <= MAX_MESSAGE else answer
        await send_answer(update, context, answer, entry_id, text)
    elif match.kind == "suggest":
        await reply(update, content.message("suggestions", lang),
                    keyboards.suggestions(content, match.entry_ids, lang))
    else:
        await say(update, context, "fallback", keyboards.open_menu)
        await record_unanswered(services.db, redact(text), lang, now,
                                region=asker_region(context))
    return match.kind


async def check_claim(update: Update, context: SuaraContext, text: str, match: Match) -> str:
    """The facts that settle a claim, opening with them, and a verdict where the entry lists
    the claim; when no entry answers it: we cannot confirm it, and where to check."""
    services = context.services
    content, lang = services.content, context.lang
    now = services.clock.now()
    code, both = whose(context, text)
    code = code or (both[0] if both else None)      # asked which below, where answers differ
    normalizer = services.matcher.normalizer
    message = read_message(text, normalizer)        # once, for every entry's claims

    def entry(eid: str) -> Entry | None:
        """The version the asker reads; None where their region has none: another region's
        claims never settle it."""
        loaded = content.for_region(code).entries.get(eid) if code else content.entries[eid]
        return loaded.entry if loaded is not None else None

    def stated(eid: str) -> Claim | None:
        version = entry(eid)
        return settled(version, message, normalizer) if version else None

    def corrects(eid: str) -> Claim | None:
        """The entry's claim held true that the message states with other numbers."""
        version = entry(eid)
        return contradicted(version, message, normalizer) if version else None

    if match.kind == "suggest":
        # Unsure between a few entries: the one that lists the very claim the message states
        # (or states with other numbers) settles it (the model's order decides between two).
        listing = [e for e in match.entry_ids if stated(e) is not None or corrects(e) is not None]
        if listing:
            match = Match("answer", (listing[0],), match.score)
    if match.kind != "answer":
        services.stats.count(now, "unknown", context.user, lang)
        await say(update, context, "claim_unknown", keyboards.open_menu)
        await record_unanswered(services.db, redact(text), lang, now,
                                region=asker_region(context))
        return "claim_unknown"
    entry_id = match.entry_ids[0]
    if both and not same_answer(context, entry_id, both):
        await ask_which(update, context, entry_id, both)
        return "ask_region"
    if code is None and content.needs_region(entry_id):
        await ask_region(update, context, entry_id)
        return "ask_region"
    found = stated(entry_id)
    corrected = corrects(entry_id) if found is None else None
    services.stats.count(now, "answered", context.user, lang,
                         content.entries[entry_id].entry.topic)
    shown = found or corrected
    said = "" if shown is None else shown.claim.en if lang == "en" else shown.claim.id
    opening = content.message("claim_facts", lang, claim=said, corrected=corrected is not None,
                              verdict=None if shown is None else shown.verdict)
    answer = answer_text(context, entry_id, code)
    together = f"{opening}\n\n{answer}"
    if len(together) > MAX_MESSAGE:         # a long answer: the facts' opening on its own
        await reply(update, opening)
        together = answer
    await send_answer(update, context, together, entry_id, text)
    return "claim"


async def send_answer(update: Update, context: SuaraContext, answer: str, entry_id: str,
                      question: str) -> None:
    """An entry's answer under "was this helpful?", remembering which question it answered."""
    content, lang = context.services.content, context.lang
    sent = await reply(update, answer, keyboards.answer_keyboard(content, entry_id, lang,
                                                                 from_menu=False, feedback=True))
    if sent is not None:
        context.services.recent_answers.remember(sent.chat_id, sent.message_id,
                                                 Answered(redact(question), entry_id, lang),
                                                 context.services.clock.now())


def register(app: Application) -> None:
    app.add_handler(CommandHandler(COMMANDS["start"], start))
    app.add_handler(CommandHandler(COMMANDS["menu"], menu))
    app.add_handler(CommandHandler(COMMANDS["help"], help_command))
    app.add_handler(CommandHandler(COMMANDS["sources"], sources))
    app.add_handler(CallbackQueryHandler(on_menu_button, pattern=_menu_pattern))


def _menu_pattern(data: object) -> bool:
    cb = decode(data if isinstance(data, str) else None)
    return cb is not None and cb.kind in {"m", "t", "e", "f"}

