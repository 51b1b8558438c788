"""The answer model shared by the bot's processes (PostgreSQL): each stage is trained once, by
one process, and read by the others from the database, so a new process (or one that reloaded
the content) answers from the model in seconds instead of training it again.

For a stage's fingerprint (trainer.py), a process reads the stored stage; if there is none, it
tries to take the stage's training lock (storage/model_cache.py): the winner looks once more,
else trains (its own file cache first: a host that ran on SQLite, or trained before, reads
it), stores the stage and lets go; the others look again every WAIT seconds, answering from
what is ready meanwhile (the keywords, then the first stage). The sentence vectors for the
second stage are kept per text in the database too (float32 bytes, no pickle).

A stage is a pickle (scikit-learn's models have no other complete format): unpickling runs
code, so a stage is used only if its HMAC-SHA256, keyed by a hash of BOT_TOKEN, is right.
Someone who can write to the database but does not know the token cannot make the bot run
code; changing the token only makes the next start train again. SQLite: files, as before."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import pickle
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np

from bot.clock import Clock
from bot.faq.embeddings import VectorStore
from bot.faq.learned import Stage
from bot.faq.semantic import Embedder
from bot.faq.trainer import Trainer
from bot.settings import Settings
from bot.storage import Database
from bot.storage.model_cache import (
    TrainingLock,
    load_stage,
    load_vectors,
    shares_models,
    store_stage,
    store_vectors,
)

log = logging.getLogger(__name__)

WAIT = 1.0          # seconds between two looks for a stage another process trains


def model_secret(settings: Settings) -> bytes:
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    return hashlib.sha256(b"suara answer model\x00" + token.encode()).digest()


def sign(secret: bytes, data: bytes) -> str:
    return hmac.new(secret, data, hashlib.sha256).hexdigest()


class SharedVectors(VectorStore):
    """Sentence vectors: the database's and this host's file's; new ones go to the database."""

    def __init__(self, cache_dir: Path, embedder: Embedder, stored: dict[str, bytes],
                 push: Callable[[list[tuple[str, bytes]]], None]) -> None:
        self._stored, self._push = stored, push
        super().__init__(cache_dir, embedder)

    def _load(self) -> None:
        super()._load()
        self._rows.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in self._stored.items())

    def _save(self) -> None:      # from the training thread, between batches and at the end
        with self._lock:
            new = [(k, np.asarray(v, np.float32).tobytes()) for k, v in self._rows.items()
                   if k not in self._stored]
        if new:
            self._push(new)
            self._stored.update(new)
            log.info("sentence vectors: %d stored in the database (%d in all)", len(new),
                     len(self._stored))


class SharedModel:
    def __init__(self, db: Database, url: str, secret: bytes, clock: Clock,
                 pool: Executor) -> None:
        self.db, self.url, self.secret, self.clock, self.pool = db, url, secret, clock, pool
        self.trained: list[str] = []    # the stages this process trained (tests, logs)

    @classmethod
    def of(cls, settings: Settings, db: Database, clock: Clock,
           pool: Executor) -> SharedModel | None:
        """For a database several processes share; None for SQLite (files)."""
        if not shares_models(db):
            return None
        return cls(db, settings.database, model_secret(settings), clock, pool)

    async def first(self, trainer: Trainer, stop: threading.Event) -> Stage:
        return await self.stage(trainer.first_key, lambda: self._run(trainer.first, stop), stop)

    async def second(self, trainer: Trainer, embedder: Embedder, stop: threading.Event) -> Stage:
        async def build() -> Stage:
            loop = asyncio.get_running_loop()
            stored = await load_vectors(self.db, embedder.version)

            def push(rows: list[tuple[str, bytes]]) -> None:
                asyncio.run_coroutine_threadsafe(
                    store_vectors(self.db, embedder.version, rows), loop).result(timeout=120)
            store = SharedVectors(trainer.cache_dir, embedder, stored, push)
            return await self._run(trainer.second, store, stop)
        return await self.stage(trainer.second_key(embedder.version), build, stop)

    async def stage(self, key: str, build: Callable[[], Awaitable[Stage]],
                    stop: threading.Event) -> Stage:
        """The stage stored under `key`, or built here (once among all processes) and stored."""
        waiting = False
        lock = TrainingLock(self.url, key)
        try:
            while True:
                found = await self._fetch(key)
                if found is not None:
                    return found
                if await lock.try_acquire():
                    found = await self._fetch(key)   # stored between the look and the lock
                    if found is not None:
                        return found
                    stage = await build()
                    self.trained.append(key)
                    await self._store(key, stage)
                    return stage
                if not waiting:
                    log.info("answer model: another process is training %s; waiting for it",
                             key)
                    waiting = True
                if stop.is_set():
                    raise InterruptedError("answer model: stopped")
                await asyncio.sleep(WAIT)
        finally:
            await lock.release()

    async def _run(self, step: Callable[..., Stage], *args: Any) -> Stage:
        return await asyncio.get_running_loop().run_in_executor(self.pool, step, *args)

    async def _fetch(self, key: str) -> Stage | None:
        row = await load_stage(self.db, key)
        if row is None:
            return None
        data, signature = row
        if not hmac.compare_digest(sign(self.secret, data), signature):
            log.warning("answer model: the stored %s is not signed with this BOT_TOKEN's key;"
                        " not used", key)
            return None
        stage = await asyncio.get_running_loop().run_in_executor(self.pool, pickle.loads, data)
        if not isinstance(stage, Stage):
            return None
        log.info("answer model: %s read from the database (%d bytes)", key, len(data))
        return stage

    async def _store(self, key: str, stage: Stage) -> None:
        data = await asyncio.get_running_loop().run_in_executor(
            self.pool, pickle.dumps, stage, pickle.HIGHEST_PROTOCOL)
        await store_stage(self.db, key, data, sign(self.secret, data), self.clock.now())
        log.info("answer model: %s stored in the database for the other processes (%d bytes)",
                 key, len(data))
