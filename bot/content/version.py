"""A content folder's version: a fingerprint of its files (names and bytes), what the bot's
processes compare to serve one content (bot/reload.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def content_version(root: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in Path(root).rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts and not p.name.startswith("."))
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]
