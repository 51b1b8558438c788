"""Sandboxed Jinja2 rendering (StrictUndefined, autoescaped HTML) and Telegram HTML checks."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jinja2 import StrictUndefined, Template, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

TELEGRAM_MAX_TEXT = 4096

DAYS = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


def format_date(value: date | datetime, lang: str, with_day: bool = True) -> str:
    lang = lang if lang in DAYS else "id"
    text = f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"
    if with_day:
        sep = ", " if lang == "id" else " "
        text = f"{DAYS[lang][value.weekday()]}{sep}{text}"
    return text


@pass_context
def _date_long(ctx: Context, value: date | datetime) -> str:
    return format_date(value, ctx.get("lang", "id"))


@pass_context
def _date_short(ctx: Context, value: date | datetime) -> str:
    return format_date(value, ctx.get("lang", "id"), with_day=False)


def _number(value: int | float, lang: str = "id") -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


@pass_context
def _number_ctx(ctx: Context, value: int | float) -> str:
    return _number(value, ctx.get("lang", "id"))


@pass_context
def _km(ctx: Context, value: float) -> str:
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return (text.replace(".", ",") if ctx.get("lang", "id") == "id" else text) + " km"


def make_environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["date_long"] = _date_long
    env.filters["date_short"] = _date_short
    env.filters["number"] = _number_ctx
    env.filters["km"] = _km
    return env


def render(template: Template, context: dict[str, Any]) -> str:
    text = template.render(context)
    # Content files use YAML block scalars; collapse runs of blank lines they can leave.
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---- Telegram HTML ------------------------------------------------------------------------

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "blockquote", "span"}
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>")
ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units of the text after HTML tags are parsed away."""
    plain = TAG_RE.sub("", text)
    plain = ENTITY_RE.sub("x", plain)
    return len(plain.encode("utf-16-le")) // 2


SPECIAL_RE = re.compile(r"[<&]")


def html_problem(text: str) -> str | None:
    """Why Telegram would reject this HTML, or None. Catches what bites at send time."""
    stack: list[str] = []
    pos = 0
    while True:
        special = SPECIAL_RE.search(text, pos)
        if special is None:
            break
        pos = special.start()
        if text[pos] == "<":
            match = TAG_RE.match(text, pos)
            if not match:
                return f"stray '<' at character {pos}: write &lt;"
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                return f"tag <{name}> is not supported by Telegram"
            if closing:
                if not stack or stack[-1] != name:
                    return f"</{name}> does not close the open tag"
                stack.pop()
            else:
                if name == "a" and 'href="' not in match.group(3):
                    return "<a> needs an href"
                stack.append(name)
            pos = match.end()
        else:
            match = ENTITY_RE.match(text, pos)
            if not match:
                return f"stray '&' at character {pos}: write &amp;"
            pos = match.end()
    if stack:
        return f"<{stack[-1]}> is never closed"
    return None
