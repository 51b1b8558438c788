"""High-recall guards in front of the answer model (issue 18), for the kinds of message whose
words are a closed class: attempts to subvert the bot, and messages that are nothing but a
greeting, thanks, goodbye or a question about the bot itself. The model still decides
everything else; these only catch what a few patterns say for certain."""

from __future__ import annotations

import re

# Asking the bot to drop its rules, take another role, or show its configuration.
SUBVERT = re.compile(
    r"\b(?:ignore|disregard|forget|abaikan|lupakan|lupain|acuhkan)\b[^.?!\n]{0,40}"
    r"\b(?:instructions?|rules?|prompts?|instruksi|aturan|perintah|batasan|guidelines?)(?:mu|nya|ku)?\b|"
    r"\bsystem ?prompt\b|\bprompt (?:sistem|system)\b|\bjailbreak\b|\bdeveloper mode\b|"
    r"\b(?:you are now|from now on you are|pretend (?:to be|you are)|act as|roleplay as|"
    r"mulai sekarang kamu|berpura-pura|pura-pura jadi|jadilah)\b|"
    r"\b(?:show|reveal|print|tell me|give me|kasih|kasih tau|kasih liat|tunjukkan|tampilkan|"
    r"sebutkan|bocorkan|spill)\b[^.?!\n]{0,30}\b(?:token|api ?key|password|kata sandi|"
    r"config(?:uration)?|konfigurasi|settings|pengaturan|source code|kode sumber|\.env)\b",
    re.IGNORECASE)

# Words that make a message small talk when nothing else is said.
SMALL = frozenset("""
    halo hallo hello helo hai hay hi hii hey hei pagi siang sore malam selamat met good morning
    afternoon evening assalamualaikum assalamu alaikum salam permisi punten makasih makasi
    terima kasih trims thx thanks thank you tq suwun nuhun sama sama dadah bye goodbye sampai
    jumpa ketemu lagi see you ok oke okay sip mantap siap baik min admin mimin kak kakak bang
    mas mbak pak bu bro sis gan bot ya yaa yah dong deh nih ini banyak bgt banget much very
    infonya info so all the and for your sekali help bantu bantuan tolong menu mulai start tanya
    nanya numpang boleh mau
""".split())
ABOUT_BOT = re.compile(
    r"\b(?:kamu|anda|lu|lo|km|u|you)\s+(?:siapa|itu apa|bot|robot|manusia|orang|ai)\b|"
    r"\b(?:siapa|apa)\s+(?:kamu|anda|ini)\b|\bwho are you\b|\bare you (?:a )?(?:bot|robot|human|"
    r"person|real|ai)\b|\bwhat (?:can|do) you do\b|\b(?:what|how) can you help\b|"
    r"\b(?:kamu|bot ini|ini) bisa (?:apa|bantu apa)\b|"
    r"\bbisa bantu apa\b", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MAX_SMALL_WORDS = 8


def guarded(text: str) -> str | None:
    """`injection`, `smalltalk`, or None (the model decides)."""
    if SUBVERT.search(text):
        return "injection"
    words = [w.lower() for w in WORD.findall(text)]
    if words and len(words) <= MAX_SMALL_WORDS and (
            all(w in SMALL for w in words) or ABOUT_BOT.search(text)):
        return "smalltalk"
    return None
