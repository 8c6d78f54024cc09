"""End-to-end contract of `hqd ews detect`: IN.csv → OUT.csv compared with R's committed outputs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ews_refdata import REF, load_dataset, manifest
from typer.testing import CliRunner

from hqd.ews.commands import ews_app

RUNNER = CliRunner()
SPEC7 = [
    "--w",
    "3",
    "--alpha",
    "0.01",
    "--noPeriods",
    "10",
    "--pastWeeksNotIncluded",
    "26",
    "--pThresholdTrend",
    "1",
    "--thresholdMethod",
    "nbPlugin",
    "--weightsThreshold",
    "2.58",
    "--trend",
    "true",
    "--populationOffset",
    "false",
]


def run(in_path: Path, out: Path, *args: str) -> tuple[int, str]:
    res = RUNNER.invoke(ews_app, ["detect", "--counts", str(in_path), "--out", str(out), *args])
    # an unhandled exception also gives exit code 1 in CliRunner: only a clean typer.Exit counts
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output + (res.stderr if res.stderr_bytes is not None else "")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def r_rows(dataset: str, algorithm: str, config: str) -> dict[tuple[str, int], tuple[str, str]]:
    """R output keyed by (series, t) with NA turned into the CLI's empty cell."""
    row = next(r for r in manifest((algorithm,)) if r["dataset"] == dataset and r["config"] == config)
    path = REF / "out" / f"{row['dataset']}__{row['algorithm']}__{row['config']}.csv"
    return {
        (r["series"], int(r["t"])): (r["upperbound"].replace("NA", ""), r["alarm"].replace("NA", ""))
        for r in read(path)
    }


def assert_same(out_rows: list[dict[str, str]], expected: dict[tuple[str, int], tuple[str, str]]) -> None:
    assert len(out_rows) == len(expected)
    for r in out_rows:
        ub, al = expected[(r["series"], int(r["t"]))]
        assert r["alarm"] == al, r
        assert (r["upperbound"] == "") == (ub == ""), r
        if ub:
            assert float(r["upperbound"]) == pytest.approx(float(ub), rel=1e-6)


def test_flexible_monthly_matches_r(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, msg = run(
        REF / "data" / "rotaBB.csv",
        out,
        "--algorithm",
        "farringtonFlexible",
        "--freq",
        "12",
        "--range-last",
        "52",
        "--b",
        "5",
        *SPEC7,
    )
    assert code == 0, msg
    rows = read(out)
    assert list(rows[0]) == ["series", "t", "date", "count", "upperbound", "alarm"]
    assert_same(rows, r_rows("rotaBB", "farringtonFlexible", "spec7"))
    data = load_dataset("rotaBB")  # count and date pass through unchanged
    first = rows[0]
    assert first["date"] == str(data.dates[int(first["t"]) - 1])
    assert float(first["count"]) == data.counts[int(first["t"]) - 1, data.names.index(first["series"])]


def test_na_cells_are_empty_multi_series(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, msg = run(
        REF / "data" / "salmNewport.csv",
        out,
        "--algorithm",
        "earsC3",
        "--freq",
        "52",
        "--range-last",
        "52",
        "--alpha",
        "0.001",
    )
    assert code == 0, msg
    rows = read(out)
    assert len({r["series"] for r in rows}) == 16
    assert sum(r["upperbound"] == "" for r in rows) > 50
    assert_same(rows, r_rows("salmNewport", "earsC3", "C3_a001"))


def test_iso_dates_vs_labels(tmp_path: Path) -> None:
    """Same counts: ISO dates → reference weeks by date (R epochAsDate), labels → by index."""
    src = read(REF / "data" / "salmAllOnset.csv")
    labelled = tmp_path / "labels.csv"
    with labelled.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["series", "t", "date", "count"])
        for r in reversed(src):  # row order must not matter
            w.writerow([r["series"], r["t"], f"第{r['t']}周", r["count"]])
    args = [
        "--algorithm",
        "farrington",
        "--freq",
        "52",
        "--range-last",
        "52",
        "--b",
        "5",
        "--w",
        "3",
        "--alpha",
        "0.01",
        "--limit54",
        "0,4",
    ]
    code, msg = run(REF / "data" / "salmAllOnset.csv", tmp_path / "d.csv", *args)
    assert code == 0, msg
    assert_same(read(tmp_path / "d.csv"), r_rows("salmAllOnset", "farrington", "l54_0_4"))
    code, msg = run(labelled, tmp_path / "i.csv", *args)
    assert code == 0, msg
    by_index = read(tmp_path / "i.csv")
    assert_same(by_index, r_rows("salmAllOnsetIdx", "farrington", "l54_0_4"))
    assert by_index[0]["date"] == f"第{by_index[0]['t']}周"


def test_index_mode_dataset_and_limit54_option(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, msg = run(
        REF / "data" / "ha.csv",
        out,
        "--algorithm",
        "farringtonFlexible",
        "--freq",
        "52",
        "--range-last",
        "52",
        "--b",
        "3",
        *SPEC7,
        "--limit54",
        "3,2",
    )
    assert code == 0, msg
    assert_same(read(out), r_rows("ha", "farringtonFlexible", "l54_3_2"))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "extra", "needles"),
    [
        ("series,t,count\na,1,3\n", [], ["line 1", "field date", "第 1 行"]),
        ("series,t,date,count\na,1.5,x,3\n", [], ["line 2", "field t", "not an integer"]),
        ("series,t,date,count\na,1,x,3\na,2,x,-4\n", [], ["line 3", "field count", "negative", "不能为负数"]),
        ("series,t,date,count\na,1,x,3\na,1,x,4\n", [], ["line 3", "field t", "repeats"]),
        ("series,t,date,count\na,1,x,abc\n", [], ["line 2", "field count", "not a number"]),
        ("series,t,date,count\na,1,x,3\n", ["--frobnicate", "1"], ["unknown option", "未知选项"]),
        ("series,t,date,count\na,1,x,3\n", ["--trend", "yes"], ["--trend", "true or false"]),
        ("series,t,date,count\na,1,x,3\n", ["--limit54", "5"], ["--limit54", "two numbers"]),
    ],
)
def test_bad_input_exits_1_with_bilingual_message(
    tmp_path: Path, content: str, extra: list[str], needles: list[str]
) -> None:
    in_path = write(tmp_path / "IN.csv", content)
    code, msg = run(in_path, tmp_path / "o.csv", "--algorithm", "earsC1", "--freq", "52", *extra)
    assert code == 1
    assert "Traceback" not in msg
    for needle in needles:
        assert needle in msg, msg
    assert not (tmp_path / "o.csv").exists()


