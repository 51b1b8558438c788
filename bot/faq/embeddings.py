"""Sentence vectors cached per text beside the database, so that training after a content or
training-data change embeds only the texts that changed, and a second process or a restart
reads them instead of computing them again.

One file per model version (`vectors-<version>.npz`: the texts' keys and their vectors),
replaced whole and atomically after each computation. Computing goes in batches, and a stop
between two batches (shutdown, a newer content) keeps what was finished.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path

import numpy as np

from bot.faq.semantic import Embedder

log = logging.getLogger(__name__)

BATCH = 16


class Stopped(Exception):
    """The computation was asked to stop between two batches."""


def _key(kind: str, text: str) -> str:
    return hashlib.blake2b(f"{kind}\n{text}".encode(), digest_size=12).hexdigest()


class VectorStore:
    def __init__(self, cache_dir: Path, embedder: Embedder) -> None:
        self.embedder = embedder
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", embedder.version)
        self.path = Path(cache_dir) / f"vectors-{safe}.npz"
        self._rows: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._loaded = False      # read on first use: a trained stage read back needs none

    def _read(self) -> None:
        if not self._loaded:
            self._load()
            self._loaded = True

    def _load(self) -> None:
        try:
            with np.load(self.path) as data:
                self._rows = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            self._rows = {}

    def __len__(self) -> int:
        self._read()
        return len(self._rows)

    def vectors(self, texts: list[str], kind: str = "query",
                stop: threading.Event | None = None) -> np.ndarray:
        """The texts' vectors (rows in order), computing the missing ones in batches."""
        self._read()
        keys = [_key(kind, t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in self._rows}.items())
        embed = self.embedder.query if kind == "query" else self.embedder.passage
        try:
            for start in range(0, len(missing), BATCH):
                if stop is not None and stop.is_set():
                    raise Stopped
                batch = missing[start:start + BATCH]
                found = embed([t for _, t in batch])
                with self._lock:
                    self._rows.update(zip((k for k, _ in batch), found.astype(np.float32),
                                          strict=True))
        finally:
            if missing:
                self._save()
        return np.vstack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)

    def _save(self) -> None:
        with self._lock:
            keys = np.array(list(self._rows), dtype="U24")
            vectors = np.vstack(list(self._rows.values())) if self._rows else np.zeros((0, 0))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.stem}.{os.getpid()}.tmp.npz")
        np.savez(partial, keys=keys, vectors=vectors)
        os.replace(partial, self.path)
        log.info("sentence vectors: %d cached", len(keys))
