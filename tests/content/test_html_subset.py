"""bot/content/render.py's html_problem accepts exactly Telegram's documented HTML subset (its
tags, their attributes, links only to http, https and tg), never more than the tests' own,
independent checker (tests/fakes/telegram_html.py); and its three users say why: content,
announcements, campaign welcomes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.registry import Content
from bot.content.render import html_problem, telegram_length
from tests.conftest import FIXTURE_CONTENT
from tests.content.test_registry import edit, problems
from tests.fakes import telegram_html
from tests.fakes.harness import offline_bot

ACCEPTED = [
    "<b>x</b> <strong>x</strong> <i>x</i> <em>x</em> <u>x</u> <ins>x</ins>",
    "<s>x</s> <strike>x</strike> <del>x</del> <tg-spoiler>x</tg-spoiler>",
    '<span class="tg-spoiler">x</span>',
    '<a href="http://x.id/">l</a> <a href="HTTPS://x.id/?a=1&amp;b=2">l</a>',
    '<a href="tg://user?id=123456789">u</a>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<code>x</code> <pre>x</pre>", '<pre><code class="language-python">x</code></pre>',
    "<blockquote>q</blockquote> <blockquote expandable>q</blockquote>",
    "<b>bold <i>italic <s>strike <span class=\"tg-spoiler\">sp</span></s></i></b>",
    "a &lt; b &gt; c &amp; d &quot;e&quot; &#128512; &#x1F600;",
]
REFUSED = [
    ("<span>x</span>", "tg-spoiler"),
    ('<span class="x">x</span>', "tg-spoiler"),
    ('<a href="javascript:alert(1)">x</a>', "http"),
    ('<a href="  JaVaScRiPt:alert(1)">x</a>', "http"),
    ('<a href="java&#x73;cript:alert(1)">x</a>', "http"),
    ('<a href="data:text/html,x">x</a>', "http"),
    ('<a href="file:///etc/passwd">x</a>', "http"),
    ('<a href="www.example.com">x</a>', "http"),
    ("<a>x</a>", "href"),
    ('<a href="https://x" target="_blank">x</a>', "href"),
    ('<b class="x">y</b>', "no attributes"),
    ('<tg-emoji>x</tg-emoji>', "emoji-id"),
    ('<tg-emoji emoji-id="12a">x</tg-emoji>', "emoji-id"),
    ('<code class="language-py">x</code>', "inside <pre>"),
    ('<code class="x">x</code>', "language"),
    ("<blockquote open>q</blockquote>", "expandable"),
    ("<blockquote><blockquote>q</blockquote></blockquote>", "inside another"),
    ('<a href="https://a"><a href="https://b">x</a></a>', "inside another"),
    ("<code><b>x</b></code>", "inside <code>"),
    ("<p>x</p>", "<p>"), ("<script>x</script>", "<script>"), ("<blink>x</blink>", "<blink>"),
    ("<b>x", "never closed"), ("<b><i>x</b></i>", "does not close"),
    ('<b>x</b class="y">', "attributes"),
    ("a < b", "&lt;"), ("a > b", "&gt;"), ("a & b", "&amp;"), ("&nbsp;", "&amp;"),
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_documented_subset_is_accepted(text: str) -> None:
    assert html_problem(text) is None
    assert telegram_html.problem(text, "HTML") is None


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_anything_else_is_refused_with_the_reason(text: str, reason: str) -> None:
    problem = html_problem(text)
    assert problem is not None and reason in problem, problem


def test_length_counts_entities_as_the_characters_they_stand_for() -> None:
    assert telegram_length("<b>&lt;x&gt;</b> &#128512;") == 6   # "<x> ", a two-unit emoji


PIECES = st.sampled_from([
    "<b>", "</b>", "<i>", "</i>", "<span>", '<span class="tg-spoiler">', "</span>", "<a>",
    '<a href="https://x.id">', '<a href="javascript:x">', '<a href="tg://user?id=1">', "</a>",
    "<pre>", "</pre>", "<code>", '<code class="language-py">', "</code>", "<blockquote>",
    "<blockquote expandable>", "</blockquote>", '<tg-emoji emoji-id="1">', "</tg-emoji>",
    "<p>", "<", ">", "&", "&amp;", "&lt;", "&#65;", "&nbsp;", "x", " ", "é", '"', "'",
])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(PIECES, min_size=1, max_size=12).map("".join))
def test_never_accepts_what_the_independent_checker_refuses(text: str) -> None:
    if html_problem(text) is None and text.strip():
        assert telegram_html.parse(text) is not None     # raises HtmlError if refused


def test_content_with_a_bare_span_or_a_script_link_is_refused(tmp_path: Path) -> None:
    content_copy = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content_copy)
    faq = content_copy / "faq/1_contoh.yaml"
    edit(faq, "<b>satu kali</b>", "<span>satu kali</span>")
    found = problems(content_copy)
    assert any("cara_mencoblos.id.answer" in p and "tg-spoiler" in p for p in found), found
    # The answer is a double-quoted YAML string: its quotes are escaped there.
    edit(faq, "<span>satu kali</span>", '<a href=\\"javascript:alert(1)\\">satu kali</a>')
    found = problems(content_copy)
    assert any("cara_mencoblos.id.answer" in p and "javascript" in p for p in found), found


SUPER, ANNOUNCER, MANAGER = 900, 901, 902


async def test_announcements_and_welcomes_refuse_them_with_the_reason(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        await h.text(f"/petugas tambah {MANAGER} kampanye", user=h.user(SUPER))
        announcer = h.user(ANNOUNCER)
        await h.text("/umumkan", user=announcer)
        for text, reason in (('Baca <a href="javascript:alert(1)">ini</a>', "javascript"),
                             ("Rahasia <span>x</span>", "tg-spoiler")):
            refused = await h.text(text, user=announcer)
            assert "Belum bisa dipakai" in refused[-1].params["text"]
            assert reason in refused[-1].params["text"], refused[-1].params["text"]
        ok = await h.text('Baca <a href="https://kpu.go.id">ini</a>', user=announcer)
        assert "langkah 2/3" in ok[-1].params["text"]
        manager = h.user(MANAGER)
        await h.text("/kampanye baru kampusA Kampus A", user=manager)
        refused = await h.text('/kampanye sambutan kampusA Halo <a href="javascript:x">klik</a>',
                               user=manager)
        assert "javascript" in refused[-1].params["text"] and "⚠️" in refused[-1].params["text"]
        welcome = await h.text("/start kampusA", user=h.user(700))
        assert "klik" not in welcome[-1].params["text"]
