"""Readers for the committed R reference CSVs (tests/ews/reference), independent of hqd's CSV code under test."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

try:  # the package may not be installed in the venv yet; fall back to the src layout
    import hqd  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

REF = Path(__file__).resolve().parent / "reference"
ISO_LEN = 10


@dataclass
class DataSet:
    """One input CSV as arrays: counts (n, series), ISO dates or None, population or None."""

    names: list[str]
    counts: np.ndarray
    dates: np.ndarray | None
    population: np.ndarray | None
    freq: int


def load_dataset(name: str) -> DataSet:
    """Parse data/<name>.csv with the csv module (not hqd.ews.detect_file, which is under test)."""
    rows = list(csv.DictReader((REF / "data" / f"{name}.csv").open(encoding="utf-8")))
    names = list(dict.fromkeys(r["series"] for r in rows))
    n = max(int(r["t"]) for r in rows)
    counts = np.full((n, len(names)), np.nan)
    pop = np.full((n, len(names)), np.nan) if "population" in rows[0] else None
    labels = [""] * n
    for r in rows:
        j, t = names.index(r["series"]), int(r["t"]) - 1
        counts[t, j] = float(r["count"])
        labels[t] = r["date"]
        if pop is not None:
            pop[t, j] = float(r["population"])
    is_iso = all(len(d) == ISO_LEN and d[4] == "-" and d[7] == "-" for d in labels)
    dates = np.array(labels, dtype="datetime64[D]") if is_iso else None
    if dates is not None:
        step = int((dates[1] - dates[0]).astype(int))
        freq = 52 if step == 7 else 365 if step == 1 else 12
    else:
        freq = 52
    return DataSet(names, counts, dates, pop, freq)


def parse_params(text: str) -> dict[str, Any]:
    """'b=5;alpha=0.01;limit54=0,4;trend=true' → control dict with R-typed values."""
    out: dict[str, Any] = {}
    for item in filter(None, text.split(";")):
        key, val = item.split("=", 1)
        if "," in val:
            out[key] = tuple(float(v) for v in val.split(","))
        elif val in ("true", "false"):
            out[key] = val == "true"
        else:
            try:
                out[key] = float(val) if any(c in val for c in ".e") else int(val)
            except ValueError:
                out[key] = val
    return out


def manifest(algorithms: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of configs.csv for the given algorithms."""
    rows = list(csv.DictReader((REF / "configs.csv").open(encoding="utf-8")))
    return [r for r in rows if r["algorithm"] in algorithms]


def load_expected(row: dict[str, str], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's output as (range, upperbound (range, series), alarm (range, series)); NA → NaN."""
    path = REF / "out" / f"{row['dataset']}__{row['algorithm']}__{row['config']}.csv"
    rng = np.arange(int(row["range_from"]), int(row["range_to"]) + 1)
    ub = np.full((rng.size, len(names)), np.nan)
    al = np.full((rng.size, len(names)), np.nan)
    for r in csv.DictReader(path.open(encoding="utf-8")):
        i, j = int(r["t"]) - rng[0], names.index(r["series"])
        ub[i, j] = np.nan if r["upperbound"] == "NA" else float(r["upperbound"])
        al[i, j] = np.nan if r["alarm"] == "NA" else float(r["alarm"])
    return rng, ub, al


def run_row(row: dict[str, str]) -> tuple[Any, np.ndarray, np.ndarray, DataSet]:
    """Run the hqd algorithm of one manifest row; returns (result, expected ub, expected alarm, data)."""
    from hqd.ews.algorithms import REGISTRY

    data = load_dataset(row["dataset"])
    rng, exp_ub, exp_al = load_expected(row, data.names)
    kwargs: dict[str, Any] = {}
    if row["algorithm"] == "farringtonFlexible" and data.population is not None:
        kwargs["population"] = data.population
    res = REGISTRY[row["algorithm"]](
        data.counts,
        dates=data.dates,
        freq=data.freq,
        range=rng,
        control=parse_params(row["params"]),
        **kwargs,
    )
    return res, exp_ub, exp_al, data


def row_id(row: dict[str, str]) -> str:
    return f"{row['dataset']}-{row['algorithm']}-{row['config']}"


def mismatches(
    got_ub: np.ndarray, got_al: np.ndarray, exp_ub: np.ndarray, exp_al: np.ndarray, rtol: float = 1e-6
) -> list[tuple[int, int, str]]:
    """(range row, series, what) for every disagreement: NA pattern, 1e-6 relative value, alarm."""
    bad = []
    na_diff = np.isnan(got_ub) != np.isnan(exp_ub)
    both = ~np.isnan(got_ub) & ~np.isnan(exp_ub)
    with np.errstate(invalid="ignore"):
        rel = np.abs(got_ub - exp_ub) > rtol * np.abs(exp_ub)
    al_diff = ~((got_al == exp_al) | (np.isnan(got_al) & np.isnan(exp_al)))
    for what, mask in (("NA", na_diff), ("value", both & rel), ("alarm", al_diff)):
        bad += [(int(i), int(j), what) for i, j in zip(*np.nonzero(mask), strict=True)]
    return bad