def test_algorithm_parameter_error_names_series(tmp_path: Path) -> None:
    in_path = write(
        tmp_path / "IN.csv", "series,t,date,count\n" + "".join(f"s1,{t},x,{t % 3}\n" for t in range(1, 30))
    )
    code, msg = run(in_path, tmp_path / "o.csv", "--algorithm", "earsC1", "--freq", "52", "--noPeriods", "3")
    assert code == 1 and "series s1" in msg and "noPeriods" in msg
    code, msg = run(in_path, tmp_path / "o.csv", "--algorithm", "cusum", "--freq", "52")
    assert code == 1 and "unknown algorithm" in msg


def test_mpm_and_fixed_through_the_cli(tmp_path: Path) -> None:
    # 3 daily series-days: fixed signals on the single case; MPM (obsDays 1, years 1, halfPeriods 0,
    # freq 365 by index since dates are labels) compares day 366 with day 1 only: 4 > 2 → alarm.
    lines = ["series,t,date,count"] + [
        f"x,{t},d{t},{4 if t == 366 else 2 if t == 1 else 0}" for t in range(1, 367)
    ]
    in_path = write(tmp_path / "IN.csv", "\n".join(lines) + "\n")
    code, msg = run(in_path, tmp_path / "f.csv", "--algorithm", "fixed", "--freq", "365", "--range-last", "2")
    assert code == 0, msg
    assert [(r["t"], r["upperbound"], r["alarm"]) for r in read(tmp_path / "f.csv")] == [
        ("365", "1", "0"),
        ("366", "1", "1"),
    ]
    code, msg = run(
        in_path,
        tmp_path / "m.csv",
        "--algorithm",
        "mpm",
        "--freq",
        "365",
        "--range-last",
        "2",
        "--obsDays",
        "1",
        "--years",
        "1",
        "--halfPeriods",
        "0",
        "--percentile",
        "50",
    )
    assert code == 0, msg
    rows = read(tmp_path / "m.csv")
    assert [(r["t"], r["date"], r["upperbound"], r["alarm"]) for r in rows] == [
        ("365", "d365", "", ""),
        ("366", "d366", "2", "1"),
    ]
