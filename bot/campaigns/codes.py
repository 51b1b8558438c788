"""Campaign codes follow Telegram's deep-link rules: 1 to 64 of A-Z a-z 0-9 _ -."""

from __future__ import annotations

import re
from urllib.parse import quote

CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def code_problem(code: str) -> str | None:
    if not code:
        return "kode kosong"
    if len(code) > 64:
        return f"kode {len(code)} karakter; Telegram membolehkan paling banyak 64"
    if not CODE.fullmatch(code):
        bad = sorted({c for c in code if not re.fullmatch(r"[A-Za-z0-9_-]", c)})
        return f"kode hanya boleh huruf, angka, _ dan - (bukan {' '.join(bad)})"
    return None


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def share_link(link: str, text: str) -> str:
    return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"
