"""per_content: built once per content object and arguments, never across contents."""

from __future__ import annotations

import gc
from typing import Any

from bot import memo
from bot.memo import per_content


class SimpleNamespace:      # a stand-in for Content: anything weakly referenced
    pass


def counting() -> tuple[Any, list[tuple[object, ...]]]:
    calls: list[tuple[object, ...]] = []

    @per_content
    def build(content: Any, lang: str, flag: bool = False) -> object:
        calls.append((lang, flag))       # not the content: that would keep it alive
        return object()

    return build, calls


def test_built_once_per_content_and_arguments() -> None:
    build, calls = counting()
    old, new = SimpleNamespace(), SimpleNamespace()     # a reload: another content object
    assert build(old, "id") is build(old, "id")
    assert build(old, "id", flag=True) is build(old, "id", flag=True) is not build(old, "id")
    assert build(old, "en") is not build(old, "id")
    assert build(new, "id") is not build(old, "id")
    assert len(calls) == 4


def test_bounded_and_still_right_after_eviction() -> None:
    build, calls = counting()
    contents = [SimpleNamespace() for _ in range(memo.MAX_CONTENTS + 5)]
    first = build(contents[0], "id")
    for content in contents:
        build(content, "id")
    assert len(memo._built) <= memo.MAX_CONTENTS
    again = build(contents[0], "id")      # evicted, built anew for the same content
    assert again is build(contents[0], "id") and len(calls) == len(contents) + 1
    assert first is not again


def test_an_unhashable_argument_counts_by_identity() -> None:
    build, calls = counting()
    content, tree, same_tree = SimpleNamespace(), {"16.03": "Muara Enim"}, {"16.03": "Muara Enim"}
    assert build(content, tree) is build(content, tree)
    assert build(content, same_tree) is not build(content, tree)     # another tree: built anew
    assert len(calls) == 2


def test_a_content_that_is_gone_is_forgotten() -> None:
    build, _ = counting()
    old = SimpleNamespace()
    build(old, "id")
    held = len(memo._built)
    del old                 # a reload: nothing else holds the old content
    gc.collect()
    assert len(memo._built) == held - 1
