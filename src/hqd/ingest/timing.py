"""Stage timings of a load, printed to stderr when HQD_PROFILE is set: where a slow load spends its time."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def stage(name: str, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Time a stage (printed with HQD_PROFILE) and tell a progress display which stage is running."""
    if notify:
        notify(name)
    if not os.environ.get("HQD_PROFILE"):
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        print(f"[hqd] {name}: {time.perf_counter() - start:.2f} s", file=sys.stderr)
