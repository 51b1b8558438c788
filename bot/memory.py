"""How the process's C heap is kept small (glibc)."""

from __future__ import annotations

import ctypes
import gc
import os

M_ARENA_MAX = -8


def fewer_heaps() -> None:
    """At most two malloc heaps (glibc's M_ARENA_MAX; MALLOC_ARENA_MAX in the environment
    overrides). glibc gives a thread that allocates while another does a heap of its own, up to
    8 a core, and what is freed in one stays there: the sentence model's and the handlers'
    threads left a process under load about 15 MB larger. Python runs one thread at a time, so
    two heaps cost no waiting. Called at start, before any thread."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):      # not glibc
        pass


def give_back() -> None:
    """Collect garbage and return the heaps' free pages to the system (glibc's malloc_trim):
    training frees hundreds of MB in pieces the heaps would otherwise keep (measured: a process
    that had just trained both stages held 46 MB more without it)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):      # not glibc
        pass
