"""Content tests edit a copy of the fixture content (the `content_copy` fixture, conftest.py)
and read the problems it is refused with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.registry import ContentError, load_content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return [str(p) for p in info.value.problems]
