"""A standalone large 病案首页 CSV for benchmarks, streamed in chunks so memory stays bounded at any size."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hqd.demo import inpatient
from hqd.demo.formats import Style
from hqd.demo.frontsheet import frontsheet_table
from hqd.demo.region import build_region
from hqd.demo.writers import encode, text_lines

CHUNK = 100_000


def write_discharges_csv(
    path: Path, n: int, *, seed: int, encoding: str = "gbk", serial_start: int = 0
) -> None:
    """n discharges of the region's institutions (no malformed rows), standard headers, written chunk by chunk.

    `serial_start` numbers the records from there, so several files (a benchmark's parts) hold distinct
    病案号 and load as new rows rather than replacing each other."""
    write_in_chunks(path, n, seed=seed, encoding=encoding, chunk=CHUNK, serial_start=serial_start)


def write_in_chunks(
    path: Path, n: int, *, seed: int, encoding: str, chunk: int, serial_start: int = 0
) -> None:
    model = build_region()
    rng = np.random.default_rng(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    style = Style()
    done = 0
    with path.open("wb") as fh:
        if encoding == "utf-8-sig":
            fh.write(b"\xef\xbb\xbf")
            encoding = "utf-8"
        while done < n or done == 0:
            k = min(chunk, n - done)
            if k <= 0:
                ep, _ = inpatient.build(model, 1, rng, designed=False, people=False)
                table = frontsheet_table(ep, np.arange(0), model, style)
                fh.write(encode(text_lines(table), encoding))
                break
            ep, _ = inpatient.build(
                model, k, rng, designed=False, people=False, serial_start=serial_start + done
            )
            order = np.argsort(ep["discharge"], kind="stable")
            table = frontsheet_table(ep, order, model, style)
            fh.write(encode(text_lines(table, header=done == 0), encoding))
            done += k
            del ep, table
