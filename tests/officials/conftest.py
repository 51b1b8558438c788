"""The officials' flows run on both backends: on PostgreSQL, DATABASE_URL names the
`database` fixture's fresh database, and every bot these tests build uses it."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _on_each_backend(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if database.startswith("postgresql://"):
        monkeypatch.setenv("DATABASE_URL", database)
