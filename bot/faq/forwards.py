"""A forwarded or chain message is read without its forwarding header: "[Diteruskan]",
"Fwd dari grup kantor:", "Pesan berantai grup RT:", "Forwarded many times:", "BROADCAST‼️",
nor its chain markers: a sentence that only asks to pass the message on ("Sebarkan ke grup
keluarga!", "please forward"), wishes it useful, names where it was copied from, or only
raises the alarm ("PENTING!!!").
The header and the markers say how the message travels, not what it asks; left in, their
words ("grup", "kantor", "keluarga", "broadcast") pull the message toward the wrong answers, and
their length shrinks the margin by which the right answer wins."""

from __future__ import annotations

import re

# A header: one of the forwarding words at the start, then at most a few words of where from
# ("dari grup RT", "in our expat group"), ending at a colon, a closing bracket or the line's end.
HEADER = re.compile(
    r"^\W{0,6}(?:forwarded|diteruskan|fwd|fw|pesan berantai|broadcast|bc|info(?:rmasi)? (?:dari|dr)|"
    r"dari grup|from (?:the |our |a )?\w+ group|copas|copy ?paste)\b"
    r"[^\n:\]\"“]{0,60}(?:[:\]]|\n)\W{0,3}",
    re.IGNORECASE)
MAX_HEADERS = 3

# A chain marker, a whole sentence: a request to pass the message on (the verbs of sharing in
# their written, passive and borrowed forms; "bagi" alone and "terus" alone are everyday words,
# so only "bagikan", "teruskan"), a wish that it helps, a source tag, or an alarm word alone.
_SHARE = (r"(?:tolong|mohon|harap|yuk|ayo|ayok|silakan|silahkan|please|pls|plz|jangan lupa)?\s*"
          r"(?:di)?(?:sebar(?:kan|luaskan)|share|viralkan|bagikan|teruskan|forward(?:kan)?|"
          r"fwd|pass (?:it|this) on|spread (?:the word|this))\b"
          # passed on: the message itself, to whom, how widely; nothing else ("share info
          # jadwal dong" asks for something)
          r"(?:\s+(?:info|pesan|berita|kabar|message|news)?\s*(?:ini|this))?"
          # to whom: never "me" or an office ("share ke saya jadwal debat", "teruskan ke
          # bawaslu laporan ini" ask for something)
          r"(?:\s+(?:ke|kepada|to|with)\b(?!\s+(?:saya|aku|ku|gue|gw|me|us|kami|admin|min|kpu|"
          r"bawaslu|panwaslu|panwas|kpps|pps|ppk|pemerintah|polisi|dukcapil)\b)[^?]{0,60})?"
          r"(?:\s+(?:ya|yah|yuk|ok|oke|guys|semua|all|everyone|segera|sebanyak-banyaknya|"
          r"seluas-luasnya|luas|lagi))*")
_ALARM = r"(?:info )?(?:penting|urgent|waspada|viral|breaking news)"
CHAIN = re.compile(
    r"^\W*(?:" + _SHARE +
    r"|semoga (?:bermanfaat|berguna)[^?]{0,40}"
    r"|jangan (?:berhenti|putus) di[^?]{0,30}"
    r"|(?:sumber|source|dari grup sebelah|copas dari)\b[^?]{0,60}"
    r"|" + _ALARM +
    r")\W*$",
    re.IGNORECASE)
# An alarm word alone opens a citizen's own question too ("URGENT!! KTP saya hilang, bisa
# memilih?"): not read, but it does not make the message a forward (a claim to check).
ALARM = re.compile(r"^\W*" + _ALARM + r"\W*$", re.IGNORECASE)
# A sentence ends at a line break or after . ! ? or … and a space (kept with the sentence before).
_SENTENCE = re.compile(r"[^\n.!?…]*(?:[.!?…]+(?=\s|$)|\n|$)")


def strip_chain(text: str) -> tuple[str, bool]:
    """The message without its chain-marker sentences (never without everything else), and
    whether one of them passed it on (more than an alarm word)."""
    parts = [p for p in _SENTENCE.findall(text) if p.strip()]
    if len(parts) < 2:
        return text, False
    kept = [p for p in parts if not CHAIN.match(p.strip())]
    if not kept or len(kept) == len(parts):
        return text, False
    passed_on = any(CHAIN.match(p.strip()) and not ALARM.match(p.strip()) for p in parts)
    return " ".join(p.strip() for p in kept), passed_on


def strip_forward(text: str) -> tuple[str, bool]:
    """The message without its forwarding headers and chain markers, and whether it was passed
    on: it had a header or a chain marker other than an alarm word alone."""
    stripped = text
    for _ in range(MAX_HEADERS):      # a chain forwarded again carries more than one
        cut = HEADER.sub("", stripped, count=1)
        if cut == stripped:
            break
        stripped = cut
    headed = stripped != text
    stripped, passed_on = strip_chain(stripped.strip())
    stripped = stripped.strip()
    if not stripped or stripped == text.strip():
        return text, False
    return stripped, headed or passed_on
