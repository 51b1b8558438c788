"""What is never printed or logged: the bot token, the webhook secret, passwords in URLs.

One redaction for the log formatters (logging_setup.py) and for every `error:` line the command
line prints (operations._fail): the secrets of the settings loaded (registered by
load_settings) and any URL in the text, shown as storage.urls.redact_url shows it. Kept free
of Telegram imports: every command's error path goes through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.storage.urls import UNPARSEABLE, redact_url

MIN_SECRET = 8          # shorter values are not replaced (they would mask ordinary words)
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
TRAILING = ".,;:)]}"    # punctuation a message puts after a URL ("at postgresql://...: error")
MASK = "<redacted>"

_known: set[str] = set()
_words: set[str] = set()     # replaced only as whole words (a password may be a word)


def secret_parts(values: Iterable[str | None]) -> set[str]:
    """Each value, and a token's secret half (after its colon) on its own."""
    parts = {v for v in values if v}
    parts |= {v.split(":", 1)[1] for v in list(parts) if ":" in v}
    return {p for p in parts if len(p) >= MIN_SECRET}


def register(values: Iterable[str | None], words: Iterable[str] = ()) -> None:
    """Secrets every later redact() removes: `values` wherever they appear (the token, even in
    "bot<token>/getMe", the webhook secret), `words` only standing alone (a database password
    such as "postgres" must not turn "postgresql://" or "asyncpg/postgres" into a mask)."""
    _known.update(secret_parts(values))
    _words.update(w for w in words if len(w) >= MIN_SECRET)


def _url(match: re.Match[str]) -> str:
    text = match.group()
    stripped = text.rstrip(TRAILING)
    shown = redact_url(stripped)
    if shown == UNPARSEABLE:      # not a URL after all ("http://[::1 x"): only its userinfo goes
        scheme, _, rest = stripped.partition("://")
        shown = f"{scheme}://{MASK}@{rest.rpartition('@')[2]}" if "@" in rest else stripped
    return shown + text[len(stripped):]


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` without any registered secret, `extra` secret, or URL password."""
    for secret in sorted(_known | set(extra), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = URL.sub(_url, text) if "://" in text else text
    for word in sorted(_words, key=len, reverse=True):
        if word in text:
            text = re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", MASK, text)
    return text
