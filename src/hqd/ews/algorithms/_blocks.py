"""Column-chunked driver so 10^5-series runs stay cache-sized (threads optional: they lost on 2 vCPUs)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

COLS = 1024  # series per chunk: rows of a chunk stay contiguous and fit the cache line prefetcher
THREADS = int(os.environ.get("HQD_EWS_THREADS", "1"))  # measured: 2 threads were 2.7x slower on 2 vCPUs


def for_column_chunks(ncol: int, work: Callable[[slice], None], cols: int = COLS) -> None:
    """Call work(slice) for every chunk of columns; numpy releases the GIL inside its loops, so
    chunks run concurrently.  work must write only its own columns of shared outputs."""
    chunks = [slice(c, min(c + cols, ncol)) for c in range(0, ncol, cols)]
    workers = min(len(chunks), THREADS)
    if workers < 2:
        for ch in chunks:
            work(ch)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for fut in [pool.submit(work, ch) for ch in chunks]:
            fut.result()
