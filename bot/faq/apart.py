"""A stage of the answer model trained in a process of its own, which hands back the compact
stage and ends. Why not a thread of the bot:
- memory: scikit-learn and scipy (about 75 MB resident once imported) and training's buffers
  never enter the serving process, and what training frees goes back to the system when the
  process ends instead of staying in the bot's heaps (benchmarks/province.py, first start);
- the GIL: training's Python work (vectorising, cross-validation) no longer takes turns with
  the event loop, so replies keep their pace during a first start or a content reload.
The samples and sentence vectors go in, already computed by the bot (the content may exist
only in memory); the process reads no files and writes none. `spawn`: a fork would copy a
process with running threads (database, HTTP, the loop)."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection

import numpy as np

from bot.faq.learned import Sample, Stage, Targets

POLL = 0.1      # seconds between looks at the stop event while the process trains


def fit_apart(examples: Sequence[Sample], messages: Sequence[Sample], dense: np.ndarray | None,
              targets: Targets, kinds: frozenset[str], stop: threading.Event | None = None) -> Stage:
    """The compact stage, trained in a child process; a stop kills it (InterruptedError)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_train, name="suara-train", daemon=True,
                              args=(send, list(examples), list(messages), dense, targets, kinds))
    process.start()
    send.close()                     # ours closed: the child's end alone keeps the pipe open
    try:
        while not receive.poll(POLL):
            if stop is not None and stop.is_set():
                raise InterruptedError("training stopped")
            if not process.is_alive() and not receive.poll(0):
                raise RuntimeError(f"the training process ended with exit code {process.exitcode}")
        try:
            outcome = receive.recv()
        except EOFError:
            raise RuntimeError("the training process ended without a result") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if isinstance(outcome, BaseException):
        raise outcome
    assert isinstance(outcome, Stage)
    return outcome


def _train(send: Connection, examples: list[Sample], messages: list[Sample],
           dense: np.ndarray | None, targets: Targets, kinds: frozenset[str]) -> None:
    from bot.faq.calibration import fit_stage
    from bot.faq.trainer import grouped

    try:
        stage, _ = fit_stage(examples, grouped(messages), dense, targets, kinds)
        send.send(stage.compact())
    except Exception as exc:          # handed back whole, raised in the bot
        try:
            send.send(exc)
        except Exception:             # not picklable: its words are enough
            send.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
