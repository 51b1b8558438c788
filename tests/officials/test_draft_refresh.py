"""A refresh of an official's session that a write of this process overtook (the change
feed's reread of an earlier step, answered after the next step's write: seen under load on
PostgreSQL, where the announcer's typed date then went to the FAQ) keeps the newer draft."""

from __future__ import annotations

from typing import Any

import pytest

from bot.officials import drafts as drafts_module
from bot.officials.drafts import Drafts
from bot.storage.sessions import Session

OFFICIAL = 901


@pytest.mark.parametrize("row_gone", [False, True])
async def test_an_overtaken_read_does_not_put_back_an_older_draft(
        monkeypatch: pytest.MonkeyPatch, row_gone: bool) -> None:
    newer = Session(OFFICIAL, {"step": "when"}, 3, [{"id": 1}], 2)
    older = Session(OFFICIAL, {"step": "options"}, 2, [], 1)
    read = Session(OFFICIAL) if row_gone else older

    async def load_session(db: Any, user_id: int) -> Session:
        return read

    monkeypatch.setattr(drafts_module, "load_session", load_session)
    drafts = Drafts()
    drafts._sessions[OFFICIAL] = newer
    got = await drafts.refresh(None, OFFICIAL)  # type: ignore[arg-type]
    # the row erased meanwhile: gone here too; otherwise each part keeps its newest version
    assert got == (Session(OFFICIAL) if row_gone else newer)
    assert drafts._sessions[OFFICIAL] == got
