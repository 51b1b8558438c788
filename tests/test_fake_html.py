"""The tests' own check of Telegram HTML (tests/fakes/telegram_html.py) is itself right."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_html import MAX_TEXT, parse, problem

ACCEPTED = ["<b>x</b>", "a &lt; b &amp; c", '<a href="https://x.id/?a=1&amp;b=2">l</a>',
            '<span class="tg-spoiler">x</span>', "<blockquote expandable>q</blockquote>",
            '<code class="language-py">x</code>', "&#128512; &#x1F600;", "<b><i>x</i></b>"]
REFUSED = ["<b>x", "<b><i>x</b></i>", "a < b", "a & b", "<span>x</span>", "x > y", "<p>x</p>",
           "<a>x</a>", '<b class="x">y</b>', "<a href='x'>y</a>", "&nbsp;", "", "  ", "<b> </b>"]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted(text: str) -> None:
    assert problem(text, "HTML") is None


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert problem(text, "HTML") is not None


def test_length_is_utf16_after_parsing() -> None:
    assert parse("<b>&lt;x&gt;</b>") == "<x>"
    emoji = "😀" * (MAX_TEXT // 2)          # two UTF-16 units each: exactly the limit
    assert problem(f"<b>{emoji}</b>", "HTML") is None
    assert problem(f"<b>{emoji}x</b>", "HTML") == "Bad Request: message is too long"
    assert problem("x" * MAX_TEXT + "&amp;", "HTML") == "Bad Request: message is too long"
    assert problem("a < b", None) is None   # plain text: nothing to parse
