"""Counts by disease × county from stored report cards: deleted cards left out, zero-filled, the chosen date."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from hqd.ews.counts import history_end, history_start, load_counts, period_axis

HEADER = ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期", "审核状态"]
Card = tuple[str, str, str, str, str]  # disease, county, onset, report, audit status


def load_cards(wh, cards: list[Card], name: str = "cards.csv") -> None:
    """Load the cards through the real loader (卡片编号 C1, C2, … in list order)."""
    rows = [HEADER] + [[f"C{i}", *c] for i, c in enumerate(cards, start=1)]
    summary = wh.load("idr-cases", wh.file(name, rows))
    assert summary.status == "accepted" and summary.quarantined == 0, summary


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


CARDS: list[Card] = [
    ("水痘", "990102", "2024-03-04", "2024-03-04", "已审核"),
    ("水痘", "990102", "2024-03-04", "2024-03-06", "未审核"),
    ("水痘", "990102", "2024-03-04", "2024-03-05", "已删除"),  # deleted: never counted
    ("水痘", "990121", "2024-03-05", "2024-03-05", "已审核"),
    ("水痘", "990121", "2024-03-09", "2024-03-11", "已审核"),
    ("手足口病", "990102", "2024-03-06", "2024-03-07", "已审核"),
    ("手足口病", "990102", "2024-03-12", "2024-03-12", ""),  # no audit status: counted
]


def expected(cards: list[Card], basis: int, start: str, days: int) -> dict[tuple[str, str], list[int]]:
    """Plain Python: per (disease, county), cases on each day from start (basis 2 = onset, 3 = report)."""
    first = day(start)
    out: dict[tuple[str, str], list[int]] = {}
    for c in cards:
        if c[4] == "已删除":
            continue
        offset = (day(c[basis]) - first).days
        if 0 <= offset < days:
            out.setdefault((c[0], c[1]), [0] * days)[offset] += 1
    return out


def as_dict(counts) -> dict[tuple[str, str], list[int]]:
    return {
        (d, r): [int(v) for v in counts.counts[:, s]]
        for s, (d, r) in enumerate(zip(counts.diseases, counts.regions, strict=True))
    }


@pytest.mark.parametrize(("basis", "column"), [("onset", 2), ("report", 3)])
def test_daily_counts_match_a_plain_count_of_the_cards(seeded, basis, column):
    load_cards(seeded, CARDS)
    got = load_counts(
        seeded.con, frequency="daily", date_basis=basis, start=day("2024-03-01"), end=day("2024-03-14")
    )
    assert list(got.ends) == list(np.arange(np.datetime64("2024-03-01"), np.datetime64("2024-03-15")))
    assert as_dict(got) == expected(CARDS, column, "2024-03-01", 14)


def test_onset_and_report_basis_differ_by_the_reporting_delay(seeded):
    load_cards(seeded, CARDS)
    kw = {"frequency": "daily", "start": day("2024-03-01"), "end": day("2024-03-14")}
    onset = as_dict(load_counts(seeded.con, date_basis="onset", **kw))
    report = as_dict(load_counts(seeded.con, date_basis="report", **kw))
    # 水痘 990102: two live cards with onset 03-04 (index 3), reported 03-04 and 03-06 (indexes 3 and 5)
    assert onset[("水痘", "990102")][3] == 2 and report[("水痘", "990102")][3:6] == [1, 0, 1]


def test_deleted_cards_are_excluded_everywhere(seeded):
    load_cards(seeded, [("霍乱", "990102", "2024-03-04", "2024-03-04", "已删除")])
    got = load_counts(
        seeded.con, frequency="daily", date_basis="onset", start=day("2024-03-01"), end=day("2024-03-07")
    )
    assert got.counts.shape == (7, 0)
    assert history_start(seeded.con) is None


def test_disease_filter_keeps_other_diseases_out_of_the_arrays(seeded):
    load_cards(seeded, CARDS)
    got = load_counts(
        seeded.con,
        frequency="daily",
        date_basis="onset",
        start=day("2024-03-01"),
        end=day("2024-03-14"),
        diseases=["手足口病"],
    )
    assert set(got.diseases) == {"手足口病"} and got.counts.sum() == 2


def test_weekly_counts_use_whole_monday_to_sunday_weeks(seeded):
    load_cards(seeded, CARDS)
    # 2024-03-01 is a Friday: the partial week 02-26..03-03 is dropped, the first week is 03-04..03-10.
    got = load_counts(
        seeded.con, frequency="weekly", date_basis="onset", start=day("2024-03-01"), end=day("2024-03-20")
    )
    assert [str(e) for e in got.ends] == ["2024-03-10", "2024-03-17"]
    # By hand: 水痘 990102 onsets 03-04 ×2 (week 1); 水痘 990121 03-05, 03-09 (week 1);
    # 手足口病 990102 03-06 (week 1), 03-12 (week 2).
    assert as_dict(got) == {
        ("水痘", "990102"): [2, 0],
        ("水痘", "990121"): [2, 0],
        ("手足口病", "990102"): [1, 1],
    }


def test_weekly_counts_equal_sums_of_daily_counts(seeded):
    load_cards(seeded, CARDS)
    kw = {"date_basis": "report", "start": day("2024-03-04"), "end": day("2024-03-17")}
    weekly = as_dict(load_counts(seeded.con, frequency="weekly", **kw))
    daily = as_dict(load_counts(seeded.con, frequency="daily", **kw))
    assert weekly == {k: [sum(v[:7]), sum(v[7:])] for k, v in daily.items()}


def test_series_are_zero_filled_over_the_whole_range(seeded):
    load_cards(seeded, CARDS)
    got = load_counts(
        seeded.con, frequency="daily", date_basis="onset", start=day("2024-01-01"), end=day("2024-12-31")
    )
    assert got.counts.shape == (366, 3)
    live = Counter((c[0], c[1]) for c in CARDS if c[4] != "已删除")
    assert dict(zip(zip(got.diseases, got.regions, strict=True), got.counts.sum(axis=0), strict=True)) == live


def test_history_runs_from_first_to_last_report_of_a_counted_card(seeded):
    load_cards(seeded, [*CARDS, ("水痘", "990102", "2023-12-01", "2023-12-30", "已删除")])
    assert history_start(seeded.con) == day("2024-03-04")
    assert history_end(seeded.con) == day("2024-03-12")


@pytest.mark.parametrize(
    ("start", "end", "first", "count"),
    [("2024-01-01", "2024-01-31", "2024-01-07", 4), ("2024-01-02", "2024-01-14", "2024-01-14", 1)],
)
def test_weekly_axis_ends_on_sundays_of_whole_weeks(start, end, first, count):
    # 2024-01-01 is a Monday; from 01-02 the first whole week is 01-08..01-14.
    axis = period_axis("weekly", day(start), day(end))
    assert str(axis[0]) == first and axis.size == count
    assert all((a.astype(object).weekday() == 6) for a in axis)
