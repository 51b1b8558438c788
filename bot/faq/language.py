"""Which language a question is in, from marker words (after slang and local words)."""

from __future__ import annotations

from bot.faq.normalize import Normalizer

EN_MARKERS = frozenset(
    """the is are am was do does did i my me you your what where when how which who why can
    could should would will vote voting voter election to of in on for with it this that have
    has need bring polling station ballot candidate if not there any get find much many""".split()
)
# English only where no Indonesian marker is present: "a" is also a letter in Indonesian (form A5,
# "a.n.", "ayat a", "kelas A") and "please" a loanword ("please min, kapan ...").
EN_WEAK = frozenset(("a", "an", "please"))
ID_MARKERS = frozenset(
    """yang apa di ke dari saya aku kamu bisa bagaimana kapan dimana mana berapa tidak belum
    sudah kalau dan untuk harus boleh masih pilih coblos siapa caranya cara nya ada mau gimana
    surat suara undangan hari jam lapor calon bupati gubernur pemilih apakah""".split()
)


def detect_language(normalizer: Normalizer, text: str) -> str | None:
    """'en' or 'id' when the words say so clearly, else None (keep the user's language)."""
    words = normalizer.raw_words(text)
    en = sum(w in EN_MARKERS for w in words)
    idn = sum(w in ID_MARKERS for w in words)
    if not idn:
        en += sum(w in EN_WEAK for w in words)
    if en > idn:
        return "en"
    if idn > en:
        return "id"
    return None
