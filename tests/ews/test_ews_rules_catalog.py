"""The shipped early-warning rules follow CIDARS (early-warning.md §10), and a broken rule fails by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hqd.catalog import CatalogError
from hqd.ews.commands import ews_app
from hqd.ews.rules import default_path, load_rules

# early-warning.md §10.1 table (2008–2010 evaluation), copied by hand from the spec.
SPEC_PERCENTILES = {
    "细菌性和阿米巴性痢疾": 50,
    "其他感染性腹泻病": 60,
    "流行性腮腺炎": 60,
    "甲型肝炎": 70,
    "流行性感冒": 70,
    "风疹": 70,
    "流行性乙型脑炎": 80,
    **dict.fromkeys(
        [
            "猩红热",
            "伤寒和副伤寒",
            "戊型肝炎",
            "急性出血性结膜炎",
            "疟疾",
            "肾综合征出血热",
            "流行性脑脊髓膜炎",
            "钩端螺旋体病",
            "登革热",
            "斑疹伤寒",
            "丙型肝炎",
            "麻疹",
        ],
        90,
    ),
}
# §10.2: the 2008 fixed-threshold list.
SPEC_FIXED = {
    "鼠疫",
    "霍乱",
    "传染性非典型肺炎",
    "脊髓灰质炎",
    "人感染高致病性禽流感",
    "肺炭疽",
    "不明原因肺炎",
}


def test_shipped_rules_load_and_each_names_its_source():
    rules = load_rules()
    assert rules and all(len(r.source) > 20 for r in rules)


def test_single_case_fixed_threshold_for_plague_cholera_and_class_a_managed():
    fixed = [r for r in load_rules() if r.algorithm == "fixed"]
    assert [r.parameters for r in fixed] == [{"threshold": 1}]
    assert set(fixed[0].diseases) == SPEC_FIXED


def test_moving_percentile_thresholds_follow_the_cidars_table():
    mpm = {d: r for r in load_rules() if r.algorithm == "mpm" for d in r.diseases}
    assert {d: mpm[d].parameters["percentile"] for d in SPEC_PERCENTILES} == SPEC_PERCENTILES
    for rule in mpm.values():  # CIDARS: daily, 7-day window, 3 years × 5 periods, signal when above
        assert rule.frequency == "daily" and rule.date_basis == "onset"
        assert {k: rule.parameters[k] for k in ("obsDays", "years", "halfPeriods", "inclusive")} == {
            "obsDays": 7,
            "years": 3,
            "halfPeriods": 2,
            "inclusive": False,
        }


def test_second_opinion_is_farrington_flexible_weekly():
    flexible = [r for r in load_rules() if r.algorithm == "farringtonFlexible"]
    assert len(flexible) == 1 and flexible[0].frequency == "weekly"
    assert set(flexible[0].diseases) <= {d for r in load_rules() if r.algorithm == "mpm" for d in r.diseases}


def broken(tmp_path: Path, index: int, **change: object) -> Path:
    """The shipped file with one rule changed (None deletes a key)."""
    doc = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    for key, value in change.items():
        if value is None:
            doc["rules"][index].pop(key)
        else:
            doc["rules"][index][key] = value
    path = tmp_path / "ews_rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


MPM_P60 = 2  # index of mpm-p60 in the shipped file, the rule the cases below break


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"algorithm": "cusum"}, "algorithm 'cusum' is not registered"),
        ({"frequency": "monthly"}, "frequency='monthly' must be daily or weekly"),
        ({"date_basis": "diagnosis"}, "date_basis='diagnosis' must be onset or report"),
        ({"parameters": {"percentile": 150}}, "invalid parameters: "),
        ({"parameters": {"percentil": 60}}, "invalid parameters: "),
        ({"parameters": {"years": "three"}}, "invalid parameters: "),
        ({"source": None}, "source (where the rule comes from) is missing"),
        ({"diseases": []}, "diseases must be a non-empty list"),
        ({"diseases": ["流行性腮腺炎", "流行性腮腺炎"]}, "disease 流行性腮腺炎 is listed twice"),
        (
            {"diseases": ["细菌性和阿米巴性痢疾"]},
            "disease 细菌性和阿米巴性痢疾 is already monitored by rule mpm-p50",
        ),
        ({"min_years": 4}, "min_years=4 must be an integer from 1 to 3"),
        ({"threshold": 3}, "unknown key threshold"),
        ({"id": "mpm-p50"}, "the rule id is used twice"),
    ],
)
def test_a_broken_rule_fails_naming_the_file_and_the_rule(tmp_path, change, message):
    path = broken(tmp_path, MPM_P60, **change)
    with pytest.raises(CatalogError) as err:
        load_rules(path)
    rule_id = change.get("id", "mpm-p60")
    assert f"rules file {path}, rule {MPM_P60 + 1} ({rule_id}): " in str(err.value)
    assert message in str(err.value) and f"预警规则文件 {path}" in str(err.value)


def test_min_years_is_refused_for_algorithms_without_years(tmp_path):
    with pytest.raises(
        CatalogError, match=r"rule 1 \(fixed-single-case\): algorithm fixed takes no min_years"
    ):
        load_rules(broken(tmp_path, 0, min_years=2))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [\n  {id: a,\n", "is not valid YAML at line"),
        ("rule: []\n", "needs a non-empty `rules` list"),
        ("rules:\n  - just a string\n", "rule 1 (#1): a rule must be a mapping"),
        ("rules:\n  - {id: Bad Id, algorithm: fixed}\n", "id must be a name of lowercase letters"),
    ],
)
def test_a_malformed_file_fails_naming_it(tmp_path, text, message):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_rules(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_cli_run_with_a_broken_rules_file_exits_1_without_traceback(wh, tmp_path):
    path = broken(tmp_path, MPM_P60, frequency="hourly")
    out = CliRunner().invoke(ews_app, ["run", "--period", "2025", "--rules", str(path)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "rule 3 (mpm-p60): frequency='hourly' must be daily or weekly" in out.output
    assert wh.one("SELECT count(*) FROM ews_runs") == 0  # nothing was logged for a run that never started
