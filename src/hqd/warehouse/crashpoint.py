"""A test hook at the commit point of every writing operation, so a crash test can kill -9 it there.

Each writing operation (load, compute, score, early-warning run) is one transaction; the moment just before
its COMMIT is where a crash must still leave the warehouse as it was. With HQD_TEST_PAUSE_BEFORE_COMMIT=FILE
in the environment the operation touches FILE and sleeps (HQD_TEST_PAUSE_SECONDS, default 60) so the test
can kill it with every write done and none committed. Without the variable it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_before_commit() -> None:
    marker = os.environ.get("HQD_TEST_PAUSE_BEFORE_COMMIT")
    if marker:
        Path(marker).touch()
        time.sleep(float(os.environ.get("HQD_TEST_PAUSE_SECONDS", "60")))
