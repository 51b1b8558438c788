"""Sandboxed Jinja2 rendering (StrictUndefined, autoescaped HTML) and Telegram HTML checks."""

from __future__ import annotations

import html
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
# Exactly the subset in the Bot API docs ("Formatting options", HTML style): these tags, these
# attributes, and links only to http, https and tg.

PLAIN_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "pre"}
ALLOWED_TAGS = PLAIN_TAGS | {"a", "span", "tg-emoji", "code", "blockquote"}
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\")?)*)\s*>")
ATTRIBUTE_RE = re.compile(r"([a-zA-Z-]+)(?:=\"([^\"]*)\")?")
ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
LINK_RE = re.compile(r"(?i)(https?|tg)://[^\s\x00-\x1f\x7f]+")
LANGUAGE_RE = re.compile(r"language-[\w+#.-]+")


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units of the text after HTML tags are parsed away."""
    plain = TAG_RE.sub("", text)
    plain = ENTITY_RE.sub(lambda m: html.unescape(m.group()), plain)
    return len(plain.encode("utf-16-le")) // 2


SPECIAL_RE = re.compile(r"[<>&]")


def _attributes_problem(name: str, attrs: dict[str, str | None], parent: str | None) -> str | None:
    """Why these attributes are not what Telegram documents for this tag, or None."""
    if name in PLAIN_TAGS and attrs:
        return f"<{name}> takes no attributes"
    if name == "a":
        href = attrs.pop("href", None)
        if attrs or href is None:
            return "<a> takes exactly one attribute, href"
        if not LINK_RE.fullmatch(html.unescape(href).strip()):
            return f"link {href[:60]!r}: only http://, https:// and tg:// links are allowed"
    elif name == "span" and attrs != {"class": "tg-spoiler"}:
        return '<span> must be <span class="tg-spoiler">'
    elif name == "tg-emoji" and (list(attrs) != ["emoji-id"]
                                 or not (attrs["emoji-id"] or "").isascii()
                                 or not (attrs["emoji-id"] or "").isdigit()):
        return '<tg-emoji> needs emoji-id="<digits>" and nothing else'
    elif name == "code" and attrs:
        if list(attrs) != ["class"] or not LANGUAGE_RE.fullmatch(attrs["class"] or ""):
            return '<code> takes only class="language-…"'
        if parent != "pre":
            return '<code class="language-…"> must be directly inside <pre>'
    elif name == "blockquote" and attrs and (list(attrs) != ["expandable"]
                                             or attrs["expandable"] is not None):
        return "<blockquote> takes only the word expandable"
    return None


def _nesting_problem(name: str, stack: list[str]) -> str | None:
    if stack and stack[-1] in ("code", "pre") and not (name == "code" and stack[-1] == "pre"):
        return f"<{name}> cannot be inside <{stack[-1]}>"
    if name in ("a", "blockquote", "pre") and name in stack:
        return f"<{name}> cannot be inside another <{name}>"
    return None


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML, or should not get it (a tag or attribute outside
    its documented subset, a link other than http, https or tg), or None."""
    stack: list[str] = []
    pos = 0
    while True:
        special = SPECIAL_RE.search(text, pos)
        if special is None:
            break
        pos = special.start()
        if text[pos] == ">":
            return f"stray '>' at character {pos}: write &gt;"
        if text[pos] == "<":
            match = TAG_RE.match(text, pos)
            if not match:
                return f"stray '<' at character {pos}: write &lt;"
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                return f"tag <{name}> is not supported by Telegram"
            if closing:
                if match.group(3).strip():
                    return f"</{name}> at character {pos} cannot carry attributes"
                if not stack or stack[-1] != name:
                    return f"</{name}> does not close the open tag"
                stack.pop()
            else:
                attrs = {m.group(1).lower(): m.group(2)
                         for m in ATTRIBUTE_RE.finditer(match.group(3))}
                problem = (_attributes_problem(name, attrs, stack[-1] if stack else None)
                           or _nesting_problem(name, stack))
                if problem:
                    return f"{problem} (character {pos})"
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
