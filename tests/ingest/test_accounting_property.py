"""Property: for any file broken at random, read = new + updated + unchanged + quarantined + duplicate,
and the quarantined rows are exactly the rows that were broken (worked out independently here)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import DISCHARGE_HEADER, discharge

# Each way of breaking a row, as (header, bad value).
BREAKS = [
    ("离院方式", "7"),
    ("性别", "男女"),
    ("年龄", "-1"),
    ("入院时间", "2024-02-30"),
    ("总费用", ""),
    ("机构代码", "12990100MB0000000Z"),
    ("主要诊断编码", "???"),
    ("住院次数", "0"),
]

row_plan = st.tuples(
    st.integers(min_value=0, max_value=6),  # which patient (repeats make duplicates or conflicts)
    st.one_of(st.none(), st.sampled_from(range(len(BREAKS)))),  # broken, and how
    st.booleans(),  # an altered copy (different content under the same key)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(row_plan, min_size=1, max_size=25))
def test_counts_add_up_for_randomly_broken_files(seeded, plan):
    seeded.con.execute(
        "DELETE FROM discharges; DELETE FROM discharge_diagnoses; DELETE FROM discharge_procedures"
    )
    rows, broken, clean = [DISCHARGE_HEADER], set(), []
    for i, (patient, how, altered) in enumerate(plan):
        over = {"年龄": "70"} if altered else {}
        if how is not None:
            over[BREAKS[how][0]] = BREAKS[how][1]
            broken.add(i + 2)
        else:
            clean.append((i + 2, patient, altered))
        rows.append(discharge(f"P{patient}", **over))
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    # Independent expectation: among clean rows, a key with two different contents is a conflict (all of
    # its rows quarantined); otherwise the first is new and the rest are duplicates.
    by_key: dict[int, set[bool]] = {}
    for _, patient, altered in clean:
        by_key.setdefault(patient, set()).add(altered)
    conflicts = {line for line, p, _ in clean if len(by_key[p]) > 1}
    keys_ok = {p for p, v in by_key.items() if len(v) == 1}
    assert s.adds_up
    assert s.read == len(plan)
    assert s.quarantined == len(broken) + len(conflicts)
    assert s.new == len(keys_ok)
    assert s.duplicate == len(clean) - len(conflicts) - len(keys_ok)
    quarantined_lines = {
        r
        for (r,) in seeded.rows(
            "SELECT DISTINCT row_number FROM quarantine WHERE import_id = ?", [s.import_id]
        )
    }
    assert quarantined_lines == broken | conflicts
