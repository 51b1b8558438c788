"""A stage of the answer model trained in a process of its own, which hands back the compact
stage and ends. Why not a thread of the bot:
- memory: scikit-learn and scipy (about 75 MB resident once imported) and training's buffers
  never enter the serving process, and what training frees goes back to the system when the
  process ends instead of staying in the bot's heaps (benchmarks/province.py, first start);
- the GIL: training's Python work (vectorising, cross-validation) no longer takes turns with
  the event loop, so replies keep their pace during a first start or a content reload.
The samples and sentence vectors go in on the child's stdin, already computed by the bot (the
content may exist only in memory); the stage comes back on its stdout; it reads and writes no
file. A plain `python -m bot.faq.apart`, not multiprocessing: nothing of the bot's own main
module is run again, and no helper process stays behind."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from bot.faq.learned import Sample, Stage, Targets

POLL = 0.1      # seconds between looks at the stop event while the child trains
# A stage trains in 10-60 s here (the province, 2 cores). A child still at it after half an
# hour is stuck (a library deadlocked, a machine swapping): it is killed, and the bot answers
# from what is ready (bot/faq/startup.py) instead of waiting for a stop that may never come.
TRAIN_SECONDS = 1800.0


def fit_apart(examples: Sequence[Sample], messages: Sequence[Sample], dense: np.ndarray | None,
              targets: Targets, kinds: frozenset[str], stop: threading.Event | None = None,
              timeout: float | None = None) -> Stage:
    """The compact stage, trained in a child process; a stop kills it (InterruptedError), and
    so does `timeout` seconds (TRAIN_SECONDS) passing (TimeoutError)."""
    began = time.monotonic()
    deadline = began + (TRAIN_SECONDS if timeout is None else timeout)
    payload = pickle.dumps((list(examples), list(messages), dense, targets, kinds),
                           protocol=pickle.HIGHEST_PROTOCOL)
    package_root = str(Path(__file__).resolve().parents[2])      # where `bot` imports from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)}
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "bot.faq.apart"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=errors, env=env)
        assert child.stdin is not None and child.stdout is not None
        result = child.stdout
        # Threads feed and drain the pipes (a payload larger than a pipe's buffer blocks a
        # plain write; communicate() with a timeout would not resume writing it on 3.11).
        out: list[bytes] = []
        pipes = [threading.Thread(target=_feed, args=(child.stdin, payload), daemon=True),
                 threading.Thread(target=lambda: out.append(result.read()), daemon=True)]
        for pipe in pipes:
            pipe.start()
        try:
            while True:
                try:
                    child.wait(timeout=POLL)
                    break
                except subprocess.TimeoutExpired:
                    if stop is not None and stop.is_set():
                        raise InterruptedError("training stopped") from None
                    if time.monotonic() > deadline:
                        raise TimeoutError("the training process took longer than "
                                           f"{deadline - began:.0f} s; killed") from None
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            for pipe in pipes:
                pipe.join()
            result.close()
        errors.seek(0)
        err = errors.read()
    try:
        outcome = pickle.loads(b"".join(out))
    except Exception:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"the training process ended with exit code {child.returncode}: "
                           f"{last[0]}") from None
    if isinstance(outcome, BaseException):
        raise outcome
    assert isinstance(outcome, Stage)
    return outcome


def _feed(pipe: IO[bytes], payload: bytes) -> None:
    try:
        pipe.write(payload)
    except OSError:           # the child ended (or was killed) first: its exit code says why
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def main() -> None:
    """The child: samples in on stdin, the compact stage (or the error) out on stdout."""
    from bot.faq.calibration import fit_stage
    from bot.faq.trainer import grouped

    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    result = sys.stdout.buffer
    sys.stdout = sys.stderr            # a library's print must not corrupt the result
    examples, messages, dense, targets, kinds = pickle.loads(sys.stdin.buffer.read())
    outcome: object
    try:
        stage, _ = fit_stage(examples, grouped(messages), dense, targets, kinds)
        outcome = stage.compact()
    except Exception as exc:           # handed back whole, raised in the bot
        outcome = exc
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:                  # an error that does not pickle: its words are enough
        data = pickle.dumps(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
    result.write(data)
    result.flush()


def _end_with(parent: int) -> None:
    """A bot killed outright (kill -9) cannot kill its child: the child, adopted by another
    process, stops training at once rather than spending a core on a stage nobody will read."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


if __name__ == "__main__":
    main()
