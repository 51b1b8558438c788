"""A province deployment's region handling under a hostile review: typed words taken for a
region, a region name swallowing a question (tests/fixtures/province)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content.registry import Content, load_content
from bot.storage.users import get_user
from tests.fakes.harness import Harness, offline_bot, texts
from tests.test_province import BUKIT, CANDIDATES, PROVINCE


@pytest.fixture(scope="module")
def province() -> Content:
    return load_content(PROVINCE)


@pytest.fixture
async def bot(tmp_path: Path, province: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, province) as harness:
        yield harness


async def test_a_question_naming_a_region_is_not_taken_for_the_awaited_reply(bot: Harness) -> None:
    user = bot.user(801)
    await bot.text(CANDIDATES, user=user)
    said = "\n".join(texts(await bot.text("jam buka tps bukit contoh?", user=user)))
    assert BUKIT not in said and "disimpan sebagai daerahmu" not in said, said
    assert "07.00" in said or "Jam buka" in said, said
    # The question still waits: the region alone, with a few words around it, answers it.
    said = "\n".join(texts(await bot.text("saya di bukit contoh kak", user=user)))
    assert "disimpan sebagai daerahmu" in said and BUKIT in said
    saved = await get_user(bot.app.services.db, 801)
    assert saved is not None and saved.region_code == "98.01"
