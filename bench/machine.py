"""The machine a benchmark ran on, printed beside its numbers so RESULTS.md says where they come from."""

from __future__ import annotations

import os
import platform
import subprocess
import sys


def _first(path: str, prefix: str, parse) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return next((parse(line) for line in fh if line.startswith(prefix)), None)
    except OSError:
        return None


def describe() -> str:
    cpu = _first("/proc/cpuinfo", "model name", lambda line: line.split(":", 1)[1].strip()) or "unknown CPU"
    mem = (
        _first("/proc/meminfo", "MemTotal", lambda line: f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB")
        or "?"
    )
    import duckdb

    disk = subprocess.run(["df", "-h", "."], capture_output=True, text=True).stdout.splitlines()[-1].split()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, DuckDB {duckdb.__version__}, disk {disk[0] if disk else '?'}"
    )


if __name__ == "__main__":
    print(describe())
