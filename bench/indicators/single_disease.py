"""The 单病种 rules of national-assessment.md §1.3 written out for the baselines (not read from the catalog)."""

from __future__ import annotations

# disease -> (SQL predicate over principal_dx, principal_proc, age; Python predicate over the same)
RULES = {
    "ami": ("left(principal_dx, 3) = 'I21'", lambda dx, pr, age: dx[:3] == "I21"),
    "hf": ("left(principal_dx, 5) IN ('I11.0', 'I13.0', 'I13.2') OR left(principal_dx, 3) = 'I50'",
           lambda dx, pr, age: dx[:5] in ("I11.0", "I13.0", "I13.2") or dx[:3] == "I50"),
    "cap_adult": ("left(principal_dx, 3) IN ('J13', 'J14', 'J15', 'J18') AND age >= 18",
                  lambda dx, pr, age: dx[:3] in ("J13", "J14", "J15", "J18") and age is not None and age >= 18),
    "cap_child": ("left(principal_dx, 3) IN ('J13', 'J14', 'J15', 'J18') AND coalesce(age, 0) < 18",
                  lambda dx, pr, age: dx[:3] in ("J13", "J14", "J15", "J18") and (age if age is not None else 0) < 18),
    "stroke": ("left(principal_dx, 3) = 'I63'", lambda dx, pr, age: dx[:3] == "I63"),
    "copd": ("left(principal_dx, 5) IN ('J44.0', 'J44.1', 'J44.9')",
             lambda dx, pr, age: dx[:5] in ("J44.0", "J44.1", "J44.9")),
    "hip": ("left(principal_proc, 5) IN ('81.51', '81.52')", lambda dx, pr, age: pr[:5] in ("81.51", "81.52")),
    "knee": ("left(principal_proc, 5) = '81.54'", lambda dx, pr, age: pr[:5] == "81.54"),
    "cabg": ("left(principal_proc, 4) = '36.1'", lambda dx, pr, age: pr[:4] == "36.1"),
    "cs": ("left(principal_proc, 4) IN ('74.0', '74.1', '74.2')", lambda dx, pr, age: pr[:4] in ("74.0", "74.1", "74.2")),
}  # fmt: skip
