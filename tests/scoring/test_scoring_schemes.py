"""The shipped schemes load, say what is official, and a broken scheme fails naming its file and entry."""

from __future__ import annotations

import copy

import pytest
import yaml

from hqd.catalog import CatalogError, catalog_dir
from hqd.indicators.catalog import indicator
from hqd.ingest.elements import elements
from hqd.scoring.schemes import load_scheme, parse_scheme, scheme_for_level, scheme_names

RAW = yaml.safe_load((catalog_dir() / "schemes" / "gk3.yaml").read_text(encoding="utf-8"))


def test_gk3_and_gk2_are_the_shipped_schemes():
    assert scheme_names() == ["gk2", "gk3"]
    assert scheme_for_level("三级").id == "gk3"
    assert scheme_for_level("二级").id == "gk2"
    assert scheme_for_level("一级") is None


@pytest.mark.parametrize("name", ["gk3", "gk2"])
def test_a_shipped_scheme_scores_national_monitoring_indicators_out_of_1000(name):
    s = load_scheme(name)
    assert s.scale == 1000
    assert all(indicator(p.id).national_monitoring for p in s.parts)
    assert [g.label for g in s.grades] == ["A++", "A+", "A", "B++", "B+", "B", "C", "D"]
    assert [g.max_percentile for g in s.grades[:3]] == [1, 5, 10]
    assert all("NOT official" in g.basis for g in s.grades[3:])
    text = (catalog_dir() / "schemes" / f"{name}.yaml").read_text(encoding="utf-8")
    assert "NOT public" in text or "not public" in text


def test_grade_cut_points_include_their_boundary():
    s = load_scheme("gk3")
    cases = {0.5: "A++", 1.0: "A++", 1.01: "A+", 5.0: "A+", 10.0: "A", 10.5: "B++", 40.0: "B+", 100.0: "D"}
    assert {p: s.grade_for(p) for p in cases} == cases


def test_peer_groups_come_from_the_institution_category():
    s = load_scheme("gk3")
    assert s.peer_group("综合医院").id == "general"
    assert s.peer_group("中西医结合医院").id == "tcm"
    assert s.peer_group("妇幼保健院").id == "specialist"
    assert s.peer_group("乡镇卫生院") is None


# The 病案首页-based ▲ indicators, whose national distributions are the ones most often published.
HEADLINE = {"gk3": ["gk3.04", "gk3.05", "gk3.06", "gk3.08", "gk3.09", "gk3.14"],
            "gk2": ["gk2.01", "gk2.02", "gk2.03", "gk2.04", "gk2.05", "gk2.13"]}  # fmt: skip


@pytest.mark.parametrize("name", ["gk3", "gk2"])
def test_headline_indicators_and_totals_have_their_reference_elements(name):
    s = load_scheme(name)
    codes = {e.code for e in elements()}
    wanted = [f"ref.{i}.p{p}" for i in HEADLINE[name] for p in s.reference.percentiles]
    wanted += [f"ref.{name}.total.p{p}" for p in s.reference.total_percentiles]
    assert [c for c in wanted if c not in codes] == []
    assert all(i in {p.id for p in s.parts} for i in HEADLINE[name])


def _broken(change) -> str:
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(CatalogError) as exc:
        parse_scheme(raw, "schemes/test.yaml")
    return str(exc.value)


def test_an_unknown_indicator_is_refused_by_file_and_id():
    msg = _broken(lambda r: r["indicators"].append({"id": "gk3.99", "weight": 1}))
    assert "schemes/test.yaml gk3.99" in msg and "no such indicator" in msg


def test_an_indicator_of_another_level_is_refused():
    msg = _broken(lambda r: r["indicators"].append({"id": "gk2.01", "weight": 1}))
    assert "gk2.01" in msg and "applies to" in msg


def test_an_undefined_indicator_cannot_be_scored():
    raw = yaml.safe_load((catalog_dir() / "schemes" / "gk2.yaml").read_text(encoding="utf-8"))
    raw["indicators"].append({"id": "gk2.26", "weight": 1})
    with pytest.raises(CatalogError, match=r"gk2\.26.*undefined"):
        parse_scheme(raw, "schemes/gk2.yaml")


def test_an_indicator_listed_twice_is_refused():
    assert "listed twice" in _broken(lambda r: r["indicators"].append({"id": "gk3.04", "weight": 2}))


def test_weights_must_be_positive():
    assert "gk3.04" in _broken(lambda r: r["indicators"][0].update(weight=0))


def test_cut_points_must_rise_to_100():
    assert "cut points" in _broken(lambda r: r["grading"]["grades"][3].update(max_percentile=8))
    assert "cut points" in _broken(lambda r: r["grading"]["grades"].pop())


def test_standard_scoring_needs_its_standard():
    msg = _broken(lambda r: r["indicators"][0].update(method="standard"))
    assert "gk3.04" in msg and "standard" in msg


def test_an_unknown_method_is_refused():
    assert "unknown method" in _broken(lambda r: r["indicators"][0].update(method="zscore"))


def test_reference_codes_are_region_codes():
    assert "6-digit" in _broken(lambda r: r["reference"]["orgs"].update(general="NATION"))


def test_an_unknown_scheme_names_the_available_ones():
    with pytest.raises(CatalogError, match="available: gk2, gk3"):
        load_scheme("gk9")


@pytest.mark.parametrize("name", ["gk3", "gk2"])
def test_the_scheme_holds_every_national_monitoring_indicator_the_catalog_computes(name):
    from hqd.indicators.catalog import indicators

    scored = {p.id for p in load_scheme(name).parts}
    missing = [i.id for i in indicators() if i.programme == name and i.national_monitoring
               and i.status == "computed" and not i.id.endswith(".cases") and i.id not in scored]  # fmt: skip
    assert missing == []
