"""An independent check of message text, as the Bot API parses it (parse_mode HTML).

Written apart from bot/content/render.py on purpose: a test fake that reused the function under
test could never catch its mistakes. A character-by-character parser of the subset in the Bot
API docs ("Formatting options", HTML style): only these tags, with only these attributes,
properly nested; every other <, > and & escaped; entities &lt; &gt; &amp; &quot; and numeric
ones. The length is what Telegram counts: UTF-16 code units of the text after parsing.
"""

from __future__ import annotations

MAX_TEXT = 4096
MAX_CAPTION = 1024
# tag -> (required attributes, allowed attributes)
TAGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{t: (frozenset(), frozenset()) for t in ("b", "strong", "i", "em", "u", "ins", "s",
                                               "strike", "del", "tg-spoiler", "pre")},
    "a": (frozenset({"href"}), frozenset({"href"})),
    "span": (frozenset({"class"}), frozenset({"class"})),
    "tg-emoji": (frozenset({"emoji-id"}), frozenset({"emoji-id"})),
    "code": (frozenset(), frozenset({"class"})),
    "blockquote": (frozenset(), frozenset({"expandable"})),
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    pass


def _attributes(source: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    rest = source.strip()
    while rest:
        name_end = 0
        while name_end < len(rest) and (rest[name_end].isalnum() or rest[name_end] == "-"):
            name_end += 1
        name = rest[:name_end]
        if not name:
            raise HtmlError(f"bad attribute text {source!r}")
        rest = rest[name_end:]
        value: str | None = None
        if rest.startswith("="):
            if not rest[1:2] == '"':
                raise HtmlError(f"attribute {name} needs a double-quoted value")
            close = rest.find('"', 2)
            if close < 0:
                raise HtmlError(f"attribute {name} is not closed")
            value = rest[2:close]
            rest = rest[close + 1:]
        if rest and not rest[0].isspace():
            raise HtmlError(f"bad attribute text {source!r}")
        found[name] = value
        rest = rest.lstrip()
    return found


def parse(text: str) -> str:
    """The plain text Telegram would show; HtmlError when it would refuse the message."""
    out: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end = text.find(">", i)
            if end < 0:
                raise HtmlError(f"unclosed tag at {i}")
            inner = text[i + 1:end]
            closing = inner.startswith("/")
            body = inner[1:] if closing else inner
            name = body.split(None, 1)[0].lower() if body.strip() else ""
            if name not in TAGS:
                raise HtmlError(f"unsupported tag <{inner}> at {i}")
            if closing:
                if body.strip().lower() != name:
                    raise HtmlError(f"closing tag with attributes at {i}")
                if not open_tags or open_tags[-1] != name:
                    raise HtmlError(f"</{name}> at {i} does not close the innermost open tag")
                open_tags.pop()
            else:
                attrs = _attributes(body[len(name):])
                required, allowed = TAGS[name]
                if not required <= attrs.keys() or not attrs.keys() <= allowed:
                    raise HtmlError(f"<{name}> with attributes {sorted(attrs)} at {i}")
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise HtmlError("<span> must have class=\"tg-spoiler\"")
                open_tags.append(name)
            i = end + 1
        elif char == "&":
            end = text.find(";", i)
            entity = text[i + 1:end] if end > 0 else ""
            if entity in NAMED:
                out.append(NAMED[entity])
            elif entity[:2] in ("#x", "#X") and entity[2:] and all(
                    c in "0123456789abcdefABCDEF" for c in entity[2:]):
                out.append(chr(int(entity[2:], 16)))
            elif entity[:1] == "#" and entity[1:].isdigit():
                out.append(chr(int(entity[1:])))
            else:
                raise HtmlError(f"unescaped & at {i}")
            i = end + 1
        elif char == ">":
            raise HtmlError(f"unescaped > at {i}")
        else:
            out.append(char)
            i += 1
    if open_tags:
        raise HtmlError(f"<{open_tags[-1]}> is never closed")
    return "".join(out)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def problem(text: str, parse_mode: str | None, limit: int = MAX_TEXT) -> str | None:
    """What the Bot API would answer (400 description), or None when it would accept it."""
    if not isinstance(text, str) or not text.strip():
        return "Bad Request: message text is empty"
    try:
        plain = parse(text) if parse_mode == "HTML" else text
    except HtmlError as exc:
        return f"Bad Request: can't parse entities: {exc}"
    if not plain.strip():
        return "Bad Request: message text is empty"
    if utf16_length(plain) > limit:
        return "Bad Request: message is too long" if limit == MAX_TEXT \
            else "Bad Request: message caption is too long"
    return None
