"""The words themselves: which carry no meaning (stop words), how a text is folded and
tokenised, and the stems (Sastrawi's for Indonesian, a light suffix stripper for English);
what normalize.py builds its terms from."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

STOPWORDS = frozenset(
    """
    yang di ke dari dan atau itu ini saya aku kamu kita kami anda dia mereka nya ku mu
    pada untuk dengan sama juga saja sudah akan lagi masih mau ingin tolong mohon terimakasih
    adalah ialah jadi nah kah pun sih dong kan deh nih lah apakah mbak mas pak bu bapak ibu
    buat agar supaya biar kalau jika kalo tentang soal para si sang tuh tah terus sebagai
    pas saat ketika waktu lalu kemudian nanti sekarang atau apa sana sini tersebut begitu gitu
    ingin pengen mau bisakah dapatkah sebenarnya memang benar kira kiranya coba tanya tata
    the a an is are am was were be been do does did i me my mine you your we our to of in on
    at for with it its this that these those please there here and or as by so just about
    what if am someone somebody him his her she he they them their any some tell know want
    going make sure really also then now us hi hello halo hai selamat pagi siang sore malam
    sekali sangat amat e eh em emm hm hmm uh um uhm erm anu lho loh
    """.split()
)

TOKEN_RE = re.compile(r"[a-z0-9]+")
# "terima kasih" (thanks) is a stop phrase; "penerima" (receiver) and "kasih" (give) are words.
THANKS_RE = re.compile(r"\bt(?:e)?rima\s*kasih\b")
# Reduplication typed with a digit: "langkah2" (langkah-langkah), "coret2".
REDUP_RE = re.compile(r"^([a-z]{3,})2$")
REPEAT_RE = re.compile(r"([a-z])\1{2,}")
# Possessive/emphatic endings typed without a space: "tpsku", "undanganku", "ktpnya".
CLITICS = ("nya", "ku", "mu", "lah", "kah", "an")


@lru_cache(maxsize=1)
def _stemmer() -> Any:      # built on first use, not at import
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return str(_stemmer().stem(word))


@lru_cache(maxsize=1)
def _roots() -> frozenset[str]:
    return frozenset(StemmerFactory().get_words())


def _is_root_word(word: str) -> bool:   # Sastrawi's ~30,000 roots: real words, never typos
    return word in _roots()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("'", "").replace("’", "")
    return REPEAT_RE.sub(r"\1", text)


def _light_stem(word: str) -> str:
    """A deliberately small English suffix stripper, applied alike to content and queries."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word
